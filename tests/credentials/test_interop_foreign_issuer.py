"""Another issuer's credentials verify here: a did:web issuer on a loopback site, signing with Digital Bazaar.

The issuer is a real HTTP server started by the test, serving its DID document and a Bitstring Status List
in which index 7 is revoked; its credentials are signed by Digital Bazaar's ``vc.issue`` through Node
(``interop/issue-did-web.mjs``), which writes ``proof`` as one object. The register fetches both documents
over HTTP because the test setting ``verifier_allow_local_addresses`` allows loopback.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from microcred.asgi import create_app
from microcred.bootstrap import Register, build
from microcred.credentials.keys import SigningKey
from microcred.credentials.sample import sample_micro_credential
from microcred.credentials.status_list import StatusList, status_list_credential, status_list_entry
from microcred.settings import Settings
from tests.loopback import Reply, Site, serve
from tests.web.conftest import csrf_of

INTEROP = Path(__file__).resolve().parents[2] / "interop"
pytestmark = [
    pytest.mark.node,
    pytest.mark.skipif(
        not (INTEROP / "node_modules").is_dir() or shutil.which("node") is None,
        reason="interop/node_modules is absent: run `npm ci --prefix interop` (needs Node.js 20)",
    ),
]

REVOKED, VALID = 7, 8
KEY = SigningKey.from_seed(bytes(range(100, 132)))


def _did_document(did: str) -> dict[str, Any]:
    method = f"{did}#{KEY.public_key_multibase}"
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {"id": method, "type": "Multikey", "controller": did, "publicKeyMultibase": KEY.public_key_multibase}
        ],
        "assertionMethod": [method],
    }


def _issue_in_javascript(did: str, credentials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    request = {
        "did": did,
        "key": {"publicKeyMultibase": KEY.public_key_multibase, "secretKeyMultibase": KEY.secret_key_multibase},
        "created": "2025-02-01T09:00:00Z",
        "credentials": credentials,
    }
    completed = subprocess.run(
        ["node", str(INTEROP / "issue-did-web.mjs")],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    signed: list[dict[str, Any]] = json.loads(completed.stdout)
    return signed


class Issuer:
    """The foreign issuer's site and what it signed: credentials by status index, keyed by name."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.did = f"did:web:127.0.0.1%3A{site.port}:issuers:acme"
        self.list_url = f"{site.base_url}/issuers/acme/status/1"
        revoked = StatusList()
        revoked.set(REVOKED)
        unsigned_list = status_list_credential(
            url=self.list_url, issuer=self.did, status_list=revoked, valid_from="2025-01-01T00:00:00Z"
        )
        unsigned = []
        for index in (REVOKED, VALID):
            credential = sample_micro_credential(issuer_did=self.did, learner_number=index)
            credential["credentialStatus"] = status_list_entry(list_credential_url=self.list_url, index=index)
            unsigned.append(credential)
        missing = sample_micro_credential(issuer_did=self.did, learner_number=9)
        missing["credentialStatus"] = status_list_entry(list_credential_url=f"{site.base_url}/gone", index=9)
        signed_list, *signed = _issue_in_javascript(self.did, [unsigned_list, *unsigned, missing])
        self.credentials = dict(zip(("revoked", "valid", "missing-list"), signed, strict=True))
        site.replies["/issuers/acme/did.json"] = Reply.json(_did_document(self.did))
        site.replies["/issuers/acme/status/1"] = Reply.json(signed_list)

    def credential(self, name: str) -> dict[str, Any]:
        return copy.deepcopy(self.credentials[name])


@pytest.fixture(scope="module")
def issuer() -> Iterator[Issuer]:
    with serve() as site:
        yield Issuer(site)


def _register(tmp_path: Path, **settings: Any) -> Register:
    wired = build(Settings(database_url=f"sqlite:///{tmp_path / 'f.db'}", environment="test", **settings))
    wired.migrate()
    return wired


@pytest.fixture
def register(tmp_path: Path) -> Iterator[Register]:
    wired = _register(tmp_path, verifier_allow_local_addresses=True)
    yield wired
    wired.close()


def _outcomes(register: Register, document: Any, **options: Any) -> dict[str, str]:
    result = register.verification.verify_document(document, **options)
    return {check.name: check.outcome for check in result.checks}


@pytest.mark.parametrize("proof_form", ["object", "array"])
def test_a_did_web_issuers_credential_signed_by_digital_bazaar_verifies(
    issuer: Issuer, register: Register, proof_form: str
) -> None:
    credential = issuer.credential("valid")
    assert isinstance(credential["proof"], dict)  # as vc.issue writes it
    if proof_form == "array":
        credential["proof"] = [credential["proof"]]
    result = register.verification.verify_document(credential)
    assert result.verified, result.as_dict()
    assert _outcomes(register, credential) == {
        "well-formed": "pass",
        "signature": "pass",
        "issuer": "pass",
        "trusted-provider": "warn",  # authentic, but not a provider this register can vouch for
        "status": "pass",
        "validity-period": "pass",
    }


