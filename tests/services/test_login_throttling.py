"""Issue 15, finding 4: failed sign-ins lock the account and the client, exponentially, across processes.

The audit made 40 wrong guesses in 6.5 s with no delay. The counts live in the database, so two registers
on the same database (two worker processes) see the same lock.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from microcred.bootstrap import Register, build
from microcred.errors import Throttled, Unauthenticated
from microcred.services import staff, throttle
from microcred.testing import FixedClock

PASSWORD = "correct horse battery"
EMAIL = "desk@hoge.be"


@pytest.fixture
def account(register: Register) -> Register:
    from tests.credentials.register_setup import seed

    seed(register)
    register.access.add_staff(EMAIL, provider="hoge", password=PASSWORD)
    return register


def _fail(register: Register, clock: FixedClock, times: int, *, client: str = "10.0.0.1", email: str = EMAIL) -> None:
    for _ in range(times):
        with pytest.raises(Unauthenticated):
            staff.sign_in_staff(email, "a wrong password", register.uow, clock, client=client)


def test_an_account_is_locked_after_five_failures_even_for_the_right_password(account: Register) -> None:
    clock = FixedClock()
    _fail(account, clock, throttle.ACCOUNT.free)
    with pytest.raises(Throttled) as refused:
        staff.sign_in_staff(EMAIL, PASSWORD, account.uow, clock, client="10.0.0.2")
    assert refused.value.status == 429
    assert refused.value.retry_after == 30
    assert "try again in 30 seconds" in refused.value.message
    assert "probeer het over 30 seconden opnieuw" in refused.value.text("nl")


def test_the_lock_doubles_with_each_further_failure_and_ends(account: Register) -> None:
    clock = FixedClock()
    _fail(account, clock, throttle.ACCOUNT.free)
    clock.now += timedelta(seconds=31)
    _fail(account, clock, 1)
    with pytest.raises(Throttled) as refused:
        staff.sign_in_staff(EMAIL, PASSWORD, account.uow, clock)
    assert refused.value.retry_after == 60
    clock.now += timedelta(seconds=61)
    assert staff.sign_in_staff(EMAIL, PASSWORD, account.uow, clock).staff_id > 0


def test_a_client_guessing_many_accounts_is_locked(account: Register) -> None:
    clock = FixedClock()
    for number in range(throttle.CLIENT.free):
        _fail(account, clock, 1, email=f"guess{number}@hoge.be")
    with pytest.raises(Throttled):
        staff.sign_in_staff(EMAIL, PASSWORD, account.uow, clock, client="10.0.0.1")
    assert staff.sign_in_staff(EMAIL, PASSWORD, account.uow, clock, client="10.0.0.9").staff_id > 0


def test_another_process_on_the_same_database_sees_the_lock(account: Register) -> None:
    clock = FixedClock()
    _fail(account, clock, throttle.ACCOUNT.free)
    other = build(account.settings)
    try:
        with pytest.raises(Throttled):
            staff.sign_in_staff(EMAIL, PASSWORD, other.uow, clock)
    finally:
        other.close()


def test_the_desk_says_to_wait(account: Register) -> None:
    from microcred.asgi import create_app
    from tests.web.conftest import csrf_of

    with TestClient(create_app(account)) as client:
        for _ in range(throttle.ACCOUNT.free + 1):
            token = csrf_of(client.get("/desk").text)
            page = client.post("/desk/login", data={"email": EMAIL, "password": "wrong guess!", "csrf_token": token})
    assert page.status_code == 429
    assert "Te veel mislukte aanmeldingen" in page.text


def test_the_operator_sets_the_free_failures_and_the_waits(account: Register) -> None:
    """``MICROCRED_LOGIN_*`` reach the desk's sign-in: two free failures, then a 7 s wait doubling to a 10 s
    ceiling; the defaults are the module's ACCOUNT and CLIENT."""
    settings = account.settings.model_copy(
        update={"login_account_free_failures": 2, "login_lock_seconds": 7, "login_lock_ceiling_seconds": 10}
    )
    assert throttle.policies(account.settings) == (throttle.ACCOUNT, throttle.CLIENT)
    strict = build(settings)
    try:
        for _ in range(2):
            with pytest.raises(Unauthenticated):
                strict.staff.sign_in_staff(EMAIL, "a wrong password", client="10.0.0.3")
        with pytest.raises(Throttled) as refused:
            strict.staff.sign_in_staff(EMAIL, PASSWORD, client="10.0.0.4")
        assert refused.value.retry_after == 7
        account_policy, _ = throttle.policies(settings)
        assert account_policy.lock_after(5) == timedelta(seconds=10)
    finally:
        strict.close()


def test_settings_refuse_a_throttle_that_never_lets_anyone_in() -> None:
    from pydantic import ValidationError

    from microcred.settings import Settings

    with pytest.raises(ValidationError, match="login_account_free_failures"):
        Settings(login_account_free_failures=0)
