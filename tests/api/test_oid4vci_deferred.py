"""Deferred issuance of OpenID4VCI 1.0 (§8.3, §9) against the real app, on SQLite and PostgreSQL: a learner who
passed but whose credential is not issued yet takes up an offer of it, the wallet's credential request gets a
transaction (202), the deferred endpoint answers 202 until the provider issues the edition, then the
credential -- bound to the key of the first proof, in the format first asked -- once; every other use of a
transaction id is refused in the spec's own words (decision 0035)."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from microcred.bootstrap import Register
from microcred.credentials.jose import b64url_decode
from microcred.domain import Learner, Outcome
from microcred.services import wallet
from microcred.services.oid4vci import DEFERRED_INTERVAL, Oid4vciError
from microcred.services.oid4vci_deferred import DeferredCredentials
from microcred.services.oid4vci_metadata import LDP_VC, SD_JWT_VC
from tests.api.conftest import ISSUED_ENROLMENT, OTHER, OWNER, Tokens, finished_job
from tests.api.oid4vci_flow import (
    LEARNER_ADDRESS,
    OTHER_ENROLMENT,
    Pkce,
    approved_code,
    ask_authorization,
    authorization_params,
    mails_in,
    offer_id_in,
    outbox_mails,
    pending_offer,
    sign_in_learner,
    token_for_code,
)
from tests.api.wallet_app import WalletApp

pytestmark = pytest.mark.slow

EDITION = ISSUED_ENROLMENT.rsplit("-", 1)[0]  # MC-DSS-2023: its learner passed, nothing is issued yet
OTHER_LEARNER_EDITION = "MC-DSS-2024"


def _approved_token(client: TestClient, register: Register, offer_id: str, scope: str | None = None) -> str:
    """The learner (signed in) approves the pending offer; the wallet trades the code for an access token."""
    pkce = Pkce()
    changes = {"issuer_state": offer_id} | ({"scope": scope} if scope else {})
    code = approved_code(client, register, f"pending:{offer_id}", pkce, **changes)
    answer = token_for_code(client, code, pkce.verifier)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def _deferred(client: TestClient, token: str, transaction_id: str) -> httpx.Response:
    return client.post(
        "/oid4vci/deferred_credential",
        json={"transaction_id": transaction_id},
        headers={"Authorization": f"Bearer {token}"},
    )


def oauth_error(response: httpx.Response) -> str:
    return str(response.json()["error"])


def _transaction(app: WalletApp, register: Register, token: str, configuration: str = LDP_VC) -> str:
    answer = app.credential(token, configuration, app.proof(app.nonce(), register.oid4vci.issuer))
    assert answer.status_code == 202, answer.text
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert set(body) == {"transaction_id", "interval"}  # OID4VCI 1.0 §8.3: no credentials beside them
    assert body["interval"] == DEFERRED_INTERVAL
    return str(body["transaction_id"])


@pytest.fixture
def signed_in(client: TestClient, demo_register: Register) -> TestClient:
    assert sign_in_learner(client, demo_register).status_code == 200
    return client


def test_the_metadata_names_the_deferred_credential_endpoint(client: TestClient, demo_register: Register) -> None:
    issuer = client.get("/.well-known/openid-credential-issuer").json()
    assert issuer["deferred_credential_endpoint"] == f"{demo_register.oid4vci.issuer}/oid4vci/deferred_credential"


def test_pending_until_the_edition_is_issued_then_delivered_once_to_the_first_proof_s_key(
    signed_in: TestClient, demo_register: Register
) -> None:
    offer_id = pending_offer(demo_register)
    page = ask_authorization(signed_in, authorization_params(Pkce(), issuer_state=offer_id))
    assert page.text.count('name="credential"') == 1
    assert f'value="pending:{offer_id}"' in page.text
    token = _approved_token(signed_in, demo_register, offer_id)
    app = WalletApp(signed_in)
    transaction_id = _transaction(app, demo_register, token)
    pending = _deferred(signed_in, token, transaction_id)
    assert pending.status_code == 202
    assert pending.json() == {"transaction_id": transaction_id, "interval": DEFERRED_INTERVAL}
    assert demo_register.issuance.issue_for_edition(OWNER, EDITION) >= 1  # the bulk path (desk job, API, CLI)
    issued_id = demo_register.issuance.get_credential(
        demo_register.issuance.issue_for_enrolment(OWNER, ISSUED_ENROLMENT).uuid
    ).uuid
    later = WalletApp(signed_in)  # the wallet's key is the first proof's, whoever asks now
    delivered = _deferred(later.client, token, transaction_id)
    assert delivered.status_code == 200, delivered.text
    credential = delivered.json()["credentials"][0]["credential"]
    assert credential["id"] == issued_id
    assert credential["credentialSubject"]["id"] == app.did(), "bound to the key of the original request"
    assert demo_register.verification.verify_document(credential, offline=True).verified
    again = _deferred(signed_in, token, transaction_id)
    assert again.status_code == 400
    assert oauth_error(again) == "invalid_transaction_id", "a transaction id is spent once delivered"


def test_an_sd_jwt_vc_asked_before_issue_comes_in_that_format_after_one_enrolment_is_issued(
    signed_in: TestClient, demo_register: Register
) -> None:
    offer_id = pending_offer(demo_register)
    token = _approved_token(signed_in, demo_register, offer_id, scope="micro_credential_sd_jwt")
    app = WalletApp(signed_in, kty="OKP")
    transaction_id = _transaction(app, demo_register, token, SD_JWT_VC)
    demo_register.issuance.issue_for_enrolment(OWNER, ISSUED_ENROLMENT)  # the one-enrolment path
    delivered = _deferred(signed_in, token, transaction_id)
    assert delivered.status_code == 200, delivered.text
    sd_jwt = delivered.json()["credentials"][0]["credential"]
    payload: dict[str, Any] = json.loads(b64url_decode(sd_jwt.split("~")[0].split(".")[1]))
    assert payload["cnf"]["jwk"] == app.public_jwk()
    assert payload["iss"] == demo_register.key_store.did(OWNER)


def test_a_credential_issued_before_the_wallet_asks_comes_at_once(
    signed_in: TestClient, demo_register: Register
) -> None:
    offer_id = pending_offer(demo_register)
    token = _approved_token(signed_in, demo_register, offer_id)
    issued = demo_register.issuance.issue_for_enrolment(OWNER, ISSUED_ENROLMENT)
    app = WalletApp(signed_in)
    answer = app.credential(token, LDP_VC, app.proof(app.nonce(), demo_register.oid4vci.issuer))
    assert answer.status_code == 200, answer.text
    assert answer.json()["credentials"][0]["credential"]["id"] == issued.uuid


def test_an_expired_transaction_is_invalid(signed_in: TestClient, demo_register: Register) -> None:
    token = _approved_token(signed_in, demo_register, pending_offer(demo_register))
    transaction_id = _transaction(WalletApp(signed_in), demo_register, token)
    demo_register.issuance.issue_for_enrolment(OWNER, ISSUED_ENROLMENT)
    days = demo_register.settings.deferred_transaction_days
    later = demo_register.clock() + timedelta(days=days, seconds=1)
    deps = dataclasses.replace(demo_register.dependencies, clock=lambda: later)
    with pytest.raises(Oid4vciError) as refused:
        DeferredCredentials(deps, demo_register.oid4vci).collect(token, {"transaction_id": transaction_id})
    assert refused.value.error == "invalid_transaction_id"
    just_before = demo_register.clock() + timedelta(days=days, seconds=-60)
    deps = dataclasses.replace(demo_register.dependencies, clock=lambda: just_before)
    status, body = DeferredCredentials(deps, demo_register.oid4vci).collect(token, {"transaction_id": transaction_id})
    assert status == 200, "the token that got the transaction still collects it after its own five minutes"
    assert "credentials" in body


def test_an_unknown_or_missing_transaction_id_is_refused(signed_in: TestClient, demo_register: Register) -> None:
    token = _approved_token(signed_in, demo_register, pending_offer(demo_register))
    _transaction(WalletApp(signed_in), demo_register, token)
    unknown = _deferred(signed_in, token, "8xLOxBtZp8")
    assert unknown.status_code == 400
    assert oauth_error(unknown) == "invalid_transaction_id"
    missing = signed_in.post("/oid4vci/deferred_credential", json={}, headers={"Authorization": f"Bearer {token}"})
    assert oauth_error(missing) == "invalid_credential_request"


def test_the_deferred_endpoint_needs_an_access_token_of_ours(signed_in: TestClient, demo_register: Register) -> None:
    token = _approved_token(signed_in, demo_register, pending_offer(demo_register))
    transaction_id = _transaction(WalletApp(signed_in), demo_register, token)
    bare = signed_in.post("/oid4vci/deferred_credential", json={"transaction_id": transaction_id})
    assert bare.status_code == 401
    assert bare.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    forged = _deferred(signed_in, "not-a-token", transaction_id)
    assert forged.status_code == 401
    assert oauth_error(forged) == "invalid_token"


def test_another_learner_s_access_token_hears_invalid_transaction_id(
    signed_in: TestClient, demo_register: Register
) -> None:
    token = _approved_token(signed_in, demo_register, pending_offer(demo_register))
    transaction_id = _transaction(WalletApp(signed_in), demo_register, token)
    demo_register.issuance.issue_for_edition(OWNER, EDITION)
    demo_register.issuance.issue_for_edition(OWNER, OTHER_LEARNER_EDITION)
    mine = demo_register.issuance.issue_for_enrolment(OWNER, ISSUED_ENROLMENT)
    others = [
        c for c in demo_register.issuance.list_credentials(OWNER) if c.learner != mine.learner and c.provider == OWNER
    ]
    stranger = others[0]
    offer = demo_register.oid4vci.create_offer(stranger.uuid, [wallet.grant(stranger.learner, stranger.provider)])
    app = WalletApp(signed_in)
    resolved = app.offer_of(offer.uri)
    code = resolved["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]["pre-authorized_code"]
    stranger_token = app.token(code, offer.tx_code).json()["access_token"]
    refused = _deferred(signed_in, stranger_token, transaction_id)
    assert refused.status_code == 400
    assert oauth_error(refused) == "invalid_transaction_id", "another learner's token learns nothing of it"
    delivered = _deferred(signed_in, token, transaction_id)
    assert delivered.status_code == 200, "the refusal spent nothing"
    assert delivered.json()["credentials"][0]["credential"]["id"] == mine.uuid


def test_a_withdrawn_enrolment_is_denied_for_good(signed_in: TestClient, demo_register: Register) -> None:
    token = _approved_token(signed_in, demo_register, pending_offer(demo_register))
    transaction_id = _transaction(WalletApp(signed_in), demo_register, token)
    with demo_register.uow() as work:
        enrolment = work.enrolments.get(OWNER, ISSUED_ENROLMENT)
        work.enrolments.save(dataclasses.replace(enrolment, outcome=Outcome.WITHDRAWN, grade=None))
        work.commit()
    denied = _deferred(signed_in, token, transaction_id)
    assert denied.status_code == 400
    assert oauth_error(denied) == "credential_request_denied"
    assert demo_register.issuance.issue_for_edition(OWNER, EDITION) >= 0
    assert oauth_error(_deferred(signed_in, token, transaction_id)) == "credential_request_denied"


def test_a_pending_offer_of_another_learner_cannot_be_approved(signed_in: TestClient, demo_register: Register) -> None:
    with demo_register.uow() as work:
        others = [ref for _, ref, _ in work.deferred.pending_targets(OWNER, EDITION) if ref != ISSUED_ENROLMENT]
    offer_id = pending_offer(demo_register, others[0])
    answer = ask_authorization(signed_in, authorization_params(Pkce(), issuer_state=offer_id))
    assert answer.status_code == 303
    assert parse_qs(urlsplit(answer.headers["location"]).query)["error"] == ["invalid_request"]


def test_the_database_holds_no_transaction_id(signed_in: TestClient, demo_register: Register) -> None:
    token = _approved_token(signed_in, demo_register, pending_offer(demo_register))
    transaction_id = _transaction(WalletApp(signed_in), demo_register, token)
    with demo_register.engine.connect() as connection:
        stored = [str(value) for row in connection.exec_driver_sql("SELECT * FROM oid4vci_deferred") for value in row]
    assert stored
    assert not any(transaction_id in value or token in value for value in stored)


def test_the_desk_mails_pending_learners_only_when_asked(
    client: TestClient, tokens: Tokens, demo_register: Register
) -> None:
    with demo_register.uow() as work:
        pseudonym = work.enrolments.get(OWNER, ISSUED_ENROLMENT).learner
        work.learners.save(Learner(pseudonym, LEARNER_ADDRESS), provider=OWNER)
        work.commit()
    owner = Tokens.header(tokens.owner)
    url = f"/api/v1/providers/{OWNER}/editions/{EDITION}/credential-offers"
    before = outbox_mails(demo_register)
    plain = finished_job(client, client.post(url, headers=owner).headers["location"], owner)
    assert plain["result"]["mailed"] == 0, "nothing is issued, and pending learners were not asked for"
    asked = finished_job(client, client.post(url, headers=owner, json={"pending": True}).headers["location"], owner)
    assert asked["state"] == "succeeded", asked
    assert asked["result"]["pending"] == asked["result"]["mailed"] >= 1
    assert f"enrolment/{ISSUED_ENROLMENT}" in asked["result"]["credentials"]
    [body] = [body for address, body in mails_in(outbox_mails(demo_register) - before) if address == LEARNER_ADDRESS]
    assert "has not issued your micro-credential yet" in body
    assert "nog niet uitgereikt" in body
    offer = client.get(f"/oid4vci/offers/{offer_id_in(body)}").json()
    assert offer["grants"] == {"authorization_code": {"issuer_state": offer_id_in(body)}}
    second = finished_job(client, client.post(url, headers=owner, json={"pending": True}).headers["location"], owner)
    assert second["result"]["mailed"] == 0
    assert second["result"]["already_mailed"] == asked["result"]["mailed"]


def test_a_mailed_pending_offer_is_used_once_its_credential_was_delivered(
    signed_in: TestClient, demo_register: Register
) -> None:
    offer_id = pending_offer(demo_register)
    token = _approved_token(signed_in, demo_register, offer_id)
    transaction_id = _transaction(WalletApp(signed_in), demo_register, token)
    assert signed_in.get(f"/oid4vci/offers/{offer_id}").status_code == 200, "pending is not delivered"
    demo_register.issuance.issue_for_edition(OWNER, EDITION)
    assert _deferred(signed_in, token, transaction_id).status_code == 200
    assert signed_in.get(f"/oid4vci/offers/{offer_id}").status_code == 404
    assert ask_authorization(signed_in, authorization_params(Pkce(), issuer_state=offer_id)).status_code == 303


def test_another_provider_s_token_never_yields_this_provider_s_credential(
    signed_in: TestClient, demo_register: Register
) -> None:
    token = _approved_token(signed_in, demo_register, pending_offer(demo_register))
    transaction_id = _transaction(WalletApp(signed_in), demo_register, token)
    demo_register.issuance.issue_for_enrolment(OWNER, ISSUED_ENROLMENT)
    elsewhere = demo_register.issuance.issue_for_enrolment(OTHER, OTHER_ENROLMENT)
    offer = demo_register.oid4vci.create_offer(elsewhere.uuid, [wallet.grant(elsewhere.learner, OTHER)])
    app = WalletApp(signed_in)
    code = app.offer_of(offer.uri)["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    other_token = app.token(code["pre-authorized_code"], offer.tx_code).json()["access_token"]
    refused = _deferred(signed_in, other_token, transaction_id)
    assert oauth_error(refused) == "invalid_transaction_id"


def test_a_credential_revoked_before_it_is_collected_is_denied(signed_in: TestClient, demo_register: Register) -> None:
    token = _approved_token(signed_in, demo_register, pending_offer(demo_register))
    transaction_id = _transaction(WalletApp(signed_in), demo_register, token)
    issued = demo_register.issuance.issue_for_enrolment(OWNER, ISSUED_ENROLMENT)
    demo_register.issuance.revoke(issued.uuid, "awarded in error", provider=OWNER)
    denied = _deferred(signed_in, token, transaction_id)
    assert denied.status_code == 400
    assert oauth_error(denied) == "credential_request_denied"


def test_a_pending_offer_whose_enrolment_failed_since_gives_no_transaction(
    signed_in: TestClient, demo_register: Register
) -> None:
    token = _approved_token(signed_in, demo_register, pending_offer(demo_register))
    with demo_register.uow() as work:
        enrolment = work.enrolments.get(OWNER, ISSUED_ENROLMENT)
        work.enrolments.save(dataclasses.replace(enrolment, outcome=Outcome.FAILED))
        work.commit()
    app = WalletApp(signed_in)
    refused = app.credential(token, LDP_VC, app.proof(app.nonce(), demo_register.oid4vci.issuer))
    assert refused.status_code == 400
    assert oauth_error(refused) == "credential_request_denied"
