"""An independent wallet against the register's OpenID4VCI issuer and OpenID4VP verifier, over loopback HTTP.

The OpenWallet Foundation's TypeScript libraries (``@openid4vc/openid4vci``, ``@sd-jwt/sd-jwt-vc``, pinned in
interop/package-lock.json) run under Node as the wallet (``interop/oid4vci-wallet.mjs``): resolve the offer,
get a token with the PIN, prove possession of a key, receive both formats, verify the SD-JWT VC (with the
Token Status List fetched from the register) and present it with a selective disclosure; Digital Bazaar's
verifier checks the ``ldp_vc``. The refusals come back in the spec's error codes. Then ``@openid4vc/openid4vp``
answers the verify page's DCQL request with the achievement and the ECTS, and the register verifies it.
The same client runs the authorization code flow with PKCE from the offer's ``issuer_state``, the learner's
browser (a session opened by the e-mailed link) approving on the register's page, and receives both formats.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest

from microcred.asgi import create_app
from microcred.bootstrap import Register, build
from microcred.credentials.jose import b64url
from microcred.credentials.keys import decode_public_key_multibase
from microcred.domain import Credential, Learner
from microcred.services import auth, verification, wallet
from microcred.services.offer_mailing import MAILED_OFFER_LIFETIME
from microcred.services.oid4vci import DEFERRED_INTERVAL, Oid4vci, pre_authorized_code
from microcred.services.oid4vci_metadata import CONFIGURATIONS, PRE_AUTHORIZED_GRANT
from microcred.settings import Settings
from microcred.testing import free_port, mail_text, served_in_thread
from tests.api.conftest import ALL_SCOPES
from tests.credentials.register_setup import seed
from tests.databases import TEST_PEPPER

INTEROP = Path(__file__).resolve().parents[2] / "interop"

pytestmark = [
    pytest.mark.node,
    pytest.mark.slow,
    pytest.mark.skipif(
        not (INTEROP / "node_modules" / "@openid4vc").is_dir() or shutil.which("node") is None,
        reason="interop/node_modules is absent: run `npm ci --prefix interop` (needs Node.js 20)",
    ),
]


@pytest.fixture
def served(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Register, str]]:
    """A register (SQLite, then PostgreSQL) served on a loopback port that is also its public base URL (the
    credential issuer identifier)."""
    port = free_port()
    settings = Settings(
        database_url=database_url,
        environment="test",
        pseudonym_pepper=TEST_PEPPER,
        outbox_dir=tmp_path_factory.mktemp("outbox"),
        public_base_url=f"http://127.0.0.1:{port}",
    )
    register = build(settings)
    with served_in_thread(create_app(register), port=port) as base_url:
        yield register, base_url
    register.close()


def _wallet(script: str, given: dict[str, Any]) -> dict[str, Any]:
    """Run one of interop/'s wallet scripts with ``given`` on stdin; its JSON results."""
    completed = subprocess.run(
        ["node", script], cwd=INTEROP, input=json.dumps(given), capture_output=True, text=True, timeout=180, check=False
    )
    assert completed.returncode == 0, completed.stderr
    results: dict[str, Any] = json.loads(completed.stdout)
    return results


def _expired_offer_uri(register: Register, credential_id: str, grants: list[str]) -> tuple[str, str]:
    """An offer made eleven minutes ago (they live ten), handed to the wallet by value."""
    earlier = register.clock() - timedelta(minutes=11)
    made = Oid4vci(dataclasses.replace(register.dependencies, clock=lambda: earlier)).create_offer(
        credential_id, grants
    )
    code = pre_authorized_code(register.settings.session_secret.get_secret_value(), made.public_id)
    offer = {
        "credential_issuer": register.oid4vci.issuer,
        "credential_configuration_ids": list(CONFIGURATIONS),
        "grants": {PRE_AUTHORIZED_GRANT: {"pre-authorized_code": code, "tx_code": {"length": 6}}},
    }
    return "openid-credential-offer://?credential_offer=" + quote(json.dumps(offer), safe=""), made.tx_code


def _browser_cookie(register: Register, base_url: str, credential: Credential) -> str:
    """The ``Cookie`` header of a browser whose learner opened their e-mailed link: a wallet session."""
    return _learner_cookie(register, base_url, credential.learner, credential.provider)


def _learner_cookie(register: Register, base_url: str, learner: str, provider: str) -> str:
    """The same for a learner known by pseudonym and provider (one who may hold no credential yet)."""
    with register.uow() as work:
        work.learners.save(Learner(learner, "interop.learner@example.org"), provider=provider)
        work.commit()
    register.learner_access.request_access_link("interop.learner@example.org")
    newest = sorted(Path(register.settings.outbox_dir).glob("*.eml"))[-1]
    access = mail_text(newest.read_bytes()).split("access=")[1].split()[0]
    with httpx.Client(base_url=base_url) as browser:
        landing = browser.get(f"/wallet/open?access={access}").text
        csrf = landing.split('name="csrf_token" value="')[1].split('"')[0]
        opened = browser.post("/wallet/open", data={"csrf_token": csrf, "access": access})
        assert opened.status_code == 303, opened.text
        return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


