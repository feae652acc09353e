"""The stacking and recognition routes: a rule, progress, the stacked credential, a review, a decision."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from microcred.asgi import create_app
from microcred.services import auth
from microcred.settings import Settings
from tests.api.conftest import ALL_SCOPES
from tests.services.stacking_setup import INSZ, SHARED, Stacked, enrol_under_register, rule, seed

# slow (seconds a test: credentials issued, a demo loaded, a report rendered or a process started):
# make test runs it, make test-fast leaves it out
pytestmark = pytest.mark.slow


@pytest.fixture
def stacked(settings: Settings) -> Stacked:
    return seed(settings)


@pytest.fixture
def client(stacked: Stacked) -> Iterator[TestClient]:
    with TestClient(create_app(stacked.register)) as test_client:
        yield test_client


def _token(stacked: Stacked, provider: str, scopes: list[str] = ALL_SCOPES) -> dict[str, str]:
    register = stacked.register
    made = auth.create_token(provider=provider, scopes=scopes, uow=register.uow, clock=register.clock)
    return {"Authorization": f"Bearer {made.token}"}


def _rule_body(**values: Any) -> dict[str, Any]:
    body = rule(**values)
    del body["code"]
    return body


def test_a_rule_is_put_read_and_earns_a_stacked_credential(stacked: Stacked, client: TestClient) -> None:
    hoge = _token(stacked, "hoge")
    put = client.put("/api/v1/providers/hoge/stack-rules/PG", json=_rule_body(ects=8), headers=hoge)
    assert put.status_code == 201, put.text
    assert put.json()["components"][1] == {"provider": "hoge", "offering_code": "B"}
    again = client.put("/api/v1/providers/hoge/stack-rules/PG", json=_rule_body(ects=8), headers=hoge)
    assert again.status_code == 200
    assert [r["code"] for r in client.get("/api/v1/providers/hoge/stack-rules", headers=hoge).json()] == ["PG"]
    progress = client.post("/api/v1/providers/hoge/stack-rules/PG/progress", json={"learner_id": INSZ}, headers=hoge)
    assert progress.json()["met"] is True
    assert INSZ not in progress.text
    issued = client.post("/api/v1/providers/hoge/stack-rules/PG/credentials", json={"learner_id": INSZ}, headers=hoge)
    assert issued.status_code == 201, issued.text
    body = issued.json()
    assert body["document"]["type"] == ["VerifiableCredential", "ClrCredential"]
    assert INSZ not in issued.text
    verified = client.post("/api/v1/verify", json=body["document"])
    assert verified.json()["verified"] is True, verified.text
    elm = client.get(f"/api/v1/providers/hoge/stacked-credentials/{body['id']}/elm", headers=hoge)
    assert len(elm.json()["credentialSubject"]["hasClaim"][0]["hasPart"]) == 2
    same = client.post("/api/v1/providers/hoge/stack-rules/PG/credentials", json={"learner_id": INSZ}, headers=hoge)
    assert same.json()["id"] == body["id"]


def test_an_invalid_rule_is_a_problem_naming_each_field(stacked: Stacked, client: TestClient) -> None:
    answer = client.put(
        "/api/v1/providers/hoge/stack-rules/PG",
        json=_rule_body(kind="n-of", required_count=5),
        headers=_token(stacked, "hoge"),
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert [(e["field"], e["code"]) for e in answer.json()["errors"]] == [("required_count", "stack-count-range")]


def test_another_provider_cannot_touch_the_rules(stacked: Stacked, client: TestClient) -> None:
    andere = _token(stacked, "andere")
    assert client.put("/api/v1/providers/hoge/stack-rules/PG", json=_rule_body(), headers=andere).status_code == 403
    assert client.get("/api/v1/providers/hoge/stack-rules", headers=andere).status_code == 403


def test_revoking_a_component_puts_the_stacked_credential_under_review(stacked: Stacked, client: TestClient) -> None:
    hoge = _token(stacked, "hoge")
    client.put("/api/v1/providers/hoge/stack-rules/PG", json=_rule_body(), headers=hoge)
    issued = client.post(
        "/api/v1/providers/hoge/stack-rules/PG/credentials", json={"learner_id": INSZ}, headers=hoge
    ).json()
    stacked.revoke("A")
    found = client.get(f"/api/v1/providers/hoge/stacked-credentials/{issued['id']}", headers=hoge).json()
    assert found["state"] == "review"
    assert client.post("/api/v1/verify", json=issued["document"]).json()["verified"] is False
    decided = client.post(
        f"/api/v1/providers/hoge/stacked-credentials/{issued['id']}/review",
        json={"keep": False, "reason": "component revoked"},
        headers=hoge,
    )
    assert decided.json()["state"] == "revoked"


def test_a_recognition_is_recorded_and_a_refusal_needs_a_reason(stacked: Stacked, client: TestClient) -> None:
    andere = _token(stacked, "andere")
    decision = {
        "learner_id": INSZ,
        "document": stacked.credentials["A"].document,
        "outcome": "recognised",
        "recognised_for": "Data science",
        "kind": "credit-transfer",
        "ects": 5,
        "basis": ["learning-outcomes", "workload"],
        "decided_on": "2025-07-01",
        "decided_by": "Examencommissie",
    }
    made = client.post("/api/v1/providers/andere/recognition-decisions", json=decision, headers=andere)
    assert made.status_code == 201, made.text
    assert made.json()["ects"] == 5
    assert made.json()["verified"] is True
    assert INSZ not in made.text
    again = client.post("/api/v1/providers/andere/recognition-decisions", json=decision, headers=andere)
    assert again.status_code == 200
    assert again.json()["id"] == made.json()["id"]
    refused = client.post(
        "/api/v1/providers/andere/recognition-decisions",
        json={**decision, "outcome": "refused", "recognised_for": "Statistics"},
        headers=andere,
    )
    assert refused.status_code == 422
    assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [("reason", "recognition-reason-required")]
    signed = client.get(
        f"/api/v1/providers/andere/recognition-decisions/{made.json()['id']}/credential?lang=en", headers=andere
    )
    assert signed.json()["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert client.post("/api/v1/verify", json=signed.json()).json()["checks"] is not None
    listed = client.get("/api/v1/providers/andere/recognition-decisions", headers=andere).json()
    assert [d["id"] for d in listed] == [made.json()["id"]]
    assert (
        client.get(
            f"/api/v1/providers/hoge/recognition-decisions/{made.json()['id']}", headers=_token(stacked, "hoge")
        ).status_code
        == 404
    )


def _job_run(client: TestClient, headers: dict[str, str], path: str) -> dict[str, Any]:
    """Rule PG put, then the job ``POST …/hoge/{path}`` starts (202) and is followed until it succeeded."""
    client.put("/api/v1/providers/hoge/stack-rules/PG", json=_rule_body(), headers=headers)
    started = client.post(f"/api/v1/providers/hoge/{path}", headers=headers)
    assert started.status_code == 202, started.text
    for _ in range(200):
        job: dict[str, Any] = client.get(started.headers["Location"], headers=headers).json()
        if job["state"] in ("succeeded", "failed"):
            break
        time.sleep(0.05)
    assert job["state"] == "succeeded", job
    return job


def test_bulk_issuing_runs_as_a_job(stacked: Stacked, client: TestClient) -> None:
    hoge = _token(stacked, "hoge")
    assert _job_run(client, hoge, "stack-rules/PG/credentials/bulk")["result"]["issued"] == 1
    missing = client.post("/api/v1/providers/hoge/stack-rules/NOPE/credentials/bulk", headers=hoge)
    assert missing.status_code == 404


def test_evaluating_every_rule_runs_as_a_job_that_counts(stacked: Stacked, client: TestClient) -> None:
    hoge = _token(stacked, "hoge")
    assert _job_run(client, hoge, "stack-rules/evaluation")["result"] == {
        "learners": 1,
        "rules": [{"rule": "hoge/PG", "started": 1, "met": 1, "to_issue": 1}],
    }
    other = client.post("/api/v1/providers/andere/stack-rules/evaluation", headers=hoge)
    assert other.status_code in (403, 404)


def test_a_learner_under_the_register_scheme_is_named_with_learner_scheme(stacked: Stacked, client: TestClient) -> None:
    """Progress, issuing and recognition take ``learner_scheme`` in the body (decision 0018)."""
    shared = enrol_under_register(stacked)
    hoge = _token(stacked, "hoge")
    assert client.put("/api/v1/providers/hoge/stack-rules/PG", json=_rule_body(), headers=hoge).status_code == 201
    url = "/api/v1/providers/hoge/stack-rules/PG"
    unknown = client.post(f"{url}/progress", json={"learner_id": SHARED}, headers=hoge)
    assert unknown.status_code == 404
    assert "never enrolled with hoge" in unknown.json()["detail"]
    body = {"learner_id": SHARED, "learner_scheme": "register"}
    assert client.post(f"{url}/progress", json=body, headers=hoge).json()["met"] is True
    issued = client.post(f"{url}/credentials", json=body, headers=hoge)
    assert issued.status_code == 201, issued.text
    assert SHARED not in issued.text
    decision = {
        **body,
        "document": shared["A"].document,
        "outcome": "recognised",
        "recognised_for": "Data science",
        "kind": "exemption",
        "ects": 4,
        "basis": ["learning-outcomes"],
        "decided_on": "2025-07-01",
        "decided_by": "Examencommissie",
    }
    made = client.post("/api/v1/providers/hoge/recognition-decisions", json=decision, headers=hoge)
    assert made.status_code == 201, made.text
    wrong = client.post(f"{url}/progress", json={**body, "learner_scheme": "passport"}, headers=hoge)
    assert wrong.status_code == 422
