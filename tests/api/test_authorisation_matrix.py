"""Every API route × every kind of caller, generated from the app's own route table.

A route without an access rule, or with a path parameter this test does not know, fails the test: a new
route is covered the moment it is added. The decisive rows: a token of another provider never gets past
the access check of the owner's routes (403), whatever the method.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount

from microcred.api.deps import Access
from microcred.api.routing import ApiRoute
from microcred.bootstrap import Register
from microcred.services.auth import Scope
from tests.api.conftest import ISSUED_ENROLMENT, OTHER, OWNER, Tokens, learner_link

# slow (seconds a test: credentials issued, a demo loaded, a report rendered or a process started):
# make test runs it, make test-fast leaves it out
pytestmark = pytest.mark.slow

# Every path parameter an API route may have, filled with a record of OWNER (the provider under attack).
PATH_VALUES = {
    "slug": OWNER,
    "provider": OWNER,
    "code": "MC-DSS",
    "edition": "MC-DSS-2023",
    "reference": ISSUED_ENROLMENT,
    "credential": "",  # the issued credential's id, filled in by the test
    "job": "0" * 32,
    "decision": "0" * 32,  # a recognition decision's id
    "kind": "offerings",
    "purpose": "revocation",
    "number": "1",  # a provider's status list number (decision 0021)
    "name": "microcred-v1.jsonld",  # a shipped JSON-LD context file
    "path": "v1",  # /ns/{path:path}: our own context https://microcred.eu/ns/v1
    "offer": "made-up-offer",  # /oid4vci/offers/{offer}: a wallet's credential offer by reference
}
ROLES = ("anonymous", "admin", "owner", "owner_readonly", "other", "expired", "revoked", "learner")


def _access_rules(dependant: Dependant) -> list[Access]:
    found = [dependant.call] if isinstance(dependant.call, Access) else []
    for child in dependant.dependencies:
        found += _access_rules(child)
    return found


def _api_routes(app: FastAPI) -> list[ApiRoute]:
    """Every route of ``app.routes``, with included routers flattened (FastAPI's public iterator)."""
    routes: list[ApiRoute] = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, ApiRoute):
            routes.append(route)
            continue
        path = getattr(route, "path", "")
        endpoint_module = getattr(getattr(route, "endpoint", None), "__module__", "")
        framework = path in ("/openapi.json", "/docs") or (isinstance(route, Mount) and path == "/api/static")
        web_page = endpoint_module.startswith("microcred.web") or (
            isinstance(route, Mount) and not path.startswith("/api")
        )
        assert framework or web_page, f"route {path} is neither an API route with an access rule nor a web page"
        assert not (isinstance(route, APIRoute) and path.startswith("/api/")), f"{path} must use ApiRoute"
    return routes


def _expected_allowed(rule: Access, role: str) -> bool:
    if rule.policy == "public":
        return True
    if rule.policy == "admin":
        return role == "admin"
    if rule.policy == "provider":
        return role == "owner" or (role == "owner_readonly" and rule.scope is None)
    if rule.policy == "scope":
        return role in ("owner", "other", "admin")
    if rule.policy == "learner":
        return role == "learner"
    if rule.policy == "wallet":
        return False  # only an OpenID4VCI access token opens it, and no role holds one
    raise AssertionError(f"unknown access policy {rule.policy!r}: teach this test what it means")


def _expected_status(rule: Access, role: str) -> set[int] | None:
    """The status the access check must give, or None when the request must get past it."""
    if role in ("expired", "revoked"):
        return {401}
    if _expected_allowed(rule, role):
        return None
    return {401} if role == "anonymous" or rule.policy == "wallet" else {403}


def _cases(app: FastAPI) -> list[tuple[ApiRoute, str, Access]]:
    cases = []
    for route in _api_routes(app):
        rules = _access_rules(route.dependant)
        assert len(rules) == 1, f"{route.path} must declare exactly one access rule, found {rules}"
        for method in sorted(route.methods or ()):
            cases.append((route, method, rules[0]))
    return sorted(cases, key=lambda case: case[2].policy == "learner")


def _url(route: ApiRoute, credential_id: str) -> str:
    names = list(route.param_convertors)
    unknown = [name for name in names if name not in PATH_VALUES]
    assert not unknown, f"{route.path}: add a value for path parameter(s) {unknown} to PATH_VALUES"
    # path_format drops convertors ({path:path} -> {path}), which str.format would read as a format spec
    return route.path_format.format(**{**PATH_VALUES, "credential": credential_id.removeprefix("urn:uuid:")})


def _send(client: TestClient, method: str, url: str, headers: dict[str, str]) -> Any:
    if method in ("POST", "PUT", "PATCH"):
        return client.request(method, url, headers=headers, json={})
    return client.request(method, url, headers=headers)


def _token(tokens: Tokens, role: str, rule: Access, register: Register) -> str:
    """The role's token; a learner route opens the learner's link, so each such call gets a new link (which
    ends the unopened one before it: ``_cases`` puts the learner routes last)."""
    if role == "learner" and rule.policy == "learner":
        return learner_link(register)
    token: str = getattr(tokens, role)
    return token


