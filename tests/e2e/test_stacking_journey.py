"""Browser journey: a learner completes a three-component stack across two providers and receives the
stacked credential, which the verifier accepts; a second institution recognises a foreign OB 3.0 credential
for 5 ECTS, and the learner sees both in the wallet."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from microcred.bootstrap import Register, build
from microcred.credentials.cryptosuites import EDDSA_RDFC_2022
from microcred.credentials.keys import SigningKey
from microcred.credentials.proofs import add_proof
from microcred.credentials.sample import sample_micro_credential
from microcred.domain import Outcome
from microcred.errors import MicrocredError
from microcred.services import enrolments, issuance
from microcred.settings import Settings
from tests.e2e.conftest import Server, assert_accessible, newest_link, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
INSZ = "85073000160"
ADDRESS = "stapelaar@example.org"


def _issue_passed(register: Register, provider: str, wanted: int) -> list[str]:
    """Issue credentials for ``wanted`` offerings of ``provider`` to the INSZ learner; their offering codes."""
    pepper = register.settings.pseudonym_pepper.get_secret_value()
    with register.uow() as work:
        editions = work.editions.list_for_provider(provider)
    done: list[str] = []
    for edition in editions:
        if edition.offering_code in done or len(done) == wanted:
            continue
        with register.uow() as work:
            passed = [
                e for e in work.enrolments.list_for_edition(provider, edition.code) if e.outcome is Outcome.PASSED
            ]
        if not passed:
            continue
        enrolments.save_enrolment(passed[0], learner_id=INSZ, email=ADDRESS, pepper=pepper, uow=register.uow)
        try:
            issuance.issue_for_enrolment(
                provider, passed[0].reference, uow=register.uow, keys=register.key_store,
                settings=register.settings, clock=register.clock,
            )  # fmt: skip
        except MicrocredError:  # an offering of the demo that misses an EU element cannot be issued
            continue
        done.append(edition.offering_code)
    assert len(done) == wanted, (provider, done)
    return done


def _foreign_credential() -> dict[str, Any]:
    key = SigningKey.from_seed(bytes(range(32)))
    document = sample_micro_credential(issuer_did=key.did)
    del document["credentialStatus"]  # nothing to fetch from the network
    return add_proof(document, suite=EDDSA_RDFC_2022, signing_key=key, verification_method=key.verification_method,
                     created="2025-02-01T00:00:00Z")  # fmt: skip


def _set_up(server: Server) -> dict[str, Any]:
    settings = Settings(
        database_url=server.env["MICROCRED_DATABASE_URL"], public_base_url=server.env["MICROCRED_PUBLIC_BASE_URL"]
    )
    register = build(settings)
    try:
        ugent = _issue_passed(register, "ugent", 2)
        vub = _issue_passed(register, "vub", 1)
        components = [{"provider": "ugent", "offering_code": code} for code in ugent]
        components.append({"provider": "vub", "offering_code": vub[0]})
        register.stacking.put_rule(
            "ugent",
            {"code": "PG-JOURNEY", "title": {"nl": "Postgraduaat media", "en": "Postgraduate media"},
             "kind": "all", "components": components, "other_providers": True},
        )  # fmt: skip
        stacked = register.stacking.issue("ugent", "PG-JOURNEY", INSZ)
        register.recognition.record(
            "vub",
            INSZ,
            _foreign_credential(),
            {"outcome": "recognised", "recognised_for": "Keuzevak media", "kind": "credit-transfer",
             "ects": Decimal(5), "basis": ["learning-outcomes", "workload"], "decided_on": date(2026, 2, 1),
             "decided_by": "Facultaire commissie"},
        )  # fmt: skip
        return stacked.document
    finally:
        register.close()


def test_a_learner_stacks_three_credentials_across_two_providers_and_sees_a_recognition(
    page: Any, server: Server
) -> None:
    document = _set_up(server)
    page.goto("/wallet")
    page.get_by_label("E-mailadres").fill(ADDRESS)
    page.get_by_role("button", name="Stuur mij een link").click()
    page.get_by_text("onderweg").wait_for()
    page.goto(newest_link(server.outbox, ADDRESS))
    page.get_by_role("button", name="Open mijn credentials").click()
    page.get_by_role("heading", name="Postgraduaat media").wait_for()
    stack = page.locator('article.wallet-stack[data-rule="ugent/PG-JOURNEY"]')
    assert "voldaan" in stack.inner_text()
    assert document["id"] in stack.inner_text()
    assert stack.locator(".stack-components li").count() == 3
    recognitions = page.locator("table.recognitions").inner_text()
    assert "Keuzevak media" in recognitions
    assert "5" in recognitions
    screenshot(page, "wallet-stack-and-recognition")
    assert_accessible(page)
    page.goto("/verify")
    page.get_by_label("Plak de credential (JSON)").fill(json.dumps(document))
    page.get_by_role("button", name="Verifiëren").click()
    page.get_by_text("Deze credential is echt en geldig.").wait_for()
    screenshot(page, "verify-stacked")
    assert_accessible(page)
