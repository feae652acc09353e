"""Storage on both backends: records round-trip, upserts report their change, migrations go up and down."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import insert, inspect, text
from sqlalchemy.exc import IntegrityError

from microcred.bootstrap import Register
from microcred.domain import (
    Change,
    Edition,
    EmploymentStatus,
    Enrolment,
    LangText,
    Learner,
    LearningOutcome,
    Offering,
    Outcome,
    ParticipationForm,
    Provider,
    ProviderType,
    QaKind,
    QualityAssurance,
    pseudonymise,
)
from microcred.errors import Conflict, NotFound
from microcred.storage import migrate
from microcred.storage.tables import learners
from tests.conftest import TEST_PEPPER


def a_provider() -> Provider:
    return Provider(
        slug="ugent",
        name=LangText.of("Universiteit Gent", "Ghent University"),
        type=ProviderType.UNIVERSITY,
        region="BE23",
        kbo_number="0248.015.142",
        erasmus_code="B  GENT01",
        web_domain="ugent.be",
        quality_assurances=[QualityAssurance("NVAO", QaKind.INSTITUTIONAL_REVIEW, date(2020, 1, 1), date(2026, 1, 1))],
    )


def an_offering() -> Offering:
    return Offering(
        provider="ugent",
        code="MC-1",
        title=LangText.of("Datageletterdheid", "Data literacy"),
        learning_outcomes=[LearningOutcome(LangText.of("Data lezen", "Read data"))],
        ects=Decimal("4.5"),
        eqf_level=6,
        vks_level=6,
        isced_field="0613",
        assessment_type="2939dae15f",
        participation_form=ParticipationForm.BLENDED,
        quality_assurance=QaKind.INSTITUTIONAL_REVIEW,
        languages=["nl", "en"],
        stackable_into=["Postgraduaat Data Science"],
    )


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


def test_nothing_is_kept_without_commit(register: Register) -> None:
    with register.uow() as work:
        work.providers.save(a_provider())
    with register.uow() as work, pytest.raises(NotFound):
        work.providers.get("ugent")


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


def test_a_record_another_writer_stored_first_is_a_conflict_not_a_driver_error(register: Register) -> None:
    """Two writers that both found no learner ``p-1`` insert it: the database refuses the second, as a Conflict."""
    with register.uow() as work:
        work.connection.execute(insert(learners).values(pseudonym="p-1"))
        work.commit()
    with pytest.raises(Conflict, match="at the same moment"), register.uow() as work:
        work.connection.execute(insert(learners).values(pseudonym="p-1"))
    with pytest.raises(IntegrityError), register.uow() as work:  # a missing value is a bug, not a race
        work.connection.execute(insert(learners).values(pseudonym=None))


def test_migrations_go_down_to_nothing_and_up_again(register: Register) -> None:
    assert migrate.is_up_to_date(register.engine)
    migrate.downgrade(register.engine, "base")
    assert not migrate.is_up_to_date(register.engine)
    assert set(inspect(register.engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(register.engine)
    assert {"providers", "offerings", "editions", "enrolments", "learners"} <= set(
        inspect(register.engine).get_table_names()
    )


def test_sqlite_runs_in_wal_mode(register: Register) -> None:
    if not register.settings.is_sqlite:
        pytest.skip("WAL is a SQLite setting")
    with register.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


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


def test_lower_folds_case_beyond_ascii_on_both_backends(register: Register) -> None:
    """Sort keys such as an offering's title use SQL lower(); SQLite's own only folds A-Z."""
    with register.engine.connect() as connection:
        assert connection.execute(text("SELECT lower('ÉCOLE Ärzte Data')")).scalar() == "école ärzte data"
