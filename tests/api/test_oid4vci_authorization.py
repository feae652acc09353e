"""OpenID4VCI's authorization code flow against the real app (SQLite and PostgreSQL): a learner signs in,
approves a wallet's request with PKCE S256, and the wallet trades the code for a token -- and every attack
on the code, the redirect and the approval form is refused in the spec's own words."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

import pytest
from fastapi.testclient import TestClient

from microcred.bootstrap import Register
from microcred.domain import Learner
from microcred.services import wallet
from microcred.services.oid4vci import Oid4vciError, credential_identifier
from microcred.services.oid4vci_authorization import Oid4vciAuthorization
from microcred.services.oid4vci_metadata import LDP_VC, SCOPES, SD_JWT_VC
from tests.api.conftest import OTHER, OWNER
from tests.api.oid4vci_flow import (
    CLIENT,
    OTHER_ENROLMENT,
    REDIRECT,
    Pkce,
    answer_authorization,
    approved_code,
    ask_authorization,
    authorization_params,
    oauth_error,
    redirect_query,
    sign_in_learner,
    token_for_code,
)
from tests.api.wallet_app import WalletApp

pytestmark = pytest.mark.slow


@pytest.fixture
def signed_in(client: TestClient, demo_register: Register, credential_id: str) -> TestClient:
    opened = sign_in_learner(client, demo_register)
    assert opened.status_code == 200
    return client


@pytest.fixture
def other_credential(demo_register: Register) -> str:
    """A credential of another learner (OTHER's), whom the signed-in learner is not."""
    return demo_register.issuance.issue_for_enrolment(OTHER, OTHER_ENROLMENT).uuid


def test_the_metadata_offers_the_authorization_code_flow_with_pkce(client: TestClient, demo_register: Register) -> None:
    base = demo_register.oid4vci.issuer
    server = client.get("/.well-known/oauth-authorization-server").json()
    assert server["authorization_endpoint"] == f"{base}/oid4vci/authorize"
    assert server["code_challenge_methods_supported"] == ["S256"]
    assert "authorization_code" in server["grant_types_supported"]
    assert server["response_types_supported"] == ["code"]
    issuer = client.get("/.well-known/openid-credential-issuer").json()
    scopes = {name: c["scope"] for name, c in issuer["credential_configurations_supported"].items()}
    assert scopes == SCOPES
    assert set(server["scopes_supported"]) == set(SCOPES.values())


def test_a_signed_in_learner_approves_and_the_wallet_receives_the_approved_format(
    signed_in: TestClient, demo_register: Register, credential_id: str
) -> None:
    pkce = Pkce()
    page = ask_authorization(signed_in, authorization_params(pkce))
    assert page.status_code == 200
    assert CLIENT in page.text
    assert "wallet.example" in page.text  # where the answer goes
    code = approved_code(signed_in, demo_register, credential_id, pkce)
    answer = token_for_code(signed_in, code, pkce.verifier)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    token = answer.json()["access_token"]
    app = WalletApp(signed_in)
    issued = app.credential(token, LDP_VC, app.proof(app.nonce(), demo_register.oid4vci.issuer))
    assert issued.status_code == 200, issued.text
    assert issued.json()["credentials"][0]["credential"]["id"] == credential_id
    refused = app.credential(token, SD_JWT_VC, app.proof(app.nonce(), demo_register.oid4vci.issuer))
    assert refused.status_code == 403
    assert oauth_error(refused) == "insufficient_scope"  # the learner approved the ldp_vc only


def test_authorization_details_give_credential_identifiers_the_wallet_must_use(
    signed_in: TestClient, demo_register: Register, credential_id: str
) -> None:
    pkce = Pkce()
    details = '[{"type": "openid_credential", "credential_configuration_id": "MicroCredential_dc+sd-jwt"}]'
    code = approved_code(signed_in, demo_register, credential_id, pkce, scope=None, authorization_details=details)
    answer = token_for_code(signed_in, code, pkce.verifier)
    assert answer.status_code == 200, answer.text
    [detail] = answer.json()["authorization_details"]
    assert detail["credential_configuration_id"] == SD_JWT_VC
    assert detail["credential_identifiers"] == [credential_identifier(SD_JWT_VC, credential_id)]
    token, app = answer.json()["access_token"], WalletApp(signed_in)
    proof = {"jwt": [app.proof(app.nonce(), demo_register.oid4vci.issuer)]}
    by_configuration = signed_in.post(
        "/oid4vci/credential",
        json={"credential_configuration_id": SD_JWT_VC, "proofs": proof},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert oauth_error(by_configuration) == "invalid_credential_request"
    wrong = signed_in.post(
        "/oid4vci/credential",
        json={"credential_identifier": "MicroCredential_dc+sd-jwt/urn:uuid:0", "proofs": proof},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert oauth_error(wrong) == "unknown_credential_identifier"
    proof = {"jwt": [app.proof(app.nonce(), demo_register.oid4vci.issuer)]}
    issued = signed_in.post(
        "/oid4vci/credential",
        json={"credential_identifier": detail["credential_identifiers"][0], "proofs": proof},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert issued.status_code == 200, issued.text
    assert "~" in issued.json()["credentials"][0]["credential"]  # an SD-JWT VC


def test_a_wrong_or_missing_verifier_is_refused_and_spends_the_code(
    signed_in: TestClient, demo_register: Register, credential_id: str
) -> None:
    pkce = Pkce()
    code = approved_code(signed_in, demo_register, credential_id, pkce)
    missing = token_for_code(signed_in, code, "")
    assert (missing.status_code, oauth_error(missing)) == (400, "invalid_request")
    wrong = token_for_code(signed_in, code, Pkce().verifier)
    assert (wrong.status_code, oauth_error(wrong)) == (400, "invalid_grant")
    assert oauth_error(token_for_code(signed_in, code, pkce.verifier)) == "invalid_grant"  # a guess used the code up


def test_a_reused_code_is_refused_and_ends_the_token_it_gave(
    signed_in: TestClient, demo_register: Register, credential_id: str
) -> None:
    pkce = Pkce()
    code = approved_code(signed_in, demo_register, credential_id, pkce)
    token = token_for_code(signed_in, code, pkce.verifier).json()["access_token"]
    again = token_for_code(signed_in, code, pkce.verifier)
    assert (again.status_code, oauth_error(again)) == (400, "invalid_grant")
    app = WalletApp(signed_in)
    ended = app.credential(token, LDP_VC, app.proof(app.nonce(), demo_register.oid4vci.issuer))
    assert (ended.status_code, oauth_error(ended)) == (401, "invalid_token")


@pytest.mark.parametrize(
    "changes",
    [{"client_id": "other.wallet"}, {"redirect_uri": "https://wallet.example/other"}],
    ids=["other-client", "other-redirect"],
)
def test_a_code_is_bound_to_its_client_and_redirect_uri(
    signed_in: TestClient, demo_register: Register, credential_id: str, changes: dict[str, str]
) -> None:
    pkce = Pkce()
    code = approved_code(signed_in, demo_register, credential_id, pkce)
    refused = token_for_code(signed_in, code, pkce.verifier, **changes)
    assert (refused.status_code, oauth_error(refused)) == (400, "invalid_grant")


def test_an_expired_code_is_refused(signed_in: TestClient, demo_register: Register, credential_id: str) -> None:
    pkce = Pkce()
    code = approved_code(signed_in, demo_register, credential_id, pkce)
    later = demo_register.clock() + timedelta(minutes=3)
    late = Oid4vciAuthorization(
        dataclasses.replace(demo_register.dependencies, clock=lambda: later), demo_register.oid4vci
    )
    form = {"grant_type": "authorization_code", "code": code, "code_verifier": pkce.verifier}
    with pytest.raises(Oid4vciError) as refused:
        late.token({**form, "client_id": CLIENT, "redirect_uri": REDIRECT})
    assert refused.value.error == "invalid_grant"


def test_an_authorization_code_is_no_pre_authorized_code(
    signed_in: TestClient, demo_register: Register, credential_id: str
) -> None:
    code = approved_code(signed_in, demo_register, credential_id, Pkce())
    form = {"grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code", "pre-authorized_code": code}
    refused = signed_in.post("/oid4vci/token", data={**form, "tx_code": "000000"})
    assert oauth_error(refused) == "invalid_grant"


def test_another_learners_credential_cannot_be_approved(
    signed_in: TestClient, demo_register: Register, credential_id: str, other_credential: str
) -> None:
    pkce = Pkce()
    params = authorization_params(pkce)
    page = ask_authorization(signed_in, params)
    assert other_credential not in page.text
    refused = answer_authorization(signed_in, page, params, answer="approve", credential=other_credential)
    assert refused.status_code == 404
    assert "location" not in refused.headers


def test_another_learners_offer_is_refused_as_issuer_state(
    signed_in: TestClient, demo_register: Register, credential_id: str, other_credential: str
) -> None:
    other = demo_register.issuance.get_credential(other_credential)
    offer = demo_register.oid4vci.create_offer(other_credential, [wallet.grant(other.learner, other.provider)])
    refused = ask_authorization(signed_in, authorization_params(Pkce(), issuer_state=offer.public_id))
    assert redirect_query(refused)["error"] == "invalid_request"
    assert "code" not in redirect_query(refused)


def test_an_offers_issuer_state_narrows_the_choice_to_its_credential(
    signed_in: TestClient, demo_register: Register, credential_id: str
) -> None:
    credential = demo_register.issuance.get_credential(credential_id)
    offer = demo_register.oid4vci.create_offer(credential_id, [wallet.grant(credential.learner, credential.provider)])
    app = WalletApp(signed_in)
    grants = app.offer_of(offer.uri)["grants"]
    assert grants["authorization_code"] == {"issuer_state": offer.public_id}
    page = ask_authorization(signed_in, authorization_params(Pkce(), issuer_state=offer.public_id))
    assert page.status_code == 200
    assert page.text.count('name="credential"') == 1
    assert credential_id in page.text


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example/cb#fragment",
        "http://evil.example/cb",
        "http://[::1]/cb",
        "http://localhost/cb",
        "https://user@wallet.example/cb",
        "https://wallet.example;script-src*/cb",
        "javascript:alert(1)",
        "data:text/html,hi",
        "/relative/path",
        "",
    ],
)
def test_an_unusable_redirect_uri_is_never_redirected_to(signed_in: TestClient, redirect_uri: str) -> None:
    answer = ask_authorization(signed_in, authorization_params(Pkce(), redirect_uri=redirect_uri))
    assert answer.status_code == 400
    assert "location" not in answer.headers


@pytest.mark.parametrize(
    ("redirect_uri", "origin"),
    [
        ("http://127.0.0.1:8123/cb", "http://127.0.0.1:8123"),
        ("org.example.wallet:/cb", "org.example.wallet:"),
        ("https://wallet.example/cb?x=1", "https://wallet.example"),
    ],
)
def test_allowed_redirects_are_the_one_other_origin_the_pages_form_may_go_to(
    signed_in: TestClient, redirect_uri: str, origin: str
) -> None:
    page = ask_authorization(signed_in, authorization_params(Pkce(), redirect_uri=redirect_uri))
    assert page.status_code == 200
    # browsers apply form-action to the approval's redirect too: that origin, and no other
    assert f"form-action 'self' {origin};" in page.headers["content-security-policy"]
    assert "form-action 'self';" in signed_in.get("/wallet").headers["content-security-policy"]


def test_a_missing_client_id_is_shown_not_redirected(signed_in: TestClient) -> None:
    answer = ask_authorization(signed_in, authorization_params(Pkce(), client_id=None))
    assert answer.status_code == 400
    assert "location" not in answer.headers


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None, "code_challenge": None}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "openid email"}, "invalid_scope"),
        ({"scope": None, "authorization_details": '[{"type": "openid_credential"}]'}, "invalid_authorization_details"),
        ({"resource": "https://elsewhere.example"}, "invalid_target"),
        ({"issuer_state": "made-up"}, "invalid_request"),
    ],
    ids=["plain-pkce", "no-pkce", "implicit", "unknown-scope", "bad-details", "other-resource", "unknown-state"],
)
def test_a_bad_request_goes_back_to_the_checked_redirect_with_the_spec_error(
    signed_in: TestClient, changes: dict[str, Any], error: str
) -> None:
    answer = ask_authorization(signed_in, authorization_params(Pkce(), **changes))
    assert answer.headers["location"].startswith(REDIRECT + "?")
    query = redirect_query(answer)
    assert query["error"] == error
    assert query["state"] == "s-123"


