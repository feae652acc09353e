"""Twenty identical creating POSTs at once, against a real server, on SQLite and PostgreSQL; and twenty
wallets posting one pre-authorized code, or one deferred transaction id, at once.

Each use case is its own transaction (no request transaction), so duplicates are kept out by the
database's unique constraints and by the Idempotency-Key reservation: exactly one request creates,
the others are told 409 or get the first answer replayed, and none gets a 5xx.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from microcred.bootstrap import Register
from microcred.services import wallet
from microcred.services.oid4vci import MAX_TX_CODE_ATTEMPTS, Offer, pre_authorized_code
from microcred.services.oid4vci_metadata import LDP_VC, PRE_AUTHORIZED_GRANT
from microcred.testing import served_in_thread
from tests.api.conftest import ISSUED_ENROLMENT, OWNER, Tokens
from tests.api.oid4vci_flow import CLIENT, REDIRECT, Pkce, authorization_params, pending_offer
from tests.api.wallet_app import WalletApp

# slow (seconds a test: credentials issued, a demo loaded, a report rendered or a process started):
# make test runs it, make test-fast leaves it out
pytestmark = pytest.mark.slow

PARALLEL = 20


@pytest.fixture
def base_url(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, in a thread of this process."""
    with served_in_thread(app) as url:
        yield url


def _all_at_once(
    url: str, headers: dict[str, str], body: dict[str, object] | None = None, *, form: dict[str, str] | None = None
) -> list[httpx.Response]:
    """POST the same request (a JSON ``body`` or a ``form``) PARALLEL times, each on its own connection,
    released together."""
    start = threading.Barrier(PARALLEL)

    def send(_: int) -> httpx.Response:
        with httpx.Client(timeout=60) as client:
            start.wait()
            return client.post(url, headers=headers, json=body, data=form)

    with ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(send, range(PARALLEL)))


def _offerings_with_code(base_url: str, tokens: Tokens, code: str) -> int:
    page = httpx.get(f"{base_url}/api/v1/providers/{OWNER}/offerings", headers=Tokens.header(tokens.owner)).json()
    return sum(1 for offering in page["items"] if offering["code"] == code)


def test_parallel_creates_without_a_key_create_once_and_the_rest_conflict(base_url: str, tokens: Tokens) -> None:
    url = f"{base_url}/api/v1/providers/{OWNER}/offerings"
    responses = _all_at_once(url, Tokens.header(tokens.owner), {"code": "RACE-1", "title": {"nl": "Gelijktijdig"}})
    statuses = Counter(r.status_code for r in responses)
    assert statuses[201] == 1, statuses
    assert statuses[409] == PARALLEL - 1, statuses
    assert all(r.json()["code"] == "conflict" for r in responses if r.status_code == 409)
    assert _offerings_with_code(base_url, tokens, "RACE-1") == 1


def test_parallel_creates_with_one_key_create_once_and_replay_or_refuse_the_rest(base_url: str, tokens: Tokens) -> None:
    url = f"{base_url}/api/v1/providers/{OWNER}/offerings"
    headers = {**Tokens.header(tokens.owner), "Idempotency-Key": "race-2"}
    body = {"code": "RACE-2", "title": {"nl": "Gelijktijdig"}}
    responses = _all_at_once(url, headers, body)
    assert all(r.status_code < 500 for r in responses), [r.text for r in responses if r.status_code >= 500]
    created = [r for r in responses if r.status_code == 201 and "idempotency-replayed" not in r.headers]
    replayed = [r for r in responses if r.status_code == 201 and r.headers.get("idempotency-replayed") == "true"]
    refused = [r for r in responses if r.status_code == 409]
    assert len(created) == 1
    assert len(created) + len(replayed) + len(refused) == PARALLEL
    assert all(r.content == created[0].content for r in replayed)
    assert all(r.json()["detail"] == "a request with this Idempotency-Key is in progress" for r in refused)
    again = httpx.post(url, headers=headers, json=body)
    assert again.status_code == 201
    assert again.headers["idempotency-replayed"] == "true"
    assert _offerings_with_code(base_url, tokens, "RACE-2") == 1


