"""Problem details, idempotency, rate and size limits, token life cycle, access links, health and metrics."""

from __future__ import annotations

import email
import json
import logging
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from microcred.bootstrap import Register
from microcred.domain import Learner, pseudonymise
from microcred.services import auth, wallet
from microcred.services.limits import RateLimit
from microcred.testing import mail_text
from tests.api.conftest import OWNER, Tokens

PROBLEM_KEYS = {"type", "title", "status", "detail", "code", "errors"}
NEW_EDITION = {"code": "IDEM-1", "start_date": "2025-09-22", "end_date": "2026-01-30"}


def _is_problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body.keys() >= PROBLEM_KEYS
    assert body["status"] == status
    return body


def test_unknown_route_wrong_method_and_bad_input_are_problems(client: TestClient, tokens: Tokens) -> None:
    assert _is_problem(client.get("/api/v1/no-such-thing"), 404)["code"] == "not-found"
    assert _is_problem(client.delete("/api/v1/catalogue"), 405)["code"] == "method-not-allowed"
    invalid = _is_problem(client.get("/api/v1/catalogue", params={"eqf_level": 12}), 422)
    assert invalid["errors"][0]["field"] == "query.eqf_level"
    body = _is_problem(
        client.post(
            f"/api/v1/providers/{OWNER}/offerings",
            headers=Tokens.header(tokens.owner),
            json={"code": "", "title": {"nl": "x"}, "surprise": 1},
        ),
        422,
    )
    assert {"code", "surprise"} <= {error["field"] for error in body["errors"]}
    assert _is_problem(client.get("/api/v1/providers/nobody"), 404)["detail"] == "no provider with slug 'nobody'"


def test_a_query_parameter_the_route_does_not_declare_is_refused(client: TestClient, tokens: Tokens) -> None:
    """A misspelt ``?limt=`` silently ignored would answer another question than the one asked."""
    body = _is_problem(client.get("/api/v1/catalogue", params={"limt": 5}), 422)
    assert body["errors"][0]["field"] == "query.limt"
    assert "limit" in body["errors"][0]["reason"], body
    upload = client.post(
        "/api/v1/imports/providers",
        params={"format": "csv", "surprise": "1"},
        headers={**Tokens.header(tokens.admin), "content-type": "text/csv"},
        content=b"slug\n",
    )
    assert _is_problem(upload, 422)["errors"][0]["field"] == "query.surprise"  # refused before any job is queued
    assert client.get("/api/v1/catalogue", params={"limit": 5}).status_code == 200
    # OAuth endpoints ignore unknown parameters, as RFC 6749 §3.1 requires
    assert client.get("/.well-known/openid-credential-issuer", params={"surprise": "1"}).status_code == 200


def test_a_search_with_a_control_character_is_refused_not_a_server_error(client: TestClient) -> None:
    """Found by the schemathesis run on PostgreSQL: ``q=0\x00`` reached the database, which refuses NUL (500)."""
    for text in ("0\x00", "data\x1b"):
        body = _is_problem(client.get("/api/v1/catalogue", params={"q": text}), 422)
        assert [(e["field"], e["code"]) for e in body["errors"]] == [("q", "control-characters")]
        assert client.get("/", params={"q": text}).status_code == 400  # the page says so too


def test_a_repeated_creating_post_is_answered_from_the_first_response(client: TestClient, tokens: Tokens) -> None:
    url = f"/api/v1/providers/{OWNER}/offerings/MC-DSS/editions"
    headers = {**Tokens.header(tokens.owner), "Idempotency-Key": "9a3c-first"}
    first = client.post(url, headers=headers, json=NEW_EDITION)
    second = client.post(url, headers=headers, json=NEW_EDITION)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotency-replayed"] == "true"
    without_key = client.post(url, headers=Tokens.header(tokens.owner), json=NEW_EDITION)
    assert _is_problem(without_key, 409)["code"] == "conflict"  # the first really created it, once
    changed = client.post(url, headers=headers, json={**NEW_EDITION, "capacity": 3})
    assert _is_problem(changed, 422)["errors"][0]["field"] == "Idempotency-Key"


