"""Every web route × anonymous, staff of provider A, staff of provider B and the operator, from the app's own
route table (issue 15): a new page or form without a row in ``RULES`` fails the test.

The decisive rows: staff of B, naming A's records in the URL (an offering, an edition, a credential, an API
token, a job), get 404 and change nothing of A's; nobody but a signed-in staff member gets past a desk page,
nobody but a learner past a wallet page (an operator's API token opens nothing on the web); nothing is a 5xx.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount

from microcred.asgi import create_app
from microcred.bootstrap import Register
from microcred.services import wallet
from tests.web.conftest import csrf_of

# slow (seconds a test: credentials issued, a demo loaded, a report rendered or a process started):
# make test runs it, make test-fast leaves it out
pytestmark = pytest.mark.slow

A, B = "ugent", "vub"
PASSWORD = "correct horse battery"

# Who may use each web route: "public" (anyone), "staff" (a signed-in desk account) or "learner" (an open wallet).
RULES: dict[tuple[str, str], str] = {
    ("GET", "/"): "public",
    ("GET", "/offerings/{provider}/{code:path}"): "public",
    ("GET", "/providers"): "public",
    ("GET", "/providers/{slug}"): "public",
    ("GET", "/language/{lang}"): "public",
    ("GET", "/favicon.ico"): "public",
    ("GET", "/verify"): "public",
    ("POST", "/verify"): "public",
    ("POST", "/verify/wallet"): "public",
    ("GET", "/verify/wallet/{state}"): "public",
    ("GET", "/statistics"): "public",
    ("GET", "/statistics/report.{fmt}"): "public",
    ("GET", "/templates/{kind}.{fmt}"): "public",
    ("GET", "/desk"): "public",  # the sign-in form, or the desk for a signed-in member
    ("POST", "/desk/login"): "public",
    ("POST", "/desk/logout"): "public",
    ("GET", "/desk/offerings/new"): "staff",
    ("GET", "/desk/offerings/{code:path}/edit"): "staff",
    ("POST", "/desk/offerings/check"): "staff",
    ("POST", "/desk/offerings"): "staff",
    ("POST", "/desk/credentials/{uuid}/revoke"): "staff",
    ("POST", "/desk/stacked/{uuid}/review"): "staff",
    ("POST", "/desk/tokens"): "staff",
    ("POST", "/desk/tokens/{prefix}/revoke"): "staff",
    ("GET", "/desk/imports"): "staff",
    ("POST", "/desk/imports"): "staff",
    ("POST", "/desk/imports/confirm"): "staff",
    ("POST", "/desk/editions/{code:path}/issue"): "staff",
    ("POST", "/desk/editions/{code:path}/offers"): "staff",
    ("GET", "/desk/jobs/{job_id}"): "staff",
    ("GET", "/wallet"): "public",  # the link form, or the wallet for an opened link
    ("POST", "/wallet/link"): "public",
    ("GET", "/wallet/open"): "public",
    ("POST", "/wallet/open"): "public",
    ("POST", "/wallet/logout"): "public",
    ("POST", "/wallet/end-sessions"): "public",
    ("GET", "/wallet/credentials/{credential}.elm.json"): "learner",
    ("GET", "/wallet/credentials/{credential}.json"): "learner",
    ("GET", "/wallet/credentials/{credential}.pdf"): "learner",
    ("POST", "/wallet/credentials/{credential}/share"): "learner",
    ("POST", "/wallet/credentials/{credential}/wallet-app"): "learner",
    ("POST", "/wallet/share/{token}/revoke"): "learner",
    ("GET", "/oid4vci/authorize"): "learner",  # a wallet app's authorization request, approved by its learner
    ("POST", "/oid4vci/authorize"): "learner",
    ("GET", "/s/{token}"): "public",
}
SIGN_IN = {"staff": "/desk", "learner": "/wallet"}
ENDS_A_SESSION = ("/desk/logout", "/wallet/logout", "/wallet/end-sessions")  # run last for each caller


def web_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every route that is not the API's, with included routers flattened."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        path = getattr(route, "path", "")
        if isinstance(route, Mount) or path in ("/openapi.json", "/docs"):
            continue
        if type(route).__name__ == "ApiRoute" or not isinstance(route, APIRoute):
            continue
        found += [(method, path) for method in sorted(route.methods or ())]
    return found


@dataclass
class Records:
    """A's records that B's staff name in URLs, and their state to compare afterwards."""

    credential: str
    token_prefix: str
    job: str
    share: str
    title: str


def _signed_in(app: FastAPI, email: str) -> TestClient:
    browser = TestClient(app)
    form = browser.get("/desk").text
    answer = browser.post("/desk/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf_of(form)})
    assert "Aangemeld als" in answer.text
    return browser


@pytest.fixture
def app(demo: Register) -> FastAPI:
    return create_app(demo)


@pytest.fixture
def browsers(app: FastAPI, demo: Register) -> Iterator[dict[str, TestClient]]:
    demo.access.add_staff("desk@ugent.be", provider=A, password=PASSWORD)
    demo.access.add_staff("desk@vub.be", provider=B, password=PASSWORD)
    admin = demo.access.create_token(provider=None, scopes=[], admin=True).token
    found = {
        "anonymous": TestClient(app),
        "admin": TestClient(app, headers={"Authorization": f"Bearer {admin}"}),
        "staff_b": _signed_in(app, "desk@vub.be"),
        "staff_a": _signed_in(app, "desk@ugent.be"),
    }
    yield found
    for browser in found.values():
        browser.close()


def _records(demo: Register, staff_a: TestClient) -> Records:
    with demo.uow() as work:
        enrolment = work.enrolments.get(A, "MC-DISINFO-2024-E000")
    credential = demo.issuance.issue_for_enrolment(A, enrolment.reference)
    csrf = csrf_of(staff_a.get("/desk").text)
    made = staff_a.post("/desk/tokens", data={"csrf_token": csrf, "label": "SIS", "scope": ["catalogue:write"]})
    prefix = re.search(r'id="new-token">mct_([0-9a-f]+)_', made.text)
    assert prefix
    started = staff_a.post("/desk/editions/MC-DISINFO-2024/issue", data={"csrf_token": csrf})
    assert "/desk/jobs/" in started.url.path
    share = wallet.create_share_link(
        credential.uuid, [wallet.grant(credential.learner, A)], uow=demo.uow, clock=demo.clock,
        secret=demo.settings.session_secret.get_secret_value(),
    )  # fmt: skip
    title = demo.catalogue.get_offering(A, "MC-DISINFO").title.get("nl") or ""
    return Records(credential.uuid[9:], prefix.group(1), started.url.path.rsplit("/", 1)[1], share.token, title)


def _url(method: str, path: str, records: Records) -> str:
    values = {
        "provider": A, "slug": A, "lang": "en", "kind": "offerings", "uuid": records.credential,
        "prefix": records.token_prefix, "job_id": records.job, "credential": records.credential,
        "token": records.share,
        "code": "MC-DISINFO-2024" if path.startswith("/desk/editions/") else "MC-DISINFO",
        "fmt": "csv", "state": "made-up-request",
    }  # fmt: skip
    return re.sub(r"\{(\w+)(?::path)?\}", lambda match: values[match.group(1)], path)


def _state_of_a(demo: Register, records: Records) -> tuple[Any, ...]:
    with demo.uow() as work:
        credential = work.credentials.get(f"urn:uuid:{records.credential}")
        token = work.tokens.by_prefix(records.token_prefix)
        offering = work.offerings.get(A, "MC-DISINFO")
    assert token is not None
    return credential.state, token.revoked_at, offering


def _send(browser: TestClient, method: str, url: str) -> httpx.Response:
    if method == "GET":
        return browser.get(url, follow_redirects=False)
    csrf = csrf_of(browser.get("/wallet").text)  # every form carries the session's CSRF token
    return browser.post(url, data={"csrf_token": csrf, "reason": "taken over"}, follow_redirects=False)


def _check(role: str, method: str, path: str, response: httpx.Response, records: Records) -> str | None:
    rule = RULES[(method, path)]
    where = f"{method} {path} as {role}: {response.status_code}"
    location = response.headers.get("location", "")
    if response.status_code >= 500:
        return f"{where}, a server error"
    if rule in SIGN_IN and not (role.startswith("staff") and rule == "staff"):
        return None if response.status_code == 303 and location == SIGN_IN[rule] else f"{where}, not sent to sign in"
    sent_away = response.status_code == 303 and location in SIGN_IN.values() and rule != "public"
    if response.status_code == 403 or sent_away:
        return f"{where}, refused a caller the rule lets through"
    names_a = any(value in path for value in ("{uuid}", "{prefix}", "{job_id}", "{code:path}"))
    reached = response.status_code != 404 or records.title in response.text
    if role == "staff_b" and path.startswith("/desk/") and names_a and reached:
        return f"{where}, B's staff reached A's record"
    return None


def test_every_web_route_has_a_rule_and_holds_for_every_caller(
    app: FastAPI, demo: Register, browsers: dict[str, TestClient]
) -> None:
    routes = web_routes(app)
    assert len(routes) >= 30, f"the web route table looks incomplete: {len(routes)} routes"
    missing = sorted(set(routes) - set(RULES))
    assert not missing, f"web routes without a row in RULES (say who may use them): {missing}"
    assert not set(RULES) - set(routes), f"RULES names routes that no longer exist: {set(RULES) - set(routes)}"
    records = _records(demo, browsers["staff_a"])
    before = _state_of_a(demo, records)
    ordered = sorted(routes, key=lambda route: route[1] in ENDS_A_SESSION)
    failures: list[str] = []
    for role in ("anonymous", "admin", "staff_b", "staff_a"):
        if role == "staff_a":
            assert _state_of_a(demo, records) == before, "another caller changed A's records"
        for method, path in ordered:
            response = _send(browsers[role], method, _url(method, path, records))
            failure = _check(role, method, path, response, records)
            if failure:
                failures.append(failure)
    assert not failures, "\n".join(failures)
