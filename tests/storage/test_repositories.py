"""Repositories on both backends: records round-trip, upserts report their change, learners stay pseudonyms."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from microcred.bootstrap import Register
from microcred.domain import (
    Change,
    Edition,
    EmploymentStatus,
    Enrolment,
    Learner,
    Outcome,
    QaKind,
    QualityAssurance,
    pseudonymise,
)
from microcred.errors import NotFound
from tests.conftest import TEST_PEPPER
from tests.storage.records import a_provider, an_offering


def test_provider_round_trips_with_its_qa_records(register: Register) -> None:
    with register.uow() as work:
        assert work.providers.save(a_provider()) is Change.CREATED
        work.commit()
    with register.uow() as work:
        stored = work.providers.get("ugent")
    expected = a_provider()
    expected.id = stored.id
    expected.quality_assurances = [
        replace(r, id=s.id) for r, s in zip(expected.quality_assurances, stored.quality_assurances, strict=True)
    ]
    assert stored == expected


def test_saving_the_same_provider_twice_changes_nothing(register: Register) -> None:
    with register.uow() as work:
        work.providers.save(a_provider())
        assert work.providers.save(a_provider()) is Change.UNCHANGED
        changed = a_provider()
        changed.quality_assurances.append(QualityAssurance("NVAO", QaKind.INSTITUTIONAL_REVIEW, date(2026, 1, 2)))
        assert work.providers.save(changed) is Change.UPDATED
        assert len(work.providers.get("ugent").quality_assurances) == 2


def test_offering_round_trips_every_element(register: Register) -> None:
    with register.uow() as work:
        work.providers.save(a_provider())
        assert work.offerings.save(an_offering()) is Change.CREATED
        assert work.offerings.save(an_offering()) is Change.UNCHANGED
        stored = work.offerings.get("ugent", "MC-1")
        assert work.offerings.save(replace(an_offering(), ects=Decimal(5))) is Change.UPDATED
    assert replace(stored, id=None) == an_offering()


def test_enrolment_round_trips_and_learner_is_a_pseudonym(register: Register) -> None:
    learner = pseudonymise("r0123456", provider="ugent", pepper=TEST_PEPPER)
    enrolment = Enrolment(
        provider="ugent",
        reference="E1",
        edition_code="MC-1-2024",
        learner=learner,
        enrolment_date=date(2024, 9, 20),
        employment_status=EmploymentStatus.EMPLOYED,
        outcome=Outcome.PASSED,
        grade="14",
        outcome_date=date(2025, 1, 31),
    )
    with register.uow() as work:
        work.providers.save(a_provider())
        work.offerings.save(an_offering())
        work.editions.save(Edition("ugent", "MC-1-2024", "MC-1", date(2024, 9, 20), date(2025, 1, 31), 30))
        work.learners.save(Learner(learner, email="learner@example.org"), provider="ugent")
        assert work.enrolments.save(enrolment) is Change.CREATED
        assert work.enrolments.save(replace(enrolment)) is Change.UNCHANGED
        work.commit()
    with register.uow() as work:
        stored = work.enrolments.get("ugent", "E1")
        assert work.learners.email_of(learner, "ugent") == "learner@example.org"
        assert work.editions.get("ugent", "MC-1-2024").academic_year.start_year == 2024
    assert stored == enrolment


def test_unknown_references_are_reported_as_not_found(register: Register) -> None:
    with register.uow() as work:
        with pytest.raises(NotFound, match="nope"):
            work.offerings.save(replace(an_offering(), provider="nope"))
        work.providers.save(a_provider())
        with pytest.raises(NotFound, match="MC-404"):
            work.editions.save(Edition("ugent", "E", "MC-404", date(2024, 9, 1), date(2024, 12, 1)))


def test_raw_learner_identifier_is_never_stored(register: Register) -> None:
    if not register.settings.is_sqlite:
        pytest.skip("scans the SQLite database file")
    raw = "r0987654-unique-student-number"
    learner = pseudonymise(raw, provider="ugent", pepper=TEST_PEPPER)
    with register.uow() as work:
        work.providers.save(a_provider())
        work.offerings.save(an_offering())
        work.editions.save(Edition("ugent", "ED", "MC-1", date(2024, 9, 20), date(2025, 1, 31)))
        work.enrolments.save(Enrolment("ugent", "E1", "ED", learner, date(2024, 9, 20)))
        work.commit()
    register.close()
    database = Path(register.settings.database_url.removeprefix("sqlite:///"))
    stored = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    assert learner.encode() in stored
    assert raw.encode() not in stored
