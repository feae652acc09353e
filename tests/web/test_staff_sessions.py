"""Issue 15, findings 3 and 8: a staff member's sessions and tokens end at once, and the cookie says nothing.

The old desk kept the provider and e-mail address in the signed cookie and only cleared the cookie at
logout: a copied cookie kept working after logout and deactivation, and the deactivated account could still
make a 365-day API token.
"""

from __future__ import annotations

import base64
import json
import re

import pytest
from fastapi.testclient import TestClient

from microcred.bootstrap import Register
from microcred.errors import Forbidden, Unauthenticated
from microcred.web.app import SESSION_COOKIE
from tests.web.conftest import csrf_of

PASSWORD = "correct horse battery"
EMAIL = "desk@ugent.be"


@pytest.fixture
def staff(demo: Register, client: TestClient) -> TestClient:
    demo.access.add_staff(EMAIL, provider="ugent", password=PASSWORD)
    token = csrf_of(client.get("/desk").text)
    signed_in = client.post("/desk/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    assert "Aangemeld als desk@ugent.be" in signed_in.text
    return client


def _copy(client: TestClient, demo: Register) -> TestClient:
    """A second browser holding a copy of the session cookie (a stolen or another tab's cookie)."""
    from microcred.asgi import create_app

    other = TestClient(create_app(demo))
    other.cookies.set(SESSION_COOKIE, client.cookies[SESSION_COOKIE])
    return other


def _desk_token(client: TestClient) -> str:
    created = client.post("/desk/tokens", data={"csrf_token": csrf_of(client.get("/desk").text), "label": "SIS",
                                                "scope": ["catalogue:write"]})  # fmt: skip
    shown = re.search(r'id="new-token">(mct_[^<]+)<', created.text)
    assert shown
    return shown.group(1)


def _signed_in(client: TestClient) -> bool:
    return "Aangemeld als" in client.get("/desk").text


def test_the_session_cookie_holds_no_email_address(staff: TestClient) -> None:
    payload = staff.cookies[SESSION_COOKIE].split(".")[0]
    data = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    assert EMAIL not in json.dumps(data)
    assert set(data["staff"]) == {"id", "epoch"}


def test_logout_ends_every_session_and_token_of_that_person(demo: Register, staff: TestClient) -> None:
    token = _desk_token(staff)
    copy = _copy(staff, demo)
    assert _signed_in(copy)
    staff.post("/desk/logout", data={"csrf_token": csrf_of(staff.get("/desk").text)})
    assert not _signed_in(copy)
    with pytest.raises(Unauthenticated):
        demo.access.authenticate_token(token)


def test_deactivation_ends_sessions_and_tokens_and_refuses_new_ones(demo: Register, staff: TestClient) -> None:
    token = _desk_token(staff)
    copy = _copy(staff, demo)
    demo.staff.deactivate_staff(EMAIL)
    assert not _signed_in(staff)
    assert not _signed_in(copy)
    with pytest.raises(Unauthenticated):
        demo.access.authenticate_token(token)
    with pytest.raises(Unauthenticated):
        demo.staff.sign_in_staff(EMAIL, PASSWORD)
    staff_id = _id_of(demo)
    with pytest.raises(Forbidden):
        demo.access.create_token(provider="ugent", scopes=["catalogue:write"], staff_id=staff_id)


def _id_of(demo: Register) -> int:
    with demo.uow() as work:
        account = work.staff.by_email(EMAIL)
    assert account is not None
    return account.id


def test_a_password_change_ends_every_session_and_token(demo: Register, staff: TestClient) -> None:
    token = _desk_token(staff)
    demo.staff.change_staff_password(EMAIL, "another long secret")
    assert not _signed_in(staff)
    with pytest.raises(Unauthenticated):
        demo.access.authenticate_token(token)
    assert demo.staff.sign_in_staff(EMAIL, "another long secret").epoch > 0


def _session_of(client: TestClient) -> dict[str, object]:
    payload = client.cookies[SESSION_COOKIE].split(".")[0]
    data: dict[str, object] = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    return data


def test_signing_in_starts_a_new_session_so_a_planted_one_gains_nothing(demo: Register, client: TestClient) -> None:
    """OWASP ASVS V3.2.1 (session fixation): the cookie a visitor had before signing in, with its CSRF token,
    is replaced by a new one; a copy of the old cookie stays signed out."""
    demo.access.add_staff(EMAIL, provider="ugent", password=PASSWORD)
    form = client.get("/desk").text
    before_cookie, before = client.cookies[SESSION_COOKIE], _session_of(client)
    assert "staff" not in before
    signed_in = client.post("/desk/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf_of(form)})
    assert "Aangemeld als desk@ugent.be" in signed_in.text
    after = _session_of(client)
    assert client.cookies[SESSION_COOKIE] != before_cookie
    assert after["csrf"] != before["csrf"]
    assert csrf_of(signed_in.text) == after["csrf"]
    from microcred.asgi import create_app

    with TestClient(create_app(demo)) as planted:
        planted.cookies.set(SESSION_COOKIE, before_cookie)
        assert not _signed_in(planted)