def test_idempotency_keys_belong_to_one_token(client: TestClient, demo_register: Register, tokens: Tokens) -> None:
    other_owner_token = auth.create_token(
        provider=OWNER, scopes=["catalogue:write"], uow=demo_register.uow, clock=demo_register.clock
    ).token
    url = f"/api/v1/providers/{OWNER}/offerings/MC-DSS/editions"
    first = client.post(url, headers={**Tokens.header(tokens.owner), "Idempotency-Key": "k1"}, json=NEW_EDITION)
    assert first.status_code == 201
    again = client.post(url, headers={**Tokens.header(other_owner_token), "Idempotency-Key": "k1"}, json=NEW_EDITION)
    assert again.status_code == 409
    assert "idempotency-replayed" not in again.headers


def test_a_failed_request_releases_its_idempotency_key(client: TestClient, tokens: Tokens) -> None:
    url = f"/api/v1/providers/{OWNER}/offerings/MC-DSS/editions"
    headers = {**Tokens.header(tokens.owner), "Idempotency-Key": "retry-me"}
    backwards = {**NEW_EDITION, "end_date": "2025-01-01"}  # ends before it starts
    assert client.post(url, headers=headers, json=backwards).status_code == 422
    assert client.post(url, headers=headers, json=backwards).status_code == 422  # not "in progress"
    fixed = client.post(url, headers=headers, json=NEW_EDITION)
    assert fixed.status_code == 201
    assert "idempotency-replayed" not in fixed.headers


def test_a_failed_request_changes_nothing(client: TestClient, tokens: Tokens) -> None:
    owner = Tokens.header(tokens.owner)
    bad = {"code": "HALF", "title": {"nl": "x"}, "status": "published"}  # published without the EU elements
    assert client.post(f"/api/v1/providers/{OWNER}/offerings", headers=owner, json=bad).status_code == 422
    assert client.get(f"/api/v1/providers/{OWNER}/offerings/HALF", headers=owner).status_code == 404


def test_rate_limit_answers_429_with_retry_after(app: FastAPI, client: TestClient, tokens: Tokens) -> None:
    app.state.register.limits.api_token = RateLimit("token", rate=0.5, burst=3)
    headers = Tokens.header(tokens.owner)
    statuses = [client.get("/api/v1/me", headers=headers).status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]
    limited = client.get("/api/v1/me", headers=headers)
    assert _is_problem(limited, 429)["code"] == "rate-limited"
    assert int(limited.headers["retry-after"]) >= 1
    assert client.get("/api/v1/me", headers=Tokens.header(tokens.other)).status_code == 200  # per token
    assert client.get("/api/v1/catalogue").status_code == 200  # public reads are not limited per token


def test_oversized_bodies_are_refused_with_413(client: TestClient, tokens: Tokens) -> None:
    huge = {"code": "BIG", "title": {"nl": "x" * (2 * 1024 * 1024)}}
    response = client.post(f"/api/v1/providers/{OWNER}/offerings", headers=Tokens.header(tokens.owner), json=huge)
    assert _is_problem(response, 413)["code"] == "payload-too-large"


def test_expired_revoked_and_forged_tokens_are_refused(client: TestClient, tokens: Tokens) -> None:
    for token in (tokens.expired, tokens.revoked, tokens.owner[:-2] + "xx", "mct_nope_nope", "not-a-token"):
        response = client.get("/api/v1/me", headers=Tokens.header(token))
        assert _is_problem(response, 401)["code"] == "unauthenticated"
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401
    assert client.get("/api/v1/me", headers=Tokens.header(tokens.owner)).json() == {
        "kind": "provider",
        "provider": OWNER,
        "scopes": sorted(auth.Scope),
    }


def test_a_scope_is_needed_to_write(client: TestClient, tokens: Tokens) -> None:
    readonly = Tokens.header(tokens.owner_readonly)
    assert client.get(f"/api/v1/providers/{OWNER}/offerings", headers=readonly).status_code == 200
    refused = client.post(f"/api/v1/providers/{OWNER}/offerings", headers=readonly, json={"code": "A", "title": {}})
    assert "catalogue:write" in _is_problem(refused, 403)["detail"]


