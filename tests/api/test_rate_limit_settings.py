"""Every per-client budget comes from its two settings, ``MICROCRED_<LIMIT>_RATE`` and ``_BURST``: a burst
of 2 lets two calls through and answers the third with 429, on the routes that spend that budget. A value
that is not more than 0 stops the register at start-up, naming the variable."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from microcred.asgi import create_app
from microcred.bootstrap import Register, build
from microcred.settings import RATE_LIMITS_SETTINGS
from tests.api.conftest import Tokens

Call = Callable[[TestClient, int], int]  # one request (the n-th); its status code


def _token(tokens: Tokens) -> Call:
    return lambda client, _: client.get("/api/v1/me", headers=Tokens.header(tokens.owner)).status_code


def _access_link(same_address: bool) -> Call:
    def ask(client: TestClient, number: int) -> int:
        email = "someone@example.org" if same_address else f"someone.{number}@example.org"
        return client.post("/api/v1/learners/access-link", json={"email": email}).status_code

    return ask


def _verification(client: TestClient, _: int) -> int:
    return client.post(
        "/api/v1/verify", params={"offline": "true"}, json={"type": ["VerifiableCredential"]}
    ).status_code


def _wallet(client: TestClient, _: int) -> int:
    return client.post("/oid4vci/nonce").status_code


@pytest.fixture
def limited(demo_register: Register, request: pytest.FixtureRequest) -> Iterator[TestClient]:
    """The demo register's app, served by a register whose settings give budget ``request.param`` a burst of 2
    and a rate too low to refill during the test."""
    update = {f"{request.param}_burst": 2, f"{request.param}_rate": 0.0001}
    wired = build(demo_register.settings.model_copy(update=update))
    try:
        with TestClient(create_app(wired)) as client:
            yield client
    finally:
        wired.close()


@pytest.mark.parametrize(
    ("limited", "call", "granted"),
    [
        ("token", "token", 200),
        ("access_link", "same address", 202),
        ("access_link_client", "many addresses", 202),
        ("verification", "verification", 200),
        ("wallet", "wallet", 200),
    ],
    indirect=["limited"],
)
def test_a_burst_of_two_from_the_settings_refuses_the_third_call(
    limited: TestClient, call: str, granted: int, tokens: Tokens
) -> None:
    calls: dict[str, Call] = {
        "token": _token(tokens),
        "same address": _access_link(same_address=True),
        "many addresses": _access_link(same_address=False),
        "verification": _verification,
        "wallet": _wallet,
    }
    statuses = [calls[call](limited, number) for number in range(3)]
    assert statuses == [granted, granted, 429]


@pytest.mark.parametrize("name", RATE_LIMITS_SETTINGS)
@pytest.mark.parametrize("value", ["0", "-1"])
def test_a_budget_that_is_not_positive_stops_the_start_naming_its_variable(
    name: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    variable = f"MICROCRED_{name.upper()}"
    monkeypatch.setenv(variable, value)
    monkeypatch.setenv("MICROCRED_DATABASE_URL", "sqlite://")
    with pytest.raises(ValidationError, match=f"{variable} must be more than 0"):
        create_app()
