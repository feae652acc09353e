"""The steps of OpenID4VCI's authorization code flow and of mailed offers, as a wallet and a learner take them,
shared by the API tests of the flow, of mailed and deferred offers and of concurrency."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import hashlib
import re
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import httpx
from fastapi.testclient import TestClient

from microcred.bootstrap import Register
from microcred.credentials.jose import b64url
from microcred.services.offer_mailing import MAILED_OFFER_LIFETIME
from microcred.services.oid4vci_metadata import LDP_VC, SCOPES
from microcred.testing import mail_text
from tests.api.conftest import ISSUED_ENROLMENT, OWNER, learner_link

REDIRECT = "https://wallet.example/callback"
CLIENT = "wallet.example"
OTHER_ENROLMENT = "MC-DISINFO-2024-E000"


@dataclasses.dataclass
class Pkce:
    verifier: str = dataclasses.field(default_factory=lambda: secrets.token_urlsafe(48))

    @property
    def challenge(self) -> str:
        return b64url(hashlib.sha256(self.verifier.encode()).digest())


def csrf_token_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in_learner(client: TestClient, register: Register) -> httpx.Response:
    """Open the learner's e-mailed link in this browser, as the wallet page does."""
    access = learner_link(register)
    landing = client.get(f"/wallet/open?access={access}")
    return client.post("/wallet/open", data={"csrf_token": csrf_token_of(landing.text), "access": access})


def authorization_params(pkce: Pkce, **changes: str | None) -> dict[str, str]:
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": CLIENT,
        "redirect_uri": REDIRECT,
        "state": "s-123",
        "scope": SCOPES[LDP_VC],
        "code_challenge": pkce.challenge,
        "code_challenge_method": "S256",
    }
    params.update(changes)
    return {name: value for name, value in params.items() if value is not None}


def ask_authorization(client: TestClient, params: dict[str, str]) -> httpx.Response:
    return client.get("/oid4vci/authorize?" + urlencode(params), follow_redirects=False)


def answer_authorization(
    client: TestClient, page: httpx.Response, params: dict[str, str], **form: str
) -> httpx.Response:
    data = {"csrf_token": csrf_token_of(page.text), **params, **form}
    return client.post("/oid4vci/authorize", data=data, follow_redirects=False)


def redirect_query(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


def approved_code(client: TestClient, register: Register, credential_id: str, pkce: Pkce, **changes: str | None) -> str:
    params = authorization_params(pkce, **changes)
    page = ask_authorization(client, params)
    assert page.status_code == 200, page.text
    answer = answer_authorization(client, page, params, answer="approve", credential=credential_id)
    assert answer.headers["location"].startswith(params["redirect_uri"] + "?")
    query = redirect_query(answer)
    assert query["state"] == params.get("state", query["state"])
    assert query["iss"] == register.oid4vci.issuer  # RFC 9207
    return query["code"]


def token_for_code(client: TestClient, code: str, verifier: str, **changes: str) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "code_verifier": verifier,
        "client_id": CLIENT,
        "redirect_uri": REDIRECT,
        **changes,
    }
    return client.post("/oid4vci/token", data=form)


def oauth_error(response: httpx.Response) -> str:
    return str(response.json()["error"])


LEARNER_ADDRESS = "learner.of.tests@example.org"  # the address tests.api.conftest.learner_link gives


def outbox_mails(register: Register) -> set[Path]:
    return set(Path(register.settings.outbox_dir).glob("*.eml"))


def mails_in(paths: set[Path]) -> list[tuple[str, str]]:
    """(address, plain-text body) of each message."""
    found = []
    for path in paths:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        found.append((str(message["To"]), mail_text(path.read_bytes())))
    return found


def offer_id_in(body: str) -> str:
    link = next(word for word in body.split() if word.startswith("openid-credential-offer://"))
    reference = unquote(parse_qs(urlsplit(link).query)["credential_offer_uri"][0])
    return reference.rsplit("/oid4vci/offers/", 1)[1]


def pending_offer(register: Register, reference: str = ISSUED_ENROLMENT) -> str:
    """The id of an offer of ``reference``'s credential, not issued yet, as the desk's mailing makes it."""
    with register.uow() as work:
        [enrolment] = [
            e for e, ref, _ in work.deferred.pending_targets(OWNER, reference.rsplit("-", 1)[0]) if ref == reference
        ]
        link = register.oid4vci.add_mailed_offer(work, None, lifetime=MAILED_OFFER_LIFETIME, enrolment_id=enrolment)
        work.commit()
    reference_url = unquote(parse_qs(urlsplit(link).query)["credential_offer_uri"][0])
    return reference_url.rsplit("/oid4vci/offers/", 1)[1]