def test_index_7_of_the_foreign_status_list_is_reported_revoked(issuer: Issuer, register: Register) -> None:
    result = register.verification.verify_document(issuer.credential("revoked"))
    assert not result.verified
    assert result.check("status").outcome == "fail"
    assert "revoked" in result.check("status").reason("en")
    assert result.check("signature").outcome == "pass"


def test_a_tampered_foreign_credential_is_refused(issuer: Issuer, register: Register) -> None:
    credential = issuer.credential("valid")
    credential["credentialSubject"]["achievement"]["name"] += " (with honours)"
    outcomes = _outcomes(register, credential)
    assert outcomes["signature"] == "fail"
    assert outcomes["issuer"] == "pass"


def test_a_status_list_that_cannot_be_fetched_fails_the_credential(issuer: Issuer, register: Register) -> None:
    result = register.verification.verify_document(issuer.credential("missing-list"))
    assert result.check("status").outcome == "fail"
    assert "HTTP 404" in result.check("status").reason("en")
    assert not result.verified


def test_a_second_proof_of_an_unknown_type_is_refused(issuer: Issuer, register: Register) -> None:
    credential = issuer.credential("valid")
    credential["proof"] = [credential["proof"], {"type": "SomeProofType", "proofPurpose": "assertionMethod"}]
    check = register.verification.verify_document(credential).check("signature")
    assert check.outcome == "fail"
    assert "'SomeProofType' cannot be checked" in check.reason("en")


def test_offline_nothing_is_fetched_and_the_result_names_what_was_not_checked(
    issuer: Issuer, register: Register
) -> None:
    before = len(issuer.site.requests)
    result = register.verification.verify_document(issuer.credential("valid"), offline=True)
    assert len(issuer.site.requests) == before
    assert result.not_checked == ("signature", "issuer", "status")
    assert not result.verified
    assert not result.failed
    assert result.as_dict()["not_checked"] == ["signature", "issuer", "status"]


def test_without_status_checks_the_list_is_not_fetched(issuer: Issuer, tmp_path: Path) -> None:
    wired = _register(tmp_path, verifier_allow_local_addresses=True, verifier_cache_seconds=0)
    try:
        result = wired.verification.verify_document(issuer.credential("revoked"), check_status=False)
        fetched = [path for path, _ in issuer.site.requests[-3:]]
    finally:
        wired.close()
    assert result.not_checked == ("status",)
    assert "turned off" in result.check("status").reason("en")
    assert fetched[-1] == "/issuers/acme/did.json"


def test_without_the_test_setting_the_loopback_issuer_is_not_fetched(issuer: Issuer, tmp_path: Path) -> None:
    wired = _register(tmp_path)
    try:
        result = wired.verification.verify_document(issuer.credential("valid"))
    finally:
        wired.close()
    assert result.check("issuer").outcome == "fail"
    assert "private, loopback or reserved" in result.check("issuer").reason("en")


def test_a_did_document_for_another_did_is_refused(issuer: Issuer, register: Register) -> None:
    credential = issuer.credential("valid")
    other = issuer.did.replace(":acme", ":other")
    issuer.site.replies["/issuers/other/did.json"] = Reply.json(_did_document(issuer.did))
    credential["issuer"]["id"] = other
    check = register.verification.verify_document(credential).check("issuer")
    assert check.outcome == "fail"
    assert f"is for '{issuer.did}'" in check.reason("en")


def test_the_web_page_and_the_api_report_the_same_checks(issuer: Issuer, register: Register) -> None:
    expected = register.verification.verify_document(issuer.credential("revoked")).as_dict()
    with TestClient(create_app(register)) as client:
        answer = client.post("/api/v1/verify", json=issuer.credential("revoked"))
        assert answer.status_code == 200
        assert answer.json() == expected
        offline = client.post("/api/v1/verify?offline=true", json=issuer.credential("valid")).json()
        assert offline["not_checked"] == ["signature", "issuer", "status"]
        assert offline["verified"] is False
        pasted = json.dumps(issuer.credential("valid"))
        page = client.post("/verify", data={"csrf_token": csrf_of(client.get("/verify").text), "document": pasted})
    assert page.status_code == 200
    for check in register.verification.verify_document(issuer.credential("valid")).checks:
        assert f'data-check="{check.name}"' in page.text
    assert 'id="unknown-issuer"' in page.text
    assert issuer.did in page.text
