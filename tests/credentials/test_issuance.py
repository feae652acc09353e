"""Issuing, revoking and suspending credentials through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest

from microcred.bootstrap import Register
from microcred.credentials.canonical import canonicalization_route
from microcred.credentials.cryptosuites import EDDSA_RDFC_2022
from microcred.credentials.ob3 import sign_open_badge
from microcred.credentials.proofs import add_proof
from microcred.credentials.schema import validate_open_badge_credential
from microcred.credentials.status_list import MINIMUM_BITS, StatusList, status_list_entry
from microcred.domain import CredentialState, StatusPurpose
from microcred.errors import Conflict, Invalid, NotFound
from microcred.services import issuance, status_lists, verification
from microcred.services.status_lists import StateChange
from microcred.testing import FixedClock
from tests.credentials.register_setup import Seeded, later, seed


def verify(seeded: Seeded, document: Any, clock: FixedClock | None = None) -> dict[str, str]:
    wired = seeded.register
    result = verification.verify_document(
        document, uow=wired.uow, keys=wired.key_store, clock=clock or seeded.clock, remote=wired.remote
    )
    return {check.name: check.outcome for check in result.checks}


def change(seeded: Seeded, action: StateChange, credential_id: str, reason: str = "fraud in the exam") -> Any:
    return seeded.change(action, credential_id, reason)


def test_a_passed_enrolment_gets_a_credential_that_verifies(register: Register) -> None:
    seeded = seed(register)
    credential = seeded.issue("P-1")
    document = credential.document
    assert credential.uuid.startswith("urn:uuid:")
    assert document["id"] == credential.uuid
    assert validate_open_badge_credential(document) == []  # the official schema, the document unchanged
    assert document["issuer"]["id"] == register.key_store.did("hoge")
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["id"] == "http://127.0.0.1:8000/offerings/hoge/DLT"
    assert achievement["achievementType"] == "MicroCredential"
    assert achievement["creditsAvailable"] == 4
    assert isinstance(achievement["creditsAvailable"], int)
    assert achievement["eqfLevel"] == 5
    assert document["credentialSubject"]["result"][0]["value"] == "14"
    status = document["credentialStatus"]
    assert (status["statusPurpose"], status["statusSize"]) == ("message", 2)
    assert status["statusListIndex"] == str(credential.status_indexes[StatusPurpose.REVOCATION])
    assert verify(seeded, document) == dict.fromkeys(
        ("well-formed", "signature", "issuer", "trusted-provider", "status", "validity-period"), "pass"
    )


def test_an_issued_credential_and_its_proof_canonicalise_on_the_compiled_route(register: Register) -> None:
    document = seed(register).issue("P-1").document
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    configuration = {key: value for key, value in document["proof"][0].items() if key != "proofValue"}
    assert canonicalization_route(unsecured) == "compiled"
    assert canonicalization_route({**configuration, "@context": document["@context"]}) == "compiled"


def test_issuing_twice_gives_the_same_single_credential(register: Register) -> None:
    seeded = seed(register)
    first, second = seeded.issue("P-1"), seeded.issue("P-1")
    assert first.uuid == second.uuid
    assert first.document_json == second.document_json
    assert len(issuance.list_credentials("hoge", uow=register.uow)) == 1


@pytest.mark.parametrize("reference", ["F-1", "E-1"])
def test_failed_and_unfinished_enrolments_earn_no_credential(register: Register, reference: str) -> None:
    seeded = seed(register)
    with pytest.raises(Conflict, match="only a passed enrolment"):
        seeded.issue(reference)
    assert issuance.list_credentials("hoge", uow=register.uow) == []


def test_a_provider_cannot_issue_for_another_providers_enrolment(register: Register) -> None:
    seeded = seed(register)
    with pytest.raises(NotFound, match="no enrolment with reference 'A-1'"):
        seeded.issue("A-1", slug="hoge")
    credential = seeded.issue("A-1", slug="andere")
    with pytest.raises(NotFound):
        issuance.get_credential(credential.uuid, uow=register.uow, provider="hoge")
    with pytest.raises(NotFound):
        register.issuance.revoke(credential.uuid, "not ours", provider="hoge")


def test_an_offering_missing_eu_elements_is_refused(register: Register) -> None:
    seeded = seed(register)
    with register.uow() as work:
        incomplete = work.offerings.get("hoge", "DLT")
        incomplete.eqf_level = None
        incomplete.status = incomplete.status.DRAFT
        work.offerings.save(incomplete)
        work.commit()
    with pytest.raises(Invalid, match="eqf_level"):
        seeded.issue("P-1")


def test_issuing_for_an_edition_covers_every_passed_enrolment_once(register: Register) -> None:
    seeded = seed(register, passed=4)
    seeded.issue("P-2")
    seen: list[tuple[int, int]] = []
    issued = issuance.issue_for_edition(
        "hoge",
        "DLT-2024",
        uow=register.uow,
        keys=register.key_store,
        settings=register.settings,
        clock=seeded.clock,
        progress=lambda done, total: seen.append((done, total)),
        batch_size=2,
    )
    assert issued == 3, "P-2 had its credential"
    assert seen == [(2, 3), (3, 3)], "progress is told after each batch"
    stored = issuance.list_credentials("hoge", uow=register.uow)
    assert sorted(c.enrolment_reference for c in stored) == ["P-1", "P-2", "P-3", "P-4"]
    again = issuance.issue_for_edition(
        "hoge", "DLT-2024", uow=register.uow, keys=register.key_store, settings=register.settings, clock=seeded.clock
    )
    assert again == 0
    indexes = [c.status_indexes[StatusPurpose.REVOCATION] for c in issuance.list_credentials("hoge", uow=register.uow)]
    assert len(set(indexes)) == 4
    assert all(0 <= index < register.settings.status_list_size for index in indexes)


def test_revoked_credential_fails_the_status_check(register: Register) -> None:
    seeded = seed(register)
    revoked, kept = seeded.issue("P-1"), seeded.issue("P-2")
    result = change(seeded, "revoke", revoked.uuid)
    assert result.state is CredentialState.REVOKED
    assert result.state_reason == "fraud in the exam"
    assert verify(seeded, revoked.document)["status"] == "fail"
    assert verify(seeded, kept.document)["status"] == "pass"
    listed = status_lists.status_list_document("hoge", "revocation", register.uow)
    bits = StatusList.decode(listed["credentialSubject"]["encodedList"])
    assert bits.length >= MINIMUM_BITS
    assert bits.set_indexes() == [revoked.status_indexes[StatusPurpose.REVOCATION]]
    with pytest.raises(Conflict, match="already revoked"):
        change(seeded, "revoke", revoked.uuid)


def test_the_message_list_holds_valid_suspended_and_revoked_in_two_bits_per_credential(register: Register) -> None:
    seeded = seed(register)
    revoked, suspended, kept = seeded.issue("P-1"), seeded.issue("P-2"), seeded.issue("P-3")
    change(seeded, "revoke", revoked.uuid)
    change(seeded, "suspend", suspended.uuid)
    listed = status_lists.status_list_document("hoge", "message", register.uow)
    assert listed["credentialSubject"]["statusPurpose"] == "message"
    bits = StatusList.decode(listed["credentialSubject"]["encodedList"])
    assert bits.length == 2 * MINIMUM_BITS
    values = {c.uuid: bits.value(c.status_indexes[StatusPurpose.REVOCATION], 2) for c in (revoked, suspended, kept)}
    assert values == {revoked.uuid: 0x2, suspended.uuid: 0x1, kept.uuid: 0x0}
    assert [verify(seeded, c.document)["status"] for c in (revoked, suspended, kept)] == ["fail", "fail", "pass"]
    change(seeded, "unsuspend", suspended.uuid, "cleared")
    assert verify(seeded, suspended.document)["status"] == "pass"


def _legacy_copy(seeded: Seeded, credential: Any) -> dict[str, Any]:
    """The credential as the register issued it before decision 0015: two status entries, re-signed."""
    wired = seeded.register
    unsigned = {key: value for key, value in credential.document.items() if key != "proof"}
    base = f"{wired.settings.public_base_url.rstrip('/')}/providers/hoge/status/"
    unsigned["credentialStatus"] = [
        status_list_entry(
            list_credential_url=base + purpose.value, index=credential.status_indexes[purpose], purpose=purpose.value
        )
        for purpose in (StatusPurpose.REVOCATION, StatusPurpose.SUSPENSION)
    ]
    with wired.uow() as work:
        key, method = wired.key_store.signing_key(work, "hoge", seeded.clock())
    return add_proof(
        unsigned, suite=EDDSA_RDFC_2022, signing_key=key, verification_method=method, created=seeded.clock()
    )


def test_credentials_issued_with_two_status_entries_still_verify_suspension_and_revocation(register: Register) -> None:
    seeded = seed(register)
    credential = seeded.issue("P-1")
    legacy = _legacy_copy(seeded, credential)
    assert set(verify(seeded, legacy).values()) == {"pass"}
    change(seeded, "suspend", credential.uuid, "investigation")
    assert verify(seeded, legacy)["status"] == "fail"
    change(seeded, "unsuspend", credential.uuid, "cleared")
    assert verify(seeded, legacy)["status"] == "pass"
    change(seeded, "revoke", credential.uuid)
    assert verify(seeded, legacy)["status"] == "fail"


def test_suspension_can_be_lifted_and_revocation_needs_a_reason(register: Register) -> None:
    seeded = seed(register)
    credential = seeded.issue("P-1")
    change(seeded, "suspend", credential.uuid, "investigation")
    wired = register
    outcome = verification.verify_document(
        credential.document, uow=wired.uow, keys=wired.key_store, clock=seeded.clock, remote=wired.remote
    )
    assert outcome.check("status").outcome == "fail"
    assert "suspended" in outcome.check("status").reason("en")
    assert "geschorst" in outcome.check("status").reason("nl")
    change(seeded, "unsuspend", credential.uuid, "cleared")
    assert verify(seeded, credential.document)["status"] == "pass"
    with pytest.raises(Conflict, match="not suspended"):
        change(seeded, "unsuspend", credential.uuid, "again")
    with pytest.raises(Invalid, match="reason"):
        change(seeded, "revoke", credential.uuid, "   ")


def test_an_expired_credential_fails_the_validity_check(register: Register) -> None:
    seeded = seed(register, validity_months=12)
    credential = seeded.issue("P-1")
    assert credential.document["validUntil"] == "2026-06-30T12:00:00Z"
    assert verify(seeded, credential.document, later(seeded.clock, days=364))["validity-period"] == "pass"
    checks = verify(seeded, credential.document, later(seeded.clock, days=366))
    assert checks["validity-period"] == "fail"
    assert checks["signature"] == "pass"
    assert verify(seeded, credential.document, later(seeded.clock, days=-1))["validity-period"] == "fail"


def test_an_untrusted_provider_issues_credentials_that_fail_the_trust_check(register: Register) -> None:
    seeded = seed(register, trusted=False)
    checks = verify(seeded, seeded.issue("P-1").document)
    assert checks["trusted-provider"] == "fail"
    assert checks["signature"] == "pass"


def test_key_rotation_keeps_older_credentials_verifiable(register: Register) -> None:
    seeded = seed(register)
    old = seeded.issue("P-1")
    new_key = status_lists.rotate_key(
        "hoge", uow=register.uow, keys=register.key_store, settings=register.settings, clock=seeded.clock
    )
    new = seeded.issue("P-2")
    assert old.public_key_multibase != new_key == new.public_key_multibase
    assert new.document["proof"][0]["verificationMethod"].endswith("#" + new_key)
    for credential in (old, new):
        assert verify(seeded, credential.document)["signature"] == "pass"
    did_document = verification.did_document("hoge", uow=register.uow, keys=register.key_store)
    listed = [method["publicKeyMultibase"] for method in did_document["verificationMethod"]]
    assert listed == [new_key, old.public_key_multibase]
    old_method = f"{did_document['id']}#{old.public_key_multibase}"
    assert old_method in did_document["assertionMethod"]
    assert old_method not in did_document["authentication"]
    with register.uow() as work:
        keys = work.signing_keys.all("hoge")
    assert [key.is_current for key in keys] == [True, False]
    # The status lists were re-signed with the new key and still verify the old credential's status.
    change(seeded, "revoke", old.uuid)
    assert verify(seeded, old.document)["status"] == "fail"


def test_the_status_list_credential_is_signed_by_the_provider(register: Register) -> None:
    seeded = seed(register)
    seeded.issue("P-1")
    for purpose in StatusPurpose:
        listed = status_lists.status_list_document("hoge", purpose, register.uow)
        assert listed["issuer"] == register.key_store.did("hoge")
        assert listed["credentialSubject"]["statusPurpose"] == purpose.value
        assert listed["id"].endswith(f"/providers/hoge/status/{purpose.value}")
    with pytest.raises(NotFound):
        status_lists.status_list_document("andere", "revocation", register.uow)
    with pytest.raises(NotFound):
        status_lists.status_list_document("hoge", "other", register.uow)


def test_signing_neither_changes_the_document_nor_shares_any_part_of_it(register: Register) -> None:
    """Issuing signs a document without a defensive deep copy (decision 0025): this is what makes that safe."""
    seeded = seed(register)
    unsigned = {name: value for name, value in seeded.issue("P-1").document.items() if name != "proof"}
    before = json.dumps(unsigned, sort_keys=True)
    with register.uow() as work:
        key, method = register.key_store.signing_key(work, "hoge", seeded.clock())
    signed = sign_open_badge(unsigned, signing_key=key, verification_method=method, created=seeded.clock())
    assert json.dumps(unsigned, sort_keys=True) == before
    signed["credentialSubject"]["achievement"]["name"] = "changed after signing"
    assert unsigned["credentialSubject"]["achievement"]["name"] != "changed after signing"