def _token_form(register: Register, credential_id: str) -> tuple[Offer, dict[str, str]]:
    """A new wallet-app offer of the credential, and the token request that redeems it with its PIN."""
    credential = register.issuance.get_credential(credential_id)
    offer = register.oid4vci.create_offer(credential_id, [wallet.grant(credential.learner, credential.provider)])
    code = pre_authorized_code(register.settings.session_secret.get_secret_value(), offer.public_id)
    return offer, {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code, "tx_code": offer.tx_code}


def test_a_pre_authorized_code_posted_twenty_times_at_once_gives_one_token(
    base_url: str, demo_register: Register, credential_id: str
) -> None:
    _, form = _token_form(demo_register, credential_id)
    answers = _all_at_once(f"{base_url}/oid4vci/token", {}, form=form)
    assert Counter(answer.status_code for answer in answers) == {200: 1, 400: PARALLEL - 1}
    assert {answer.json()["error"] for answer in answers if answer.status_code == 400} == {"invalid_grant"}


def test_twenty_pins_guessed_at_once_are_no_more_than_five_tries(
    base_url: str, demo_register: Register, credential_id: str
) -> None:
    offer, right_form = _token_form(demo_register, credential_id)
    form = {**right_form, "tx_code": str((int(offer.tx_code) + 1) % 1_000_000).zfill(6)}
    answers = _all_at_once(f"{base_url}/oid4vci/token", {}, form=form)
    assert {answer.json()["error"] for answer in answers} == {"invalid_grant"}
    with demo_register.uow() as work:
        record = work.oid4vci.offer(offer.public_id)
    assert record is not None
    assert record.tx_code_attempts == MAX_TX_CODE_ATTEMPTS  # counted before comparing: never more tries
    right = httpx.post(f"{base_url}/oid4vci/token", data=right_form, timeout=60)
    assert right.json()["error"] == "invalid_grant"


def test_a_deferred_credential_asked_twenty_times_at_once_is_delivered_once(
    base_url: str, demo_register: Register
) -> None:
    """Decision 0035: the transaction is spent by one conditional UPDATE in the transaction that renders it."""
    offer_id = pending_offer(demo_register)
    with demo_register.uow() as work:
        learner = work.enrolments.get(OWNER, ISSUED_ENROLMENT).learner
    pkce, grants = Pkce(), [wallet.grant(learner, OWNER)]
    params = authorization_params(pkce, issuer_state=offer_id)
    location = demo_register.oid4vci_authorization.approve(params, grants, f"pending:{offer_id}")
    code = parse_qs(urlsplit(location).query)["code"][0]
    form = {"code": code, "code_verifier": pkce.verifier, "client_id": CLIENT, "redirect_uri": REDIRECT}
    token = demo_register.oid4vci_authorization.token({"grant_type": "authorization_code", **form}).access_token
    with httpx.Client(base_url=base_url, timeout=60) as client:
        app = WalletApp(client)  # type: ignore[arg-type]  # the same requests over a real socket
        asked = app.credential(token, LDP_VC, app.proof(app.nonce(), demo_register.oid4vci.issuer))
    assert asked.status_code == 202, asked.text
    demo_register.issuance.issue_for_enrolment(OWNER, ISSUED_ENROLMENT)
    headers = {"Authorization": f"Bearer {token}"}
    body = {"transaction_id": asked.json()["transaction_id"]}
    answers = _all_at_once(f"{base_url}/oid4vci/deferred_credential", headers, body)
    assert Counter(answer.status_code for answer in answers) == {200: 1, 400: PARALLEL - 1}
    assert {answer.json()["error"] for answer in answers if answer.status_code == 400} == {"invalid_transaction_id"}
