"""OpenID4VCI 1.0 against the real app: metadata, the pre-authorized code flow with a PIN, both formats, and
each refusal in the spec's own error code (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from joserfc.jwk import ECKey

from microcred.api.observability import JsonFormatter
from microcred.asgi import create_app
from microcred.bootstrap import Register
from microcred.credentials.jose import b64url_decode, holder_did
from microcred.credentials.sd_jwt import disclosed_claims, split
from microcred.credentials.token_status_list import INVALID, SUSPENDED, VALID, decode_list
from microcred.errors import Conflict, NotFound
from microcred.services import wallet
from microcred.services.limits import RateLimit
from microcred.services.oid4vci import MAX_TX_CODE_ATTEMPTS, Offer, Oid4vci, pre_authorized_code
from microcred.services.oid4vci_metadata import LDP_VC, SD_JWT_VC
from tests.api.conftest import OWNER
from tests.api.wallet_app import WalletApp

# slow (seconds a test: credentials issued, a demo loaded, a report rendered or a process started):
# make test runs it, make test-fast leaves it out
pytestmark = pytest.mark.slow


def _grants(register: Register, credential_id: str) -> list[str]:
    credential = register.issuance.get_credential(credential_id)
    return [wallet.grant(credential.learner, credential.provider)]


def _offer(register: Register, credential_id: str) -> Offer:
    return register.oid4vci.create_offer(credential_id, _grants(register, credential_id))


def _code(app: WalletApp, offer: Offer) -> str:
    resolved = app.offer_of(offer.uri)
    return str(resolved["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]["pre-authorized_code"])


def _token(app: WalletApp, offer: Offer) -> str:
    answer = app.token(_code(app, offer), offer.tx_code)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    return str(answer.json()["access_token"])


def _payload(jwt: str) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(b64url_decode(jwt.split(".")[1]))
    return parsed


def test_the_metadata_names_the_endpoints_and_both_formats(client: TestClient, demo_register: Register) -> None:
    issuer = client.get("/.well-known/openid-credential-issuer").json()
    base = demo_register.oid4vci.issuer
    assert issuer["credential_issuer"] == base
    assert issuer["credential_endpoint"] == f"{base}/oid4vci/credential"
    assert issuer["nonce_endpoint"] == f"{base}/oid4vci/nonce"
    formats = {c["format"] for c in issuer["credential_configurations_supported"].values()}
    assert formats == {"ldp_vc", "dc+sd-jwt"}
    for configuration in issuer["credential_configurations_supported"].values():
        assert "jwt" in configuration["proof_types_supported"]
        assert {d["locale"] for d in configuration["credential_metadata"]["display"]} == {"nl", "en"}
    server = client.get("/.well-known/oauth-authorization-server").json()
    assert server["issuer"] == base
    assert server["token_endpoint"] == f"{base}/oid4vci/token"
    assert server["pre-authorized_grant_anonymous_access_supported"] is True


def test_a_wallet_receives_a_holder_bound_open_badge(
    client: TestClient, demo_register: Register, credential_id: str
) -> None:
    app = WalletApp(client)
    offer = _offer(demo_register, credential_id)
    assert offer.uri.startswith("openid-credential-offer://?credential_offer_uri=")
    resolved = app.offer_of(offer.uri)
    assert resolved["credential_configuration_ids"] == [LDP_VC, SD_JWT_VC]
    grant = resolved["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    assert grant["tx_code"] == {"input_mode": "numeric", "length": 6}
    token = _token(app, offer)
    answer = app.credential(token, LDP_VC, app.proof(app.nonce(), demo_register.oid4vci.issuer))
    assert answer.status_code == 200, answer.text
    issued = answer.json()["credentials"][0]["credential"]
    assert issued["id"] == credential_id
    assert issued["credentialSubject"]["id"] == holder_did(app.public_jwk())
    assert issued["credentialSubject"]["id"].startswith("did:jwk:")
    assert "identifier" not in issued["credentialSubject"]
    original = demo_register.issuance.get_credential(credential_id).document
    assert issued["credentialStatus"] == original["credentialStatus"]
    result = demo_register.verification.verify_document(issued, offline=True)
    assert result.verified, result.as_dict("en")


@pytest.mark.parametrize("by_kid", [False, True], ids=["jwk", "kid"])
def test_an_ed25519_wallet_key_becomes_a_did_key(
    client: TestClient, demo_register: Register, credential_id: str, by_kid: bool
) -> None:
    app = WalletApp(client, kty="OKP")
    token = _token(app, _offer(demo_register, credential_id))
    answer = app.credential(token, LDP_VC, app.proof(app.nonce(), demo_register.oid4vci.issuer, by_kid=by_kid))
    assert answer.status_code == 200, answer.text
    subject = answer.json()["credentials"][0]["credential"]["credentialSubject"]["id"]
    assert subject.startswith("did:key:z6Mk")
    assert subject == app.did()


def test_a_wallet_receives_an_sd_jwt_vc_whose_grade_the_learner_may_keep_back(
    client: TestClient, demo_register: Register, credential_id: str
) -> None:
    app = WalletApp(client)
    token = _token(app, _offer(demo_register, credential_id))
    answer = app.credential(token, SD_JWT_VC, app.proof(app.nonce(), demo_register.oid4vci.issuer))
    assert answer.status_code == 200, answer.text
    sd_jwt = answer.json()["credentials"][0]["credential"]
    issuer_jwt, disclosures, key_binding = split(sd_jwt)
    assert key_binding == ""
    header = json.loads(b64url_decode(issuer_jwt.split(".")[0]))
    assert header["typ"] == "dc+sd-jwt"
    assert header["alg"] == "EdDSA"
    payload = _payload(issuer_jwt)
    assert payload["cnf"]["jwk"] == app.public_jwk()
    assert payload["iss"] == demo_register.key_store.did(OWNER)
    assert "ects" not in payload
    assert "grade" not in payload  # hidden behind digests until the learner discloses them
    names = {d.name for d in disclosures}
    assert {"achievement", "ects"} <= names
    chosen = [d for d in disclosures if d.name in ("achievement", "ects")]
    shown = disclosed_claims(payload, chosen)
    assert shown["achievement"]["name"]
    assert (
        shown["ects"]
        == demo_register.issuance.get_credential(credential_id).document["credentialSubject"]["creditsEarned"]
    )
    assert "grade" not in shown
    assert shown["status"]["status_list"]["uri"].endswith(f"/providers/{OWNER}/token-status-list")


def test_the_token_status_list_tells_revoked_and_suspended_credentials(
    client: TestClient, demo_register: Register, credential_id: str
) -> None:
    index = demo_register.issuance.get_credential(credential_id).document["credentialStatus"]["statusListIndex"]

    def status() -> int:
        answer = client.get(f"/providers/{OWNER}/token-status-list")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/statuslist+jwt")
        return decode_list(_payload(answer.text)["status_list"]["lst"])[int(index)]

    assert status() == VALID
    demo_register.issuance.suspend(credential_id, "checking")
    assert status() == SUSPENDED
    demo_register.issuance.revoke(credential_id, "fraud")
    assert status() == INVALID


def test_a_wrong_pin_is_refused_and_the_fifth_closes_the_offer(
    client: TestClient, demo_register: Register, credential_id: str
) -> None:
    app = WalletApp(client)
    offer = _offer(demo_register, credential_id)
    code = _code(app, offer)
    wrong = str((int(offer.tx_code) + 1) % 1_000_000).zfill(6)
    for _ in range(MAX_TX_CODE_ATTEMPTS):
        refused = app.token(code, wrong)
        assert refused.status_code == 400
        assert refused.json()["error"] == "invalid_grant"
        assert refused.headers["content-type"] == "application/json"
    closed = app.token(code, offer.tx_code)  # the right PIN, too late
    assert closed.status_code == 400
    assert closed.json()["error"] == "invalid_grant"


def test_a_pre_authorized_code_works_once(client: TestClient, demo_register: Register, credential_id: str) -> None:
    app = WalletApp(client)
    offer = _offer(demo_register, credential_id)
    code = _code(app, offer)
    assert app.token(code, offer.tx_code).status_code == 200
    again = app.token(code, offer.tx_code)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    assert client.get(f"/oid4vci/offers/{offer.public_id}").status_code == 404  # a redeemed offer is gone


def test_an_expired_offer_is_refused(client: TestClient, demo_register: Register, credential_id: str) -> None:
    app = WalletApp(client)
    earlier = demo_register.clock() - timedelta(minutes=11)
    past = Oid4vci(dataclasses.replace(demo_register.dependencies, clock=lambda: earlier))
    offer = past.create_offer(credential_id, _grants(demo_register, credential_id))
    assert client.get(f"/oid4vci/offers/{offer.public_id}").status_code == 404
    code = pre_authorized_code(demo_register.settings.session_secret.get_secret_value(), offer.public_id)
    refused = app.token(code, offer.tx_code)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"


def test_a_replayed_nonce_is_refused(client: TestClient, demo_register: Register, credential_id: str) -> None:
    app = WalletApp(client)
    token = _token(app, _offer(demo_register, credential_id))
    nonce = app.nonce()
    issuer = demo_register.oid4vci.issuer
    assert app.credential(token, LDP_VC, app.proof(nonce, issuer)).status_code == 200
    replayed = app.credential(token, LDP_VC, app.proof(nonce, issuer))
    assert replayed.status_code == 400
    assert replayed.json()["error"] == "invalid_nonce"
    made_up = app.credential(token, LDP_VC, app.proof("not-one-of-ours", issuer))
    assert made_up.json()["error"] == "invalid_nonce"


@pytest.mark.parametrize(
    ("case", "changes"),
    [
        ("another key signed it", {"signer": "other"}),
        ("the wrong typ", {"typ": "JWT"}),
        ("another audience", {"audience": "https://elsewhere.example"}),
        ("an hour old", {"issued_at": time.time() - 3600}),
        ("a private key in the header", {"header": "private"}),
    ],
)
def test_a_bad_key_proof_is_refused(
    client: TestClient, demo_register: Register, credential_id: str, case: str, changes: dict[str, Any]
) -> None:
    app = WalletApp(client)
    token = _token(app, _offer(demo_register, credential_id))
    options: dict[str, Any] = {}
    audience = changes.get("audience", demo_register.oid4vci.issuer)
    if changes.get("signer") == "other":
        options["signer"] = ECKey.generate_key("P-256")
    if "typ" in changes:
        options["typ"] = changes["typ"]
    if "issued_at" in changes:
        options["issued_at"] = changes["issued_at"]
    if changes.get("header") == "private":
        options["header"] = {"jwk": app.key.as_dict(private=True)}
    refused = app.credential(token, LDP_VC, app.proof(app.nonce(), audience, **options))
    assert refused.status_code == 400, case
    assert refused.json()["error"] == "invalid_proof", case


def test_the_credential_endpoint_needs_an_access_token_of_ours(
    client: TestClient, demo_register: Register, credential_id: str
) -> None:
    app = WalletApp(client)
    proof = app.proof(app.nonce(), demo_register.oid4vci.issuer)
    for token in ("made-up", ""):
        refused = app.credential(token, LDP_VC, proof)
        assert refused.status_code == 401
        assert refused.json()["error"] == "invalid_token"
        assert refused.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_an_unknown_configuration_is_refused(client: TestClient, demo_register: Register, credential_id: str) -> None:
    app = WalletApp(client)
    token = _token(app, _offer(demo_register, credential_id))
    refused = app.credential(token, "jwt_vc_json", app.proof(app.nonce(), demo_register.oid4vci.issuer))
    assert refused.status_code == 400
    assert refused.json()["error"] == "unknown_credential_configuration"


def test_only_the_learner_may_offer_their_credential(demo_register: Register, credential_id: str) -> None:
    with pytest.raises(NotFound):
        demo_register.oid4vci.create_offer(credential_id, [wallet.grant("someone-else", OWNER)])
    credential = demo_register.issuance.get_credential(credential_id)
    with pytest.raises(NotFound):  # the same pseudonym, granted by another provider
        demo_register.oid4vci.create_offer(credential_id, [wallet.grant(credential.learner, "ugent")])


def test_a_revoked_credential_is_not_offered(demo_register: Register, credential_id: str) -> None:
    demo_register.issuance.revoke(credential_id, "fraud")
    with pytest.raises(Conflict):
        _offer(demo_register, credential_id)


def test_the_database_holds_neither_code_nor_pin_nor_token(
    client: TestClient, demo_register: Register, credential_id: str
) -> None:
    app = WalletApp(client)
    offer = _offer(demo_register, credential_id)
    code = _code(app, offer)
    token = _token(app, offer)
    nonce = app.nonce()
    with demo_register.engine.connect() as connection:
        stored = [
            str(value)
            for table in ("credential_offers", "oid4vci_tokens", "oid4vci_nonces")
            for row in connection.exec_driver_sql(f"SELECT * FROM {table}")
            for value in row
        ]
    for secret in (code, offer.tx_code, token, nonce):
        assert not any(secret in value for value in stored)


def test_a_client_asking_too_often_is_slowed_down(demo_register: Register) -> None:
    demo_register.limits.wallet_client = RateLimit("wallet", rate=1e-6, burst=3)
    with TestClient(create_app(demo_register)) as client:
        assert [client.post("/oid4vci/nonce").status_code for _ in range(4)] == [200, 200, 200, 429]
        refused = client.post("/oid4vci/token", data={"grant_type": "x"})
        assert refused.status_code == 429
        assert "retry-after" in refused.headers


def test_the_logs_carry_no_learner_and_no_wallet_secret(
    client: TestClient, demo_register: Register, credential_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = WalletApp(client)
    credential = demo_register.issuance.get_credential(credential_id)
    with caplog.at_level(logging.DEBUG, logger="microcred"):
        offer = _offer(demo_register, credential_id)
        code = _code(app, offer)
        token = _token(app, offer)
        nonce = app.nonce()
        issued = app.credential(token, SD_JWT_VC, app.proof(nonce, demo_register.oid4vci.issuer))
        app.token(code, "000000")  # a refusal is logged too
    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert any(json.loads(line)["route"] == "/oid4vci/credential" for line in lines)
    joined = "\n".join(lines)
    secrets = (code, offer.tx_code, token, nonce, offer.public_id, credential.learner, app.did(), issued.text[:40])
    for secret in secrets:
        assert secret not in joined


def test_a_credential_revoked_after_its_offer_is_denied(
    client: TestClient, demo_register: Register, credential_id: str
) -> None:
    app = WalletApp(client)
    token = _token(app, _offer(demo_register, credential_id))
    demo_register.issuance.revoke(credential_id, "fraud")
    denied = app.credential(token, LDP_VC, app.proof(app.nonce(), demo_register.oid4vci.issuer))
    assert denied.status_code == 400
    assert denied.json()["error"] == "credential_request_denied"


def test_the_draft_13_proof_object_is_accepted_too(
    client: TestClient, demo_register: Register, credential_id: str
) -> None:
    app = WalletApp(client)
    token = _token(app, _offer(demo_register, credential_id))
    proof = app.proof(app.nonce(), demo_register.oid4vci.issuer)
    body = {"credential_configuration_id": LDP_VC, "proof": {"proof_type": "jwt", "jwt": proof}}
    answer = client.post("/oid4vci/credential", json=body, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    two = {"credential_configuration_id": LDP_VC, "proofs": {"jwt": [proof, proof]}}
    refused = client.post("/oid4vci/credential", json=two, headers={"Authorization": f"Bearer {token}"})
    assert refused.json()["error"] == "invalid_proof"  # one proof per request: no batch issuance
