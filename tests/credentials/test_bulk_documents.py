"""A credential built from an offering's template, as a bulk issue builds it, is byte for byte the one built on
its own, and the one the register wrote before templates existed (decision 0036).

The signed JSON text of two fixed awards (one with a grade and an e-mail address, one with neither) is pinned
by its SHA-256, taken from main before the template (b0a3ffa; its document code is that of 000cd48, where this
work started) with the same key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from microcred.credentials.keys import SigningKey
from microcred.credentials.ob3 import (
    Award,
    LearnerIdentity,
    OpenBadgeTemplate,
    StatusEntry,
    open_badge_document,
    open_badge_proof,
    sign_open_badge,
)
from microcred.domain import Edition, Enrolment, Outcome, StatusPurpose
from tests.credentials.register_setup import learner, offering, provider

ISSUED = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
KEY = SigningKey.from_seed(bytes(range(32)))
METHOD = "did:web:register.example:providers:hoge#key-1"
LIST = "https://register.example/providers/hoge/status/message"
PINNED = {  # SHA-256 of the signed JSON text, as written by the code before decision 0036
    "P-1": "a7972486649788f1c49533ae4453fee32d874dc872ee781fb67ab3360e8deee0",
    "P-2": "2d53553b98f257f575dd3c18b4ad249c68f174b5c932ed808416bd6dff8510c8",
}


def _awards() -> list[Award]:
    edition = Edition("hoge", "DLT-2024", "DLT", date(2024, 9, 20), date(2025, 1, 31))
    shared = {"provider": provider("hoge"), "offering": offering("hoge", validity_months=24), "edition": edition}
    awards = []
    for number, (grade, email) in enumerate([("14", "p-1@student.example.be"), (None, None)], start=1):
        reference = f"P-{number}"
        enrolment = Enrolment(
            provider="hoge",
            reference=reference,
            edition_code="DLT-2024",
            learner=learner(reference),
            enrolment_date=date(2024, 9, 20),
            outcome=Outcome.PASSED,
            grade=grade,
            outcome_date=date(2025, 1, 31),
        )
        awards.append(
            Award(
                credential_id=f"urn:uuid:00000000-0000-4000-8000-00000000000{number}",
                enrolment=enrolment,
                learner=LearnerIdentity(salt=f"{number:032x}", email=email, pseudonym=enrolment.learner),
                issuer_did="did:web:register.example:providers:hoge",
                public_base_url="https://register.example",
                issued_at=ISSUED,
                valid_from=ISSUED,
                valid_until=datetime(2027, 6, 30, 12, 0, tzinfo=UTC),
                status=[StatusEntry(StatusPurpose.MESSAGE, 17 * number, LIST)],
                awarding_body_did="did:web:register.example:providers:hoge",
                **shared,
            )
        )
    return awards


def _text(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def _alone(award: Award) -> str:
    return _text(
        sign_open_badge(open_badge_document(award), signing_key=KEY, verification_method=METHOD, created=ISSUED)
    )


def test_a_template_writes_each_credential_of_a_batch_as_it_is_written_alone() -> None:
    awards = _awards()
    template = OpenBadgeTemplate(awards[0])
    for award in awards:
        document = template.document(award)
        proof = open_badge_proof(document, signing_key=KEY, verification_method=METHOD, created=ISSUED)
        assert _text({**document, "proof": [proof]}) == _alone(award)
        assert template.signed_json(document, proof) == _alone(award)  # the text a bulk issue stores


def test_the_stored_text_of_a_batch_credential_is_pinned_too() -> None:
    awards = _awards()
    template = OpenBadgeTemplate(awards[0])
    for award in [*awards, *awards]:  # the shared parts' text is written the first time and reused after
        document = template.document(award)
        proof = open_badge_proof(document, signing_key=KEY, verification_method=METHOD, created=ISSUED)
        text = template.signed_json(document, proof)
        assert hashlib.sha256(text.encode("utf-8")).hexdigest() == PINNED[award.enrolment.reference]


def test_a_template_writes_a_part_it_does_not_own_from_the_document_itself() -> None:
    award = _awards()[0]
    template = OpenBadgeTemplate(award)
    template.signed_json(template.document(award), {})  # the shared parts' text is now known
    document = template.document(award)
    document["issuer"] = {**document["issuer"], "name": "Ander – ïnstituut"}
    subject = document["credentialSubject"]
    subject["achievement"] = {**subject["achievement"], "name": "Other"}
    assert template.signed_json(document, {"proofValue": "z1"}) == _text({**document, "proof": [{"proofValue": "z1"}]})


@pytest.mark.parametrize("award", _awards(), ids=lambda award: award.enrolment.reference)
def test_a_credential_is_written_byte_for_byte_as_before_templates(award: Award) -> None:
    assert hashlib.sha256(_alone(award).encode("utf-8")).hexdigest() == PINNED[award.enrolment.reference]


def test_a_template_refuses_an_award_of_another_offering_or_moment() -> None:
    first, second = _awards()
    template = OpenBadgeTemplate(first)
    for other in (
        dataclasses.replace(second, offering=offering("hoge", code="OTHER")),
        dataclasses.replace(second, valid_from=datetime(2025, 7, 1, tzinfo=UTC)),
    ):
        with pytest.raises(ValueError, match="not of this template"):
            template.document(other)