def test_the_openwallet_libraries_take_both_formats_from_the_register(served: tuple[Register, str]) -> None:
    register, base_url = served
    credential = seed(register).issue("P-1")
    grants = [wallet.grant(credential.learner, credential.provider)]
    offer = register.oid4vci.create_offer(credential.uuid, grants)
    expired_uri, expired_pin = _expired_offer_uri(register, credential.uuid, grants)
    did_document = verification.did_document("hoge", uow=register.uow, keys=register.key_store)
    public = decode_public_key_multibase(did_document["verificationMethod"][-1]["publicKeyMultibase"])
    given = {
        "offerUri": offer.uri,
        "txCode": offer.tx_code,
        "expiredOfferUri": expired_uri,
        "expiredTxCode": expired_pin,
        "issuerJwk": {"kty": "OKP", "crv": "Ed25519", "x": b64url(public.public_bytes_raw())},
        "didDocument": did_document,
        "presentationRequestUri": register.oid4vp.create_request().uri,
        "browserCookie": _browser_cookie(register, base_url, credential),
    }
    results = _wallet("oid4vci-wallet.mjs", given)
    assert results["configurations"] == list(CONFIGURATIONS)
    assert results["ldpVc"]["verified"] is True, results["ldpVc"]["error"]
    assert results["ldpVc"]["subject"].startswith("did:jwk:")
    sd_jwt = results["sdJwtVc"]
    assert sd_jwt["holderKeyIsOurs"] is True
    assert sd_jwt["keyBound"] is True
    assert {"achievement", "ects", "grade"} <= set(sd_jwt["allClaims"])
    assert "ects" in sd_jwt["presentedClaims"]
    assert "grade" not in sd_jwt["presentedClaims"]  # the learner kept the grade back
    assert results["wrongPin"] == "invalid_grant"
    assert results["reusedCode"] == "invalid_grant"
    assert results["replayedNonce"] == "invalid_nonce"
    assert results["otherKey"] == "invalid_proof"
    assert results["expiredOffer"] == "invalid_grant"
    assert results["authorizationCode"] == {
        "codeChallengeMethod": "S256",
        "issuerState": offer.public_id,
        "iss": register.oid4vci.issuer,
        "ldpVcSubject": results["ldpVc"]["subject"],  # the same wallet key, by the other flow
        "sdJwtVc": True,
        "reusedCode": "invalid_grant",
        "wrongVerifier": "invalid_grant",
        "denied": "access_denied",
    }
    assert results["presentation"] == {
        "clientPrefix": "redirect_uri",
        "format": "dc+sd-jwt",
        "asked": ["achievement", "ects"],
        "status": 200,
    }
    state = parse_qs(urlsplit(given["presentationRequestUri"]).query)["state"][0]
    answer = register.oid4vp.request(state).result
    assert answer is not None
    assert answer["verified"] is True, answer["checks"]
    assert {"achievement", "ects"} <= set(answer["claims"])
    assert "grade" not in answer["claims"]


def test_the_openwallet_client_collects_a_credential_issued_after_it_asked(served: tuple[Register, str]) -> None:
    """Deferred issuance (decision 0035) through the library's own deferred-credential client: a transaction
    while the credential is not issued, 202 again while it still is not, the credential once the provider
    issued it through the API, bound to the first proof's key; then invalid_transaction_id."""
    register, base_url = served
    seed(register)
    with register.uow() as work:
        [enrolment] = [e for e, ref, _ in work.deferred.pending_targets("hoge", "DLT-2024") if ref == "P-2"]
        learner = work.enrolments.get("hoge", "P-2").learner
        offer_uri = register.oid4vci.add_mailed_offer(
            work, None, lifetime=MAILED_OFFER_LIFETIME, enrolment_id=enrolment
        )
        work.commit()
    token = auth.create_token(provider="hoge", scopes=ALL_SCOPES, uow=register.uow, clock=register.clock).token
    given = {
        "offerUri": offer_uri,
        "browserCookie": _learner_cookie(register, base_url, learner, "hoge"),
        "issueUrl": f"{base_url}/api/v1/providers/hoge/enrolments/P-2/credential",
        "apiToken": token,
        "didUrl": f"{base_url}/providers/hoge/did.json",
    }
    results = _wallet("oid4vci-deferred.mjs", given)
    issued = register.issuance.issue_for_enrolment("hoge", "P-2")  # the one the API issued, returned again
    assert results == {
        "choiceIsPending": True,
        "deferredEndpoint": f"{base_url}/oid4vci/deferred_credential",
        "credentialStatus": 202,
        "interval": DEFERRED_INTERVAL,
        "gotCredentialAtOnce": False,
        "pending": {"status": 202, "sameTransaction": True, "interval": DEFERRED_INTERVAL},
        "issuedByApi": 201,
        "delivered": {
            "status": 200,
            "verified": True,
            "error": None,
            "id": issued.uuid,
            "subjectIsFirstProofKey": True,
        },
        "deliveredTwice": "invalid_transaction_id",
        "unknownTransaction": "invalid_transaction_id",
    }
