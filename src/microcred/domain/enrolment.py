"""Editions (runs of an offering) and learners' enrolments in them, with their outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from microcred.domain.codes import AgeBand, ContractType, EmploymentStatus, LearnerScheme, Outcome
from microcred.domain.values import AcademicYear
from microcred.errors import FieldProblem, Invalid

__all__ = ["Edition", "Enrolment", "check_academic_year"]


def check_academic_year(given: str | None, start: date) -> None:
    """A file's ``academic_year`` must be the year ``start`` falls in (a February start belongs to the year that
    began the previous September); Invalid naming both otherwise. Nothing given, nothing to check."""
    if not given:
        return
    stated, actual = AcademicYear.parse(given), AcademicYear.of(start)
    if stated != actual:
        raise Invalid.field("academic_year", "not-start-academic-year", given, year=str(actual))


@dataclass(slots=True)
class Edition:
    """One run of an offering in an academic year."""

    provider: str
    code: str
    offering_code: str
    start_date: date
    end_date: date | None = None  # not given: the last day of the academic year it starts in
    capacity: int | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        if self.end_date is None:
            self.end_date = self.academic_year.last_day

    @property
    def last_day(self) -> date:
        """The edition's last day (given, or the end of its academic year)."""
        return self.end_date or self.academic_year.last_day

    @property
    def academic_year(self) -> AcademicYear:
        """An edition belongs to the academic year in which it starts."""
        return AcademicYear.of(self.start_date)

    def validate(self) -> Edition:
        found: list[FieldProblem] = []
        if self.end_date is not None and self.end_date < self.start_date:
            found.append(FieldProblem("end_date", "before-start-date", self.end_date.isoformat()))
        if self.capacity is not None and not 1 <= self.capacity <= 100_000:
            found.append(FieldProblem("capacity", "capacity-range", self.capacity))
        if found:
            raise Invalid("edition-invalid", problems=found, code=self.code)
        return self


@dataclass(slots=True)
class Enrolment:
    """A learner's enrolment in an edition, as the provider recorded it, and how it ended."""

    provider: str
    reference: str  # the provider's own key for this enrolment
    edition_code: str
    learner: str  # pseudonym
    enrolment_date: date | None = None  # not given: the edition's start, filled in when it is stored
    learner_scheme: LearnerScheme | None = None  # None: not recorded (imported before decision 0018)
    contract_type: ContractType = ContractType.CREDIT
    employment_status: EmploymentStatus = EmploymentStatus.UNKNOWN
    age_band: AgeBand = AgeBand.UNKNOWN
    outcome: Outcome = Outcome.ENROLLED
    grade: str | None = None
    outcome_date: date | None = None
    id: int | None = None

    def validate(self) -> Enrolment:
        found: list[FieldProblem] = []
        decided = self.outcome in (Outcome.PASSED, Outcome.FAILED)
        outcome_date, enrolment_date = self.outcome_date, self.enrolment_date
        if outcome_date is not None and enrolment_date is not None and outcome_date < enrolment_date:
            found.append(FieldProblem("outcome_date", "before-enrolment-date", outcome_date.isoformat()))
        if self.grade is not None and not decided:
            found.append(FieldProblem("grade", "grade-without-result", self.grade))
        if self.grade is not None and len(self.grade) > 16:
            found.append(FieldProblem("grade", "too-long", self.grade, params={"limit": 16}))
        if found:
            raise Invalid("enrolment-invalid", problems=found, reference=self.reference)
        return self
