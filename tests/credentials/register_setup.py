"""A small register for the issuing tests: two providers, a published offering, enrolments of every outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from microcred.bootstrap import Register
from microcred.domain import (
    Credential,
    Edition,
    Enrolment,
    GradingScheme,
    LangText,
    Learner,
    LearningOutcome,
    Offering,
    OfferingStatus,
    Outcome,
    ParticipationForm,
    Provider,
    ProviderType,
    QaKind,
    QualityAssurance,
    pseudonymise,
)
from microcred.services import issuance, status_lists
from microcred.services.status_lists import StateChange
from microcred.testing import FixedClock

PEPPER = "test-pepper-0123456789abcdef"
ISSUED_AT = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
ESCO_SKILL = "http://data.europa.eu/esco/skill/ccdf3597-5c80-410f-896d-e1bdfa223de9"


def learner(identifier: str, provider: str = "hoge") -> str:
    return pseudonymise(identifier, provider=provider, pepper=PEPPER)


def provider(slug: str, *, trusted: bool = True) -> Provider:
    records = (
        [QualityAssurance("https://www.nvao.net", QaKind.INSTITUTIONAL_REVIEW, date(2020, 1, 1))] if trusted else []
    )
    return Provider(
        slug=slug,
        name=LangText.of(f"Hogeschool {slug.title()}", f"{slug.title()} University College"),
        type=ProviderType.UNIVERSITY_COLLEGE,
        kbo_number="0123.456.749",
        erasmus_code="B BRUSSEL99",
        web_domain=f"{slug}.example.be",
        quality_assurances=records,
    )


def offering(slug: str, code: str = "DLT", *, validity_months: int | None = None, ects: str = "4") -> Offering:
    return Offering(
        provider=slug,
        code=code,
        title=LangText.of("Datageletterdheid voor leraren", "Data literacy for teachers"),
        description=LangText.of("Onderwijsdata lezen en bevragen.", "Reading and questioning educational data."),
        status=OfferingStatus.PUBLISHED,
        learning_outcomes=[
            LearningOutcome(LangText.of("Data kritisch lezen", "Read data critically"), ESCO_SKILL),
            LearningOutcome(LangText.of("Resultaten presenteren", "Present findings")),
        ],
        ects=Decimal(ects),
        hours=100,
        eqf_level=5,
        vks_level=5,
        isced_field="0114",
        assessment_type="2939dae15f",
        participation_form=ParticipationForm.BLENDED,
        quality_assurance=QaKind.INSTITUTIONAL_REVIEW,
        languages=["nl", "en"],
        grading_scheme=GradingScheme.TWENTY_POINT,
        prerequisites=LangText.of("Een bachelordiploma.", "A bachelor's degree."),
        validity_months=validity_months,
    )


@dataclass
class Seeded:
    register: Register
    clock: FixedClock

    def issue(self, reference: str, slug: str = "hoge") -> Credential:
        wired = self.register
        return issuance.issue_for_enrolment(
            slug, reference, uow=wired.uow, keys=wired.key_store, settings=wired.settings, clock=self.clock
        )

    def change(
        self, action: StateChange, credential_id: str, reason: str = "test", *, clock: FixedClock | None = None
    ) -> Credential:
        """Revoke, suspend or unsuspend at this register's fixed time (or at ``clock``'s)."""
        wired = self.register
        return status_lists.change_state(
            credential_id,
            action,
            reason,
            uow=wired.uow,
            keys=wired.key_store,
            settings=wired.settings,
            clock=clock or self.clock,
        )


def seed(register: Register, *, passed: int = 3, trusted: bool = True, validity_months: int | None = None) -> Seeded:
    """hoge (trusted unless told) with edition DLT-2024: ``passed`` passed, one failed, one still enrolled;
    andere, another provider, with one passed enrolment ``A-1``."""
    with register.uow() as work:
        for slug, is_trusted in (("hoge", trusted), ("andere", True)):
            work.providers.save(provider(slug, trusted=is_trusted))
            work.offerings.save(offering(slug, validity_months=validity_months))
            work.editions.save(Edition(slug, "DLT-2024", "DLT", date(2024, 9, 20), date(2025, 1, 31)))
        outcomes = [(f"P-{n}", Outcome.PASSED) for n in range(1, passed + 1)]
        outcomes += [("F-1", Outcome.FAILED), ("E-1", Outcome.ENROLLED)]
        for reference, outcome in outcomes:
            pseudonym = learner(reference)
            work.learners.save(Learner(pseudonym, email=f"{reference.lower()}@student.example.be"), provider="hoge")
            decided = outcome in (Outcome.PASSED, Outcome.FAILED)
            work.enrolments.save(
                Enrolment(
                    provider="hoge",
                    reference=reference,
                    edition_code="DLT-2024",
                    learner=pseudonym,
                    enrolment_date=date(2024, 9, 20),
                    outcome=outcome,
                    grade="14" if outcome is Outcome.PASSED else None,
                    outcome_date=date(2025, 1, 31) if decided else None,
                )
            )
        work.enrolments.save(
            Enrolment(
                provider="andere",
                reference="A-1",
                edition_code="DLT-2024",
                learner=learner("A-1", "andere"),
                enrolment_date=date(2024, 9, 20),
                outcome=Outcome.PASSED,
                outcome_date=date(2025, 1, 31),
            )
        )
        work.commit()
    return Seeded(register, FixedClock(ISSUED_AT))


def later(clock: FixedClock, **delta: float) -> FixedClock:
    return FixedClock(clock.now + timedelta(**delta))
