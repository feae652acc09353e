"""Issue 15, finding 6: the verifiers refuse hostile documents quickly, and anonymous callers are limited.

The audit's web verifier answered 500 (RecursionError) to a deeply nested paste, and one anonymous
``POST /api/v1/verify`` with one proof repeated 2,500 times cost 9 s of CPU.
"""

from __future__ import annotations

import copy
import json

import pytest
from fastapi.testclient import TestClient

from microcred.asgi import create_app
from microcred.bootstrap import Register, build
from microcred.errors import Invalid
from microcred.services import verification
from microcred.services.limits import RateLimit
from tests.web.conftest import csrf_of


def _nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def _credential(demo: Register) -> dict[str, object]:
    from tests.credentials.register_setup import seed

    return dict(seed(demo).issue("P-1").document)


def test_the_web_verifier_refuses_a_deeply_nested_paste_without_a_500(client: TestClient) -> None:
    csrf = csrf_of(client.get("/verify").text)
    for document in (_nested(50_000), "[" * 250_000):  # 250-300 KB, as in the audit
        answer = client.post("/verify", data={"csrf_token": csrf, "document": document})
        assert answer.status_code == 400
        assert "dieper genest" in answer.text


def test_the_api_refuses_a_credential_with_thousands_of_proofs_before_checking_one(
    client: TestClient, demo: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cost is bounded by refusing before any proof is canonicalised and checked (9 s of CPU in the
    audit). A wall-clock bound here timed the machine, not the code; what the test pins is that no proof
    of the 2,500 reaches the proof check."""
    from microcred.credentials import verify

    checked: list[object] = []
    real_check = verify.verify_proof

    def counting_check(*args: object, **kwargs: object) -> object:
        checked.append(args)
        return real_check(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(verify, "verify_proof", counting_check)
    credential = _credential(demo)
    credential["proof"] = [copy.deepcopy(credential["proof"])] * 2_500
    answer = client.post("/api/v1/verify", json=credential)
    assert answer.status_code == 422
    assert "at most 4 proofs" in answer.text
    assert checked == []
    assert client.post("/api/v1/verify", json=_credential(demo)).status_code == 200
    assert checked, "the counting wrapper never ran, so it proves nothing about the refusal"


def test_the_api_refuses_a_nested_document_that_would_overflow_the_checks(client: TestClient) -> None:
    answer = client.post("/api/v1/verify", content=_nested(900), headers={"Content-Type": "application/json"})
    assert answer.status_code in (400, 422)


def test_a_real_credential_still_verifies(client: TestClient, demo: Register) -> None:
    answer = client.post("/api/v1/verify", json=_credential(demo))
    assert answer.status_code == 200
    assert answer.json()["verified"] is True


def test_anonymous_verification_is_rate_limited_per_client(client: TestClient) -> None:
    answers = [client.post("/api/v1/verify", json={"a": 1}).status_code for _ in range(35)]
    assert 429 in answers
    assert answers[:30] == [200] * 30


def test_read_document_bounds_size_depth_and_syntax() -> None:
    assert verification.read_document(json.dumps({"a": [1, {"b": 2}]})) == {"a": [1, {"b": 2}]}
    for text in (_nested(verification.MAX_DEPTH + 1), "x" * (verification.MAX_DOCUMENT_BYTES + 1), "{not json"):
        try:
            verification.read_document(text)
        except Invalid:
            continue
        raise AssertionError(text[:40])
    assert verification.read_document('{"s": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}')["s"].startswith("[")


def test_the_web_verifier_is_rate_limited_per_client_with_the_api_s_budget(client: TestClient, demo: Register) -> None:
    """The API limited anonymous verification per client; the web form did not (issue 15, finding 6)."""
    demo.limits.verification_client = RateLimit("verify", rate=0.001, burst=3)
    csrf = csrf_of(client.get("/verify").text)
    answers = [client.post("/verify", data={"csrf_token": csrf, "document": '{"a": 1}'}) for _ in range(4)]
    assert [answer.status_code for answer in answers[:3]] != [429] * 3
    refused = answers[3]
    assert refused.status_code == 429
    assert "Te veel verificaties vanaf deze verbinding" in refused.text
    assert int(refused.headers["retry-after"]) > 0
    assert client.post("/api/v1/verify", json={"a": 1}).status_code == 429  # one budget for both doors


def test_the_verification_budget_comes_from_the_settings(demo: Register) -> None:
    """An installation sets the anonymous verification budget (a load test from one address lifts it)."""
    settings = demo.settings.model_copy(update={"verification_rate": 0.001, "verification_burst": 2})
    register = build(settings)
    try:
        with TestClient(create_app(register)) as client:
            answers = [client.post("/api/v1/verify", json={"a": 1}).status_code for _ in range(3)]
    finally:
        register.close()
    assert 429 not in answers[:2]
    assert answers[2] == 429
