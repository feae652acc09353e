"""Credentials, verification, public verifier documents, jobs (bulk issue, imports) and reports over HTTP."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from microcred.bootstrap import Register
from microcred.credentials.keys import resolve_did_key
from microcred.credentials.loader import context_source
from microcred.credentials.proofs import verify_proof
from microcred.services import imports
from tests.api.conftest import ISSUED_ENROLMENT, OWNER, Tokens, finished_job

# slow (seconds a test: credentials issued, a demo loaded, a report rendered or a process started):
# make test runs it, make test-fast leaves it out
pytestmark = pytest.mark.slow


def test_issue_fetch_verify_and_revoke_a_credential(client: TestClient, tokens: Tokens) -> None:
    owner = Tokens.header(tokens.owner)
    issued = client.post(f"/api/v1/providers/{OWNER}/enrolments/{ISSUED_ENROLMENT}/credential", headers=owner)
    assert issued.status_code == 201, issued.text
    credential = issued.json()
    uuid = credential["id"].removeprefix("urn:uuid:")
    again = client.post(f"/api/v1/providers/{OWNER}/enrolments/{ISSUED_ENROLMENT}/credential", headers=owner)
    assert again.json()["id"] == credential["id"]  # issuing is idempotent per enrolment

    public = client.get(f"/credentials/{uuid}")
    assert public.status_code == 200
    assert public.json() == credential["document"]
    verdict = client.post("/api/v1/verify", json=credential["document"]).json()
    assert verdict["verified"] is True, verdict
    assert {check["name"] for check in verdict["checks"]} >= {"issuer", "status"}

    base = f"/api/v1/providers/{OWNER}/credentials/{uuid}"
    assert client.get(f"{base}/pdf", headers=owner).content.startswith(b"%PDF")
    assert client.get(f"{base}/elm", headers=owner).status_code == 200
    assert client.get(f"/providers/{OWNER}/did.json").json()["id"].endswith(f":providers:{OWNER}")

    revoked = client.post(f"{base}/revoke", headers=owner, json={"reason": "issued by mistake"})
    assert revoked.status_code == 200
    assert revoked.json()["state"] == "revoked"
    status_list = client.get(f"/providers/{OWNER}/status/revocation")
    assert status_list.status_code == 200
    assert "BitstringStatusListCredential" in status_list.json()["type"]
    after = client.post("/api/v1/verify", json=credential["document"]).json()
    assert after["verified"] is False


def test_a_tampered_credential_does_not_verify(client: TestClient, tokens: Tokens, credential_id: str) -> None:
    uuid = credential_id.removeprefix("urn:uuid:")
    document = client.get(f"/credentials/{uuid}").json()
    document["validFrom"] = "1999-01-01T00:00:00Z"
    assert client.post("/api/v1/verify", json=document).json()["verified"] is False
    assert client.post("/api/v1/verify", json={"not": "a credential"}).json()["verified"] is False


def test_bulk_issue_for_an_edition_runs_as_a_job(client: TestClient, tokens: Tokens) -> None:
    owner = Tokens.header(tokens.owner)
    started = client.post(f"/api/v1/providers/{OWNER}/editions/MC-DSS-2024/credentials", headers=owner)
    assert started.status_code == 202, started.text
    job = finished_job(client, started.headers["location"], owner)
    assert job["state"] == "succeeded", job
    assert job["result"]["issued"] > 0
    listed = client.get(f"/api/v1/providers/{OWNER}/credentials", params={"edition": "MC-DSS-2024"}, headers=owner)
    assert len(listed.json()["items"]) == job["result"]["issued"]
    other = Tokens.header(tokens.other)
    assert client.get(started.headers["location"], headers=other).status_code == 403
    assert 'microcred_jobs{state="succeeded"} 1.0' in client.get("/metrics").text, "the queue's depth by state"


def test_import_job_reports_counts(client: TestClient, tokens: Tokens, demo_register: Register, tmp_path: Path) -> None:
    exported = tmp_path / "editions.csv"
    imports.export_records("editions", exported, demo_register.uow, fmt="csv", provider=OWNER)
    owner = Tokens.header(tokens.owner)
    started = client.post(
        f"/api/v1/providers/{OWNER}/imports/editions",
        params={"format": "csv"},
        headers={**owner, "Content-Type": "text/csv"},
        content=exported.read_bytes(),
    )
    assert started.status_code == 202, started.text
    job = finished_job(client, started.headers["location"], owner)
    assert job["state"] == "succeeded", job
    assert job["result"]["rows"] == 3
    assert job["result"]["unchanged"] == 3


def test_signed_trusted_list_verifies_offline(client: TestClient) -> None:
    first = client.get("/api/v1/trusted-providers/signed")
    document = first.json()
    assert OWNER in {provider["slug"] for provider in document["providers"]}
    check = verify_proof(document, resolve_key=resolve_did_key)
    assert check.verified, check.reason
    assert check.cryptosuite == "eddsa-jcs-2022"
    assert (
        client.get("/api/v1/trusted-providers/signed", headers={"If-None-Match": first.headers["etag"]}).status_code
        == 304
    )
    document["providers"] = document["providers"][1:]
    assert not verify_proof(document, resolve_key=resolve_did_key).verified


def test_parliament_report_needs_reports_read(client: TestClient, tokens: Tokens) -> None:
    url = "/api/v1/reports/parliament"
    params = {"from": "2022-23", "to": "2024-25"}
    assert client.get(url, params=params).status_code == 401
    assert client.get(url, params=params, headers=Tokens.header(tokens.owner_readonly)).status_code == 403
    report = client.get(url, params=params, headers=Tokens.header(tokens.owner))
    assert report.status_code == 200
    assert report.headers["content-type"] == "application/json"
    recognition = [table["name"] for table in report.json()["recognition"]]  # issue 19's section
    assert recognition[:2] == ["recognitions_by_provider", "recognised_ects_by_provider"]
    csv = client.get(url, params={**params, "format": "csv"}, headers=Tokens.header(tokens.admin))
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")


def test_a_learner_sees_only_their_own_credentials(client: TestClient, tokens: Tokens, credential_id: str) -> None:
    mine = client.get("/api/v1/learners/me/credentials", headers=Tokens.header(tokens.learner))
    assert mine.status_code == 200, mine.text
    assert [c["id"] for c in mine.json()] == [credential_id]
    assert client.get("/api/v1/learners/me/credentials", headers=Tokens.header(tokens.owner)).status_code == 403
    assert client.get("/api/v1/learners/me/credentials").status_code == 401
    forged = tokens.learner[:-4] + "AAAA"
    assert client.get("/api/v1/learners/me/credentials", headers=Tokens.header(forged)).status_code == 401


def test_a_replayed_job_request_answers_the_same_job_where_it_is_now(client: TestClient, tokens: Tokens) -> None:
    owner = Tokens.header(tokens.owner)
    url = f"/api/v1/providers/{OWNER}/editions/MC-DSS-2024/credentials"
    first = client.post(url, headers={**owner, "Idempotency-Key": "bulk-2024"})
    assert first.status_code == 202, first.text
    done = finished_job(client, first.headers["location"], owner)
    again = client.post(url, headers={**owner, "Idempotency-Key": "bulk-2024"})
    assert again.status_code == 202
    assert again.headers["idempotency-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["state"] == done["state"] == "succeeded", "the job's state now, not the stored 'queued'"


def test_every_context_an_issued_credential_or_elm_export_references_is_served_by_the_register(
    client: TestClient, tokens: Tokens, credential_id: str
) -> None:
    uuid = credential_id.removeprefix("urn:uuid:")
    document = client.get(f"/credentials/{uuid}").json()
    elm = client.get(f"/api/v1/providers/{OWNER}/credentials/{uuid}/elm", headers=Tokens.header(tokens.owner)).json()
    index = client.get("/contexts").json()
    for url in {*document["@context"], *elm["@context"]}:
        served = client.get(urlsplit(index[url]).path)
        assert served.status_code == 200, url
        assert served.headers["content-type"] == "application/ld+json"
        assert served.content == context_source(url)  # the copy the register signs against, byte for byte
    own = client.get("/ns/v1")
    assert own.content == context_source("https://microcred.eu/ns/v1")
    assert client.get("/ns/v1", headers={"If-None-Match": own.headers["etag"]}).status_code == 304
    assert client.get("/ns/elm/v1").json()["@context"]["issued"]["@id"].endswith("credentials#issued")
    assert client.get("/ns/v2").status_code == 404
    assert client.get("/contexts/../settings.py").status_code == 404
    status = client.get(urlsplit(document["credentialStatus"]["statusListCredential"]).path).json()
    assert status["credentialSubject"]["statusPurpose"] == "message"