def test_access_link_goes_to_the_outbox_and_never_tells_who_exists(client: TestClient, demo_register: Register) -> None:
    pepper = demo_register.settings.pseudonym_pepper.get_secret_value()
    pseudonym = pseudonymise("r0123", provider=OWNER, pepper=pepper)
    with demo_register.uow() as work:
        work.learners.save(Learner(pseudonym, "an.learner@example.org"), provider=OWNER)
        work.commit()
    outbox = Path(demo_register.settings.outbox_dir)
    english = {"Accept-Language": "en-GB,en;q=0.9,nl;q=0.5"}
    known = client.post("/api/v1/learners/access-link", json={"email": "An.Learner@example.org"}, headers=english)
    unknown = client.post("/api/v1/learners/access-link", json={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    messages = sorted(outbox.glob("*.eml"))
    assert len(messages) == 1
    message = email.message_from_bytes(messages[0].read_bytes())
    assert message["To"] == "an.learner@example.org"
    text = mail_text(messages[0].read_bytes())
    assert text.startswith("Open this link")  # in the language the request asked for
    assert f"{demo_register.settings.public_base_url}/wallet/open?access=" in text  # the page that opens the wallet
    access = text.split("access=")[1].split()[0]
    principal = demo_register.learner_access.check_access_link(access)
    assert principal.kind == "learner"
    assert principal.learners == (wallet.grant(pseudonym, OWNER),)  # only what this provider recorded
    landing = client.get(f"/wallet/open?access={access}", follow_redirects=False)
    assert landing.status_code == 200  # the web app's page that opens the wallet (it was a 404 at /learner)
    assert 'action="/wallet/open"' in landing.text
    with pytest.raises(auth.Unauthenticated):
        demo_register.learner_access.check_access_link(access[:-3] + "abc")


def test_health_readiness_and_metrics(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
    client.get("/api/v1/catalogue")
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    assert 'microcred_http_requests_total{method="GET",route="/api/v1/catalogue",status="200"}' in metrics.text


def test_readyz_fails_on_an_unmigrated_database(tmp_path: Path) -> None:
    from microcred.asgi import create_app
    from microcred.bootstrap import build
    from microcred.settings import Settings

    empty = build(Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}", environment="test"))
    with TestClient(create_app(empty)) as fresh:
        assert fresh.get("/readyz").status_code == 503
    empty.close()


def test_logs_carry_no_personal_data(client: TestClient, tokens: Tokens, caplog: pytest.LogCaptureFixture) -> None:
    enrolment = {
        "reference": "LOG-1",
        "edition_code": "MC-DSS-2023",
        "learner_id": "85073003328",
        "learner_email": "private.person@example.org",
        "enrolment_date": "2023-09-20",
    }
    with caplog.at_level(logging.INFO, logger="microcred"):
        client.post(f"/api/v1/providers/{OWNER}/enrolments", headers=Tokens.header(tokens.owner), json=enrolment)
        client.post("/api/v1/learners/access-link", json={"email": "private.person@example.org"})
    from microcred.api.observability import JsonFormatter

    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert any(json.loads(line)["route"] == "/api/v1/providers/{slug}/enrolments" for line in lines)
    joined = "\n".join(lines)
    for secret in ("85073003328", "private.person", tokens.owner, tokens.owner.split("_")[1]):
        assert secret not in joined


def test_openapi_and_docs_are_served_locally(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    operation_ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"search_catalogue", "create_enrolment", "list_trusted_providers"} <= operation_ids
    page = client.get("/docs").text
    assert "/api/static/swagger/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert client.get("/api/static/swagger/swagger-ui-bundle.js").status_code == 200


def test_control_characters_in_a_body_are_refused_with_the_field(client: TestClient) -> None:
    response = client.post("/api/v1/learners/access-link", json={"email": "\x00@0"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "control character" in response.text


def test_access_links_are_limited_per_address_not_per_client(client: TestClient) -> None:
    asked = [
        client.post("/api/v1/learners/access-link", json={"email": "Same.Person@example.org"}).status_code
        for _ in range(6)
    ]
    assert asked == [202] * 5 + [429]
    assert client.post("/api/v1/learners/access-link", json={"email": "other@example.org"}).status_code == 202
