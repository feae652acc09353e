"""Recognition decisions: verified first, recorded once, refused only with a reason, seen in the wallet."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from microcred.credentials.cryptosuites import EDDSA_RDFC_2022
from microcred.credentials.keys import SigningKey
from microcred.credentials.proofs import add_proof
from microcred.credentials.sample import sample_micro_credential
from microcred.domain.recognition import RecognitionOutcome
from microcred.errors import Conflict, Invalid, NotFound
from microcred.services.reports import audit_disclosure, parliament_report
from microcred.services.wallet import grant
from microcred.settings import Settings
from microcred.stats.render import render
from tests.services.stacking_setup import INSZ, STUDENT, Stacked, pseudonym, seed

# slow (seconds a test: credentials issued, a demo loaded, a report rendered or a process started):
# make test runs it, make test-fast leaves it out
pytestmark = pytest.mark.slow


@pytest.fixture
def stacked(settings: Settings) -> Stacked:
    return seed(settings)


def _decision(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "outcome": "recognised",
        "recognised_for": "Data science (G0X12A)",
        "kind": "exemption",
        "ects": Decimal(5),
        "basis": ["learning-outcomes", "level"],
        "decided_on": date(2025, 7, 1),
        "decided_by": "Examencommissie",
    }
    return {**base, **values}


def _foreign() -> dict[str, Any]:
    """An OB 3.0 credential of an issuer this register does not know (did:key), without a status entry."""
    key = SigningKey.from_seed(bytes(range(32)))
    document = sample_micro_credential(issuer_did=key.did)
    del document["credentialStatus"]  # nothing to fetch: the test stays off the network
    return add_proof(
        document,
        suite=EDDSA_RDFC_2022,
        signing_key=key,
        verification_method=key.verification_method,
        created="2025-02-01T00:00:00Z",
    )


def test_an_institution_recognises_another_providers_credential_for_5_ects(stacked: Stacked) -> None:
    recognition = stacked.register.recognition
    document = stacked.credentials["A"].document
    decision, created = recognition.record("andere", INSZ, document, _decision())
    assert created
    assert decision.verified
    assert decision.ects == 5
    assert decision.credential_id == stacked.credentials["A"].uuid
    assert [d.public_id for d in recognition.decisions("andere")] == [decision.public_id]
    again, created = recognition.record("andere", INSZ, document, _decision())
    assert not created
    assert again.public_id == decision.public_id


def test_a_foreign_ob3_credential_can_be_recognised(stacked: Stacked) -> None:
    decision, _ = stacked.register.recognition.record("andere", INSZ, _foreign(), _decision())
    assert decision.verified
    assert decision.issuer.startswith("did:key:")


def test_a_refusal_needs_a_reason(stacked: Stacked) -> None:
    recognition = stacked.register.recognition
    document = stacked.credentials["A"].document
    with pytest.raises(Invalid) as refused:
        recognition.record("andere", INSZ, document, _decision(outcome="refused"))
    assert [(p.field, p.code) for p in refused.value.problems] == [("reason", "recognition-reason-required")]
    decision, _ = recognition.record(
        "andere", INSZ, document, _decision(outcome="refused", reason="learning outcomes do not match the unit")
    )
    assert decision.outcome is RecognitionOutcome.REFUSED
    assert decision.reason == "learning outcomes do not match the unit"


def test_a_credential_that_does_not_verify_can_only_be_refused(stacked: Stacked) -> None:
    recognition = stacked.register.recognition
    tampered = json.loads(stacked.credentials["A"].document_json)
    tampered["credentialSubject"]["creditsEarned"] = 60
    with pytest.raises(Invalid) as refused:
        recognition.record("andere", INSZ, tampered, _decision())
    assert [(p.field, p.code) for p in refused.value.problems] == [("document", "recognition-not-verified")]
    decision, _ = recognition.record("andere", INSZ, tampered, _decision(outcome="refused", reason="forged"))
    assert not decision.verified


def test_a_revoked_credential_is_not_recognised(stacked: Stacked) -> None:
    stacked.revoke("A")
    with pytest.raises(Invalid, match="does not verify"):
        stacked.register.recognition.record("andere", INSZ, stacked.credentials["A"].document, _decision())


def test_a_recognised_decision_names_kind_ects_and_basis(stacked: Stacked) -> None:
    document = stacked.credentials["A"].document
    with pytest.raises(Invalid) as refused:
        stacked.register.recognition.record(
            "andere", INSZ, document, _decision(kind=None, ects=None, basis=[], recognised_for=" ")
        )
    assert {p.field for p in refused.value.problems} == {"kind", "ects", "basis", "recognised_for"}


def test_a_different_decision_on_the_same_credential_and_unit_conflicts(stacked: Stacked) -> None:
    recognition = stacked.register.recognition
    document = stacked.credentials["A"].document
    recognition.record("andere", INSZ, document, _decision())
    with pytest.raises(Conflict):
        recognition.record("andere", INSZ, document, _decision(ects=Decimal(3)))


def test_a_provider_decides_only_for_its_own_learners(stacked: Stacked) -> None:
    with pytest.raises(NotFound):
        stacked.register.recognition.record("andere", STUDENT, stacked.credentials["A"].document, _decision())
    stacked.register.recognition.record("andere", INSZ, stacked.credentials["A"].document, _decision())
    with pytest.raises(NotFound):
        stacked.register.recognition.get("hoge", stacked.register.recognition.decisions("andere")[0].public_id)


def test_the_learner_sees_the_decisions_their_grants_open(stacked: Stacked) -> None:
    recognition = stacked.register.recognition
    decision, _ = recognition.record("andere", INSZ, stacked.credentials["A"].document, _decision())
    mine = frozenset({(pseudonym(INSZ, "andere"), "andere")})
    assert [d.public_id for d in recognition.decisions_of_grants(mine)] == [decision.public_id]
    assert recognition.decisions_of_grants(frozenset({(pseudonym(INSZ, "andere"), "hoge")})) == []
    assert grant(pseudonym(INSZ, "andere"), "andere") == f"andere:{pseudonym(INSZ, 'andere')}"


def test_a_recognised_decision_is_signed_as_a_credential_that_verifies(stacked: Stacked) -> None:
    recognition = stacked.register.recognition
    decision, _ = recognition.record("andere", INSZ, stacked.credentials["A"].document, _decision())
    signed = recognition.signed("andere", decision.public_id, lang="en")
    assert signed["credentialSubject"]["achievement"]["name"] == "Recognised for Data science (G0X12A)"
    assert signed["evidence"][0]["id"] == stacked.credentials["A"].uuid
    result = stacked.register.verification.verify_document(signed, offline=True)
    assert result.check("signature").passed
    assert result.check("well-formed").passed
    assert result.check("status").outcome == "warn"  # no status entry: a decision is not revoked
    refused, _ = recognition.record(
        "andere", INSZ, stacked.credentials["B"].document, _decision(outcome="refused", reason="no match")
    )
    with pytest.raises(Conflict):
        recognition.signed("andere", refused.public_id)


def test_recognised_credentials_are_counted_in_the_parliament_report_by_institution_and_ects(stacked: Stacked) -> None:
    """The report's recognition section reads the decisions through the statistics port (both backends): a
    recognition counts where and when it was decided and for its ECTS; a refusal does not count."""
    recognition = stacked.register.recognition
    recognition.record("andere", INSZ, stacked.credentials["A"].document, _decision(ects=Decimal("4.5")))
    refused = _decision(outcome="refused", reason="learning outcomes do not match", recognised_for="Ethics")
    recognition.record("andere", INSZ, stacked.credentials["B"].document, refused)
    exact = parliament_report(stacked.register.uow, from_year="2024-25", to_year="2024-25", threshold=1)
    assert exact.table("recognitions_by_provider").figure("andere", "2024-25").value == 1
    assert exact.table("recognised_ects_by_provider").figure("total", "total").value == Decimal("4.5")
    assert exact.table("recognitions_by_recognition_kind").figure("exemption", "2024-25").value == 1
    protected = parliament_report(stacked.register.uow, from_year="2024-25", to_year="2024-25", threshold=5)
    assert protected.table("recognitions_by_provider").figure("total", "2024-25").value in (0, 5)
    page = render(protected, "html", "en").decode()
    assert "Recognition of micro-credentials for credit" in page
    assert "ECTS recognised, by deciding institution" in page
    assert "Erkende studiepunten per beslissende instelling" in render(protected, "html", "nl").decode()


def test_the_disclosure_audit_attacks_the_recognition_cells_read_from_the_register(stacked: Stacked) -> None:
    """``report audit`` reads the decisions through the statistics port (both backends) and attacks their
    cells: one recognition is a protected cell that keeps k - 1 values; a refusal is no cell at all."""
    before = audit_disclosure(stacked.register.uow, threshold=5)
    refused = _decision(outcome="refused", reason="learning outcomes do not match", recognised_for="Ethics")
    stacked.register.recognition.record("andere", INSZ, stacked.credentials["B"].document, refused)
    assert audit_disclosure(stacked.register.uow, threshold=5).recognition_cells == before.recognition_cells == 0
    stacked.register.recognition.record("andere", INSZ, stacked.credentials["A"].document, _decision())
    found = audit_disclosure(stacked.register.uow, threshold=5)
    assert found.recognition_cells > 0
    assert found.recognition_protected >= 1
    assert found.protected - before.protected == found.recognition_protected
    assert found.passed, (found.narrowed, found.mismatches)
