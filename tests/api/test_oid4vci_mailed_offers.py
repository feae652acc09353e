"""The desk's bulk credential offers through the API, on SQLite and PostgreSQL: after issuing an edition, a
job e-mails each learner with an active credential and an address *this* provider recorded an offer of their
own credential -- with the authorization code grant only, so no pre-authorized code or PIN is in the mail --
and a second run mails nobody unless asked to send again."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from microcred.bootstrap import Register
from microcred.domain import CredentialState, Learner
from microcred.services import issuance
from microcred.services.offer_mailing import MAILED_OFFER_LIFETIME, mail_offers
from microcred.services.oid4vci import pre_authorized_code, tx_code
from microcred.services.oid4vci_metadata import LDP_VC
from microcred.services.ports import UnitOfWork
from tests.api.conftest import ISSUED_ENROLMENT, OTHER, OWNER, Tokens, finished_job
from tests.api.oid4vci_flow import (
    LEARNER_ADDRESS,
    Pkce,
    approved_code,
    ask_authorization,
    authorization_params,
    mails_in,
    offer_id_in,
    outbox_mails,
    sign_in_learner,
    token_for_code,
)
from tests.api.wallet_app import WalletApp

pytestmark = pytest.mark.slow

EDITION = "MC-DSS-2024"
ISSUED_EDITION = ISSUED_ENROLMENT.rsplit("-", 1)[0]  # MC-DSS-2023
URL = f"/api/v1/providers/{OWNER}/editions/{EDITION}/credential-offers"


@pytest.fixture
def edition(demo_register: Register) -> dict[str, str]:
    """Issue the edition; give some of its learners an address at OWNER, revoke one of those, and give one
    without an OWNER address an address at OTHER only. The credential ids OWNER may reach, by address."""
    register = demo_register
    register.issuance.issue_for_edition(OWNER, EDITION)
    issued = [c for c in issuance.list_credentials(OWNER, uow=register.uow) if c.edition_code == EDITION]
    assert len(issued) >= 5, "the demo edition has too few passed learners for this test"
    with register.uow() as work:
        for number, credential in enumerate(issued[:3]):
            work.learners.save(Learner(credential.learner, f"offer{number}@example.org"), provider=OWNER)
        work.learners.save(Learner(issued[3].learner, "elsewhere@example.org"), provider=OTHER)
        work.commit()
    register.issuance.revoke(issued[2].uuid, "awarded in error", provider=OWNER)
    reachable: dict[str, str] = {}
    with register.uow() as work:  # every active credential whose learner OWNER has an address for
        for credential in issued:
            address = work.learners.email_of(credential.learner, OWNER)
            if address is not None and work.credentials.get(credential.uuid).state is CredentialState.ACTIVE:
                reachable[address] = credential.uuid
    assert issued[2].uuid not in reachable.values()
    assert "elsewhere@example.org" not in reachable
    assert len(reachable) >= 2
    return reachable


def test_the_job_mails_exactly_the_reachable_learners_an_offer_of_their_own_credential(
    client: TestClient, tokens: Tokens, demo_register: Register, edition: dict[str, str]
) -> None:
    owner = Tokens.header(tokens.owner)
    before = outbox_mails(demo_register)
    started = client.post(URL, headers=owner)
    assert started.status_code == 202, started.text
    assert started.headers["location"].startswith(f"/api/v1/providers/{OWNER}/jobs/")
    job = finished_job(client, started.headers["location"], owner)
    assert job["state"] == "succeeded", job
    assert job["kind"] == "mail-credential-offers"
    mails = mails_in(outbox_mails(demo_register) - before)
    assert sorted(address for address, _ in mails) == sorted(edition)
    assert job["result"]["mailed"] == len(edition)
    assert sorted(job["result"]["credentials"]) == sorted(edition.values())
    assert "@" not in str(job["result"]), "no learner identity in the job's result"
    for address, body in mails:
        assert f"{MAILED_OFFER_LIFETIME.days} days" in body
        assert f"{MAILED_OFFER_LIFETIME.days} dagen" in body
        offer_id = offer_id_in(body)
        offer = client.get(f"/oid4vci/offers/{offer_id}")
        assert offer.status_code == 200
        assert offer.json()["grants"] == {"authorization_code": {"issuer_state": offer_id}}, "no PIN flow by mail"
        with demo_register.uow() as work:
            record = work.oid4vci.offer(offer_id)
        assert record is not None
        assert record.credential_uuid == edition[address], "the learner's own credential"
        assert record.expires_at - record.created_at == MAILED_OFFER_LIFETIME


def test_a_second_run_mails_nobody_unless_asked_to_send_again(
    client: TestClient, tokens: Tokens, demo_register: Register, edition: dict[str, str]
) -> None:
    owner = Tokens.header(tokens.owner)
    assert finished_job(client, client.post(URL, headers=owner).headers["location"], owner)["state"] == "succeeded"
    before = outbox_mails(demo_register)
    second = finished_job(client, client.post(URL, headers=owner, json={}).headers["location"], owner)
    assert second["result"]["mailed"] == 0
    assert second["result"]["already_mailed"] == len(edition)
    assert outbox_mails(demo_register) == before
    again = finished_job(client, client.post(URL, headers=owner, json={"again": True}).headers["location"], owner)
    assert again["result"]["mailed"] == len(edition)
    assert sorted(address for address, _ in mails_in(outbox_mails(demo_register) - before)) == sorted(edition)


def test_another_provider_cannot_start_or_follow_the_job(
    client: TestClient, tokens: Tokens, demo_register: Register, edition: dict[str, str]
) -> None:
    before = outbox_mails(demo_register)
    other = Tokens.header(tokens.other)
    assert client.post(URL, headers=other).status_code == 403
    assert client.post(URL, headers=Tokens.header(tokens.owner_readonly)).status_code == 403
    own_url = f"/api/v1/providers/{OTHER}/editions/{EDITION}/credential-offers"
    assert client.post(own_url, headers=other).status_code == 404, "OWNER's edition is no edition of OTHER"
    owner = Tokens.header(tokens.owner)
    started = client.post(URL, headers=owner)
    assert client.get(started.headers["location"], headers=other).status_code == 403
    finished_job(client, started.headers["location"], owner)
    assert (
        client.post(f"/api/v1/providers/{OWNER}/editions/NO-SUCH/credential-offers", headers=owner).status_code == 404
    )
    assert "elsewhere@example.org" not in {address for address, _ in mails_in(outbox_mails(demo_register) - before)}


def test_a_mailed_offer_has_no_pre_authorized_code_to_redeem(
    client: TestClient, tokens: Tokens, demo_register: Register, edition: dict[str, str]
) -> None:
    owner = Tokens.header(tokens.owner)
    before = outbox_mails(demo_register)
    finished_job(client, client.post(URL, headers=owner).headers["location"], owner)
    (_, body), *_ = mails_in(outbox_mails(demo_register) - before)
    offer_id = offer_id_in(body)
    secret = demo_register.settings.session_secret.get_secret_value()
    form = {
        "grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
        "pre-authorized_code": pre_authorized_code(secret, offer_id),
        "tx_code": tx_code(secret, offer_id),
    }
    answer = client.post("/oid4vci/token", data=form)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_the_learner_takes_up_a_mailed_offer_by_signing_in_and_approving(
    client: TestClient, tokens: Tokens, demo_register: Register, credential_id: str
) -> None:
    """The whole way: the mailed link's offer names only its credential on the approval page, and the wallet
    receives that credential, bound to its key."""
    assert sign_in_learner(client, demo_register).status_code == 200  # the address the link went to is the learner's
    owner = Tokens.header(tokens.owner)
    before = outbox_mails(demo_register)
    url = f"/api/v1/providers/{OWNER}/editions/{ISSUED_EDITION}/credential-offers"
    assert finished_job(client, client.post(url, headers=owner).headers["location"], owner)["state"] == "succeeded"
    [body] = [body for address, body in mails_in(outbox_mails(demo_register) - before) if address == LEARNER_ADDRESS]
    offer_id = offer_id_in(body)
    app = WalletApp(client)
    link = next(word for word in body.split() if word.startswith("openid-credential-offer://"))
    assert app.offer_of(link)["grants"] == {"authorization_code": {"issuer_state": offer_id}}
    pkce = Pkce()
    page = ask_authorization(client, authorization_params(pkce, issuer_state=offer_id))
    assert page.status_code == 200
    assert page.text.count('name="credential"') == 1
    code = approved_code(client, demo_register, credential_id, pkce, issuer_state=offer_id)
    token = token_for_code(client, code, pkce.verifier).json()["access_token"]
    issued = app.credential(token, LDP_VC, app.proof(app.nonce(), demo_register.oid4vci.issuer))
    assert issued.status_code == 200, issued.text
    assert issued.json()["credentials"][0]["credential"]["id"] == credential_id


def test_a_mailed_offer_is_used_once_its_credential_was_delivered(
    client: TestClient, tokens: Tokens, demo_register: Register, credential_id: str
) -> None:
    """Its link then starts no more approvals, instead of for 14 days; before delivery it still may."""
    assert sign_in_learner(client, demo_register).status_code == 200
    owner = Tokens.header(tokens.owner)
    before = outbox_mails(demo_register)
    url = f"/api/v1/providers/{OWNER}/editions/{ISSUED_EDITION}/credential-offers"
    finished_job(client, client.post(url, headers=owner).headers["location"], owner)
    [body] = [body for address, body in mails_in(outbox_mails(demo_register) - before) if address == LEARNER_ADDRESS]
    offer_id = offer_id_in(body)
    first, second = Pkce(), Pkce()
    code = approved_code(client, demo_register, credential_id, first, issuer_state=offer_id)
    approved_code(client, demo_register, credential_id, second, issuer_state=offer_id)  # not delivered yet: it may
    token = token_for_code(client, code, first.verifier).json()["access_token"]
    app = WalletApp(client)
    issued = app.credential(token, LDP_VC, app.proof(app.nonce(), demo_register.oid4vci.issuer))
    assert issued.status_code == 200, issued.text
    assert client.get(f"/oid4vci/offers/{offer_id}").status_code == 404
    refused = ask_authorization(client, authorization_params(Pkce(), issuer_state=offer_id))
    assert refused.status_code == 303
    assert parse_qs(urlsplit(refused.headers["location"]).query)["error"] == ["invalid_request"]


def test_two_mailings_at_the_very_same_moment_mail_each_learner_once(
    demo_register: Register, edition: dict[str, str]
) -> None:
    """Two jobs' transactions for one learner at once: the first holds its learner's enrolment locked while
    the second looks; the second waits for the first's commit and then sees its offer. Without the lock the
    second saw nothing committed and mailed the same learner again."""
    inside, release = threading.Event(), threading.Event()
    results: dict[str, dict[str, Any]] = {}

    def hold_the_first(work: UnitOfWork, item: str) -> None:
        if not inside.is_set():
            inside.set()
            assert release.wait(20), "the test never released the first mailing"

    def run(name: str, within: Callable[[UnitOfWork, str], None]) -> None:
        results[name] = mail_offers(demo_register.dependencies, OWNER, EDITION, within=within)

    before = outbox_mails(demo_register)
    first = threading.Thread(target=run, args=("first", hold_the_first))
    first.start()
    assert inside.wait(20), "the first mailing never reached its first learner"
    second = threading.Thread(target=run, args=("second", lambda work, item: None))
    second.start()
    second.join(timeout=1.5)
    assert second.is_alive(), "the second mailing did not wait for the first's learner"
    release.set()
    first.join(timeout=60)
    second.join(timeout=60)
    addresses = [address for address, _ in mails_in(outbox_mails(demo_register) - before)]
    assert sorted(addresses) == sorted(edition), "every reachable learner mailed exactly once"
    assert results["first"]["mailed"] + results["second"]["mailed"] == len(edition)
    assert results["second"]["already_mailed"] >= 1