def test_every_route_is_classified_and_enforced_for_every_caller(
    client: TestClient, app: FastAPI, tokens: Tokens, credential_id: str, demo_register: Register
) -> None:
    cases = _cases(app)
    assert len(cases) >= 25, f"the route table looks incomplete: {len(cases)} routes"
    failures: list[str] = []
    for route, method, rule in cases:
        url = _url(route, credential_id)
        for role in ROLES:
            headers = {} if role == "anonymous" else Tokens.header(_token(tokens, role, rule, demo_register))
            response = _send(client, method, url, headers)
            expected = _expected_status(rule, role)
            if response.status_code >= 500:
                failures.append(f"{method} {url} as {role}: server error {response.status_code}")
            elif expected is None and response.status_code in (401, 403):
                failures.append(f"{method} {url} as {role}: refused ({response.status_code}) but should pass")
            elif expected is not None and response.status_code not in expected:
                failures.append(f"{method} {url} as {role}: got {response.status_code}, expected {expected}")
            if expected is not None and response.status_code in (401, 403) and rule.policy == "wallet":
                assert response.json()["error"] == "invalid_token"  # RFC 6750's answer, as OID4VCI §8.3.1 says
            elif expected is not None and response.status_code in (401, 403):
                assert response.headers["content-type"].startswith("application/problem+json")
    assert not failures, "\n".join(failures)


def test_other_providers_token_sees_none_of_the_owners_records(client: TestClient, tokens: Tokens) -> None:
    """Spot check with real payloads: reading and writing the owner's enrolments with another's token."""
    other = Tokens.header(tokens.other)
    enrolment = {
        "reference": "HIJACK-1",
        "edition_code": "MC-DSS-2023",
        "learner_id": "r0123456",
        "enrolment_date": "2023-09-20",
    }
    assert client.post(f"/api/v1/providers/{OWNER}/enrolments", headers=other, json=enrolment).status_code == 403
    listing = client.get(f"/api/v1/providers/{OWNER}/editions/MC-DSS-2023/enrolments", headers=other)
    assert listing.status_code == 403
    assert "learner" not in listing.text
    owner = Tokens.header(tokens.owner)
    assert client.get(f"/api/v1/providers/{OWNER}/enrolments/HIJACK-1", headers=owner).status_code == 404


@pytest.mark.parametrize("scope", list(Scope))
def test_scopes_are_the_documented_set(scope: Scope) -> None:
    assert scope.value in {
        "catalogue:write",
        "enrolments:write",
        "credentials:issue",
        "credentials:revoke",
        "reports:read",
    }


def _owner_records(client: TestClient, tokens: Tokens, credential_id: str) -> dict[str, Any]:
    """What OWNER holds, read with OWNER's token: the records the other provider must not reach."""
    owner = Tokens.header(tokens.owner)
    paths = [
        f"/api/v1/providers/{OWNER}/offerings/MC-DSS",
        f"/api/v1/providers/{OWNER}/editions/MC-DSS-2023",
        f"/api/v1/providers/{OWNER}/editions/MC-DSS-2023/enrolments",
        f"/api/v1/providers/{OWNER}/enrolments/{ISSUED_ENROLMENT}",
        f"/api/v1/providers/{OWNER}/credentials/{credential_id.removeprefix('urn:uuid:')}",
    ]
    return {path: client.get(path, headers=owner).json() for path in paths}


def _hijack_body(client: TestClient, tokens: Tokens, route: ApiRoute, method: str, url: str) -> dict[str, Any]:
    """The body another provider would send: the owner's own record for a PUT, a reason for a state change."""
    if method == "PUT":
        own: dict[str, Any] = client.get(url.replace(f"/providers/{OTHER}/", f"/providers/{OWNER}/"),
                                         headers=Tokens.header(tokens.owner)).json()  # fmt: skip
        return own
    if route.path.endswith(("/revoke", "/suspend", "/unsuspend")):
        return {"reason": "taken over by another provider"}
    return {}


def test_a_provider_naming_its_own_slug_with_another_providers_ids_reaches_nothing(
    client: TestClient, app: FastAPI, tokens: Tokens, credential_id: str, demo_register: Register
) -> None:
    """Every provider route with an id in its path, called by OTHER on its *own* slug with OWNER's ids (an
    edition, an enrolment, a credential, a job): nothing of OWNER's is shown or changed, and no 5xx."""
    owner = Tokens.header(tokens.owner)
    started = client.post(f"/api/v1/providers/{OWNER}/editions/MC-DSS-2023/credentials", headers=owner)
    assert started.status_code == 202
    owner_job = started.json()["id"]
    before = _owner_records(client, tokens, credential_id)
    pseudonym = before[f"/api/v1/providers/{OWNER}/enrolments/{ISSUED_ENROLMENT}"]["learner"]
    title = before[f"/api/v1/providers/{OWNER}/offerings/MC-DSS"]["title"]["nl"]
    secrets_of_owner = (pseudonym, title)  # the ids themselves are in the URL, and problems echo it
    values = {**PATH_VALUES, "slug": OTHER, "job": owner_job, "credential": credential_id.removeprefix("urn:uuid:")}
    failures: list[str] = []
    tried = 0
    for route, method, rule in _cases(app):
        ids = set(route.param_convertors) - {"slug", "provider", "kind", "purpose"}
        if rule.policy != "provider" or not ids:
            continue
        tried += 1
        url = route.path.format(**values)
        body = _hijack_body(client, tokens, route, method, url)
        response = client.request(method, url, headers=Tokens.header(tokens.other), json=body)
        leaked = [value for value in secrets_of_owner if value in response.text]
        if response.status_code >= 500 or leaked:
            failures.append(f"{method} {url}: {response.status_code}, shows {leaked}")
        elif method == "GET" and response.status_code != 404:
            failures.append(f"{method} {url}: {response.status_code}, expected 404 (not {OTHER}'s record)")
    assert tried >= 12, f"only {tried} routes with ids: the route table looks incomplete"
    assert not failures, "\n".join(failures)
    assert _owner_records(client, tokens, credential_id) == before
