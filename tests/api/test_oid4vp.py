"""OpenID4VP 1.0 from the verify page: a DCQL request, a wallet's direct_post answer, and each check."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from microcred.bootstrap import Register
from microcred.services import wallet
from microcred.services.oid4vci_metadata import SD_JWT_VC
from microcred.services.oid4vp import QUERY_ID
from tests.api.wallet_app import WalletApp


def _sd_jwt_of(app: WalletApp, register: Register, credential_id: str) -> str:
    credential = register.issuance.get_credential(credential_id)
    offer = register.oid4vci.create_offer(credential_id, [wallet.grant(credential.learner, credential.provider)])
    code = app.offer_of(offer.uri)["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    token = app.token(code["pre-authorized_code"], offer.tx_code).json()["access_token"]
    answer = app.credential(token, SD_JWT_VC, app.proof(app.nonce(), register.oid4vci.issuer))
    return str(answer.json()["credentials"][0]["credential"])


def _request(register: Register) -> dict[str, str]:
    made = register.oid4vp.create_request()
    assert made.uri.startswith("openid4vp://?")
    return {name: values[0] for name, values in parse_qs(urlsplit(made.uri).query).items()}


def _answer(client: TestClient, request: dict[str, str], presentation: str) -> Any:
    vp_token = json.dumps({QUERY_ID: [presentation]})
    return client.post("/oid4vp/response", data={"vp_token": vp_token, "state": request["state"]})


def _result(register: Register, request: dict[str, str]) -> dict[str, Any]:
    found = register.oid4vp.request(request["state"]).result
    assert found is not None
    return found


def test_the_request_asks_for_an_sd_jwt_micro_credential_by_dcql(demo_register: Register) -> None:
    request = _request(demo_register)
    assert request["response_mode"] == "direct_post"
    assert request["client_id"] == f"redirect_uri:{request['response_uri']}"
    query = json.loads(request["dcql_query"])["credentials"][0]
    assert query["format"] == "dc+sd-jwt"
    assert [claim["path"] for claim in query["claims"]] == [["achievement"], ["ects"]]


def test_a_wallet_shows_achievement_and_ects_and_keeps_the_grade(
    client: TestClient, demo_register: Register, credential_id: str
) -> None:
    app = WalletApp(client)
    sd_jwt = _sd_jwt_of(app, demo_register, credential_id)
    request = _request(demo_register)
    shown = app.present(sd_jwt, ("achievement", "ects"), audience=request["client_id"], nonce=request["nonce"])
    answer = _answer(client, request, shown)
    assert answer.status_code == 200, answer.text
    result = _result(demo_register, request)
    assert result["verified"] is True, result["checks"]
    assert {check["name"] for check in result["checks"]} == {
        "signature",
        "trusted-provider",
        "validity",
        "status",
        "holder-binding",
    }
    assert set(result["claims"]) >= {"achievement", "ects"}
    assert "grade" not in result["claims"]
    page = client.get(f"/verify/wallet/{request['state']}").text
    assert "In handen van de houder" in page
    assert 'data-claim="ects"' in page
    assert 'data-claim="grade"' not in page


def test_a_request_takes_one_answer(client: TestClient, demo_register: Register, credential_id: str) -> None:
    app = WalletApp(client)
    sd_jwt = _sd_jwt_of(app, demo_register, credential_id)
    request = _request(demo_register)
    shown = app.present(sd_jwt, ("ects",), audience=request["client_id"], nonce=request["nonce"])
    assert _answer(client, request, shown).status_code == 200
    again = _answer(client, request, shown)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_request"


def test_a_presentation_for_another_request_is_not_holder_bound(
    client: TestClient, demo_register: Register, credential_id: str
) -> None:
    app = WalletApp(client)
    sd_jwt = _sd_jwt_of(app, demo_register, credential_id)
    first, second = _request(demo_register), _request(demo_register)
    replayed = app.present(sd_jwt, ("ects",), audience=first["client_id"], nonce=first["nonce"])
    assert _answer(client, second, replayed).status_code == 200
    result = _result(demo_register, second)
    assert result["verified"] is False
    binding = next(check for check in result["checks"] if check["name"] == "holder-binding")
    assert binding == {"name": "holder-binding", "outcome": "fail", "reason": "kb-nonce"}


def test_a_revoked_credential_fails_its_status_check(
    client: TestClient, demo_register: Register, credential_id: str
) -> None:
    app = WalletApp(client)
    sd_jwt = _sd_jwt_of(app, demo_register, credential_id)
    demo_register.issuance.revoke(credential_id, "fraud")
    request = _request(demo_register)
    _answer(client, request, app.present(sd_jwt, ("ects",), audience=request["client_id"], nonce=request["nonce"]))
    status = next(check for check in _result(demo_register, request)["checks"] if check["name"] == "status")
    assert status == {"name": "status", "outcome": "fail", "reason": "status-revoked"}


def test_a_tampered_disclosure_is_refused(client: TestClient, demo_register: Register, credential_id: str) -> None:
    app = WalletApp(client)
    sd_jwt = _sd_jwt_of(app, demo_register, credential_id)
    request = _request(demo_register)
    shown = app.present(sd_jwt, ("ects",), audience=request["client_id"], nonce=request["nonce"])
    issuer_jwt, _genuine, *rest = shown.split("~")
    forged = "~".join([issuer_jwt, "WyJzYWx0IiwgImVjdHMiLCA2MF0", *rest])  # ["salt", "ects", 60]
    _answer(client, request, forged)
    result = _result(demo_register, request)
    assert result["verified"] is False
    assert result["checks"][0]["reason"] == "disclosure-not-signed"


def test_the_verify_page_makes_a_request_with_a_qr_code(client: TestClient) -> None:
    page = client.get("/verify").text
    assert "Vraag om een credential" in page
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    shown = client.post("/verify/wallet", data={"csrf_token": csrf})
    assert shown.status_code == 200
    assert shown.url.path.startswith("/verify/wallet/")
    assert "openid4vp://?" in shown.text
    assert "<svg" in shown.text