def test_the_approval_form_needs_the_sessions_csrf_token(
    signed_in: TestClient, demo_register: Register, credential_id: str
) -> None:
    params = authorization_params(Pkce())
    forged = signed_in.post(
        "/oid4vci/authorize",
        data={"csrf_token": "forged", **params, "answer": "approve", "credential": credential_id},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert "location" not in forged.headers
    missing = signed_in.post(
        "/oid4vci/authorize", data={**params, "answer": "approve", "credential": credential_id}, follow_redirects=False
    )
    assert missing.status_code == 403


def test_denying_tells_the_wallet_access_denied(signed_in: TestClient, credential_id: str) -> None:
    params = authorization_params(Pkce())
    denied = answer_authorization(signed_in, ask_authorization(signed_in, params), params, answer="deny")
    assert redirect_query(denied) == {"error": "access_denied", "state": "s-123", "iss": redirect_query(denied)["iss"]}


def test_a_learner_without_a_session_signs_in_and_comes_back_to_the_request(
    client: TestClient, demo_register: Register, credential_id: str
) -> None:
    params = authorization_params(Pkce())
    first = ask_authorization(client, params)
    assert (first.status_code, first.headers["location"]) == (303, "/wallet")
    opened = sign_in_learner(client, demo_register)
    assert opened.url.path == "/oid4vci/authorize"
    assert parse_qs(opened.url.query.decode())["client_id"] == [CLIENT]
    assert 'value="approve"' in opened.text


def test_the_approval_post_needs_a_wallet_session(client: TestClient, credential_id: str) -> None:
    page = client.get("/wallet")
    answer = answer_authorization(
        client, page, authorization_params(Pkce()), answer="approve", credential=credential_id
    )
    assert (answer.status_code, answer.headers["location"]) == (303, "/wallet")


def test_a_learner_with_no_valid_credential_can_only_go_back(client: TestClient, demo_register: Register) -> None:
    with demo_register.uow() as work:  # an address with the provider, but nothing issued to it
        pseudonym = work.enrolments.get(OWNER, "MC-DSS-2023-E001").learner
        work.learners.save(Learner(pseudonym, "learner.of.tests@example.org"), provider=OWNER)
        work.commit()
    sign_in_learner(client, demo_register)
    page = ask_authorization(client, authorization_params(Pkce()))
    assert page.status_code == 200
    assert 'value="approve"' not in page.text
