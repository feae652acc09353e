"""Request (``XIn``) and response (``XOut``) bodies, with length limits; converted to and from the domain."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints, model_validator

from microcred.domain import (
    AgeBand,
    ContractType,
    Edition,
    EmploymentStatus,
    Enrolment,
    FlemishMcType,
    GradingScheme,
    LangText,
    LearningOutcome,
    Offering,
    OfferingKind,
    OfferingStatus,
    Outcome,
    ParticipationForm,
    Provider,
    ProviderType,
    QaKind,
    QualityAssurance,
)
from microcred.errors import FieldProblem

__all__ = [
    "EditionIn",
    "EditionOut",
    "EnrolmentIn",
    "EnrolmentOut",
    "FieldProblemOut",
    "InputModel",
    "OfferingIn",
    "OfferingOut",
    "ProviderIn",
    "ProviderOut",
    "QualityAssuranceIn",
    "QualityAssuranceOut",
    "TrustedProviderOut",
]

Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$")]
Slug = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")]
ShortText = Annotated[str, StringConstraints(max_length=200)]
Texts = Annotated[
    dict[Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")], Annotated[str, StringConstraints(max_length=4000)]],
    Field(max_length=8, examples=[{"nl": "Data-analyse", "en": "Data analysis"}]),
]
Ects = Annotated[
    Decimal,
    Field(gt=0, le=60, decimal_places=1, max_digits=3),
    PlainSerializer(float, return_type=float, when_used="json"),
]
_IN = ConfigDict(extra="forbid")
# NUL and the other C0 controls (but tab, newline, carriage return) belong in no register text, and
# PostgreSQL cannot store NUL at all: refuse them in every request body, naming the field.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _control_character_at(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return path if _CONTROL.search(value) else None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and _CONTROL.search(key):
            return f"{path}.{key!r}".lstrip(".")
        found = _control_character_at(item, f"{path}.{key}".lstrip("."))
        if found:
            return found
    return None


class InputModel(BaseModel):
    """Base of every request body: unknown fields and control characters are refused."""

    model_config = _IN

    @model_validator(mode="before")
    @classmethod
    def _refuse_control_characters(cls, data: Any) -> Any:
        found = _control_character_at(data, "")
        if found is not None:
            raise ValueError(f"{found} contains a control character, which register texts may not hold")
        return data


class FieldProblemOut(BaseModel):
    field: str
    reason: str
    code: str

    @classmethod
    def of(cls, problem: FieldProblem) -> FieldProblemOut:
        return cls(field=problem.field, reason=problem.reason, code=problem.code)


class QualityAssuranceIn(InputModel):
    agency: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    kind: QaKind
    valid_from: date
    valid_until: date | None = None
    reference: Annotated[str, StringConstraints(max_length=500)] | None = None

    def to_domain(self) -> QualityAssurance:
        return QualityAssurance(self.agency, self.kind, self.valid_from, self.valid_until, self.reference)


class QualityAssuranceOut(BaseModel):
    agency: str
    kind: QaKind
    valid_from: date
    valid_until: date | None
    reference: str | None

    @classmethod
    def of(cls, record: QualityAssurance) -> QualityAssuranceOut:
        return cls(
            agency=record.agency,
            kind=record.kind,
            valid_from=record.valid_from,
            valid_until=record.valid_until,
            reference=record.reference,
        )


class ProviderIn(InputModel):
    slug: Slug
    name: Texts
    type: ProviderType
    country: Annotated[str, StringConstraints(min_length=2, max_length=2)] = "BE"
    short_name: Texts = Field(default_factory=dict)
    region: Annotated[str, StringConstraints(max_length=16)] | None = None
    kbo_number: Annotated[str, StringConstraints(max_length=16)] | None = None
    erasmus_code: Annotated[str, StringConstraints(max_length=32)] | None = None
    schac_code: Annotated[str, StringConstraints(max_length=128)] | None = None
    web_domain: Annotated[str, StringConstraints(max_length=128)] | None = None
    quality_assurances: list[QualityAssuranceIn] = Field(default_factory=list, max_length=20)

    def to_domain(self) -> Provider:
        return Provider(
            slug=self.slug,
            name=LangText(self.name),
            type=self.type,
            country=self.country,
            short_name=LangText(self.short_name),
            region=self.region,
            kbo_number=self.kbo_number,
            erasmus_code=self.erasmus_code,
            schac_code=self.schac_code,
            web_domain=self.web_domain,
            quality_assurances=[record.to_domain() for record in self.quality_assurances],
        )


class ProviderOut(BaseModel):
    slug: str
    name: dict[str, str]
    short_name: dict[str, str]
    type: ProviderType
    country: str
    region: str | None
    kbo_number: str | None
    erasmus_code: str | None
    schac_code: str | None
    web_domain: str | None
    quality_assurances: list[QualityAssuranceOut]
    trusted: bool = Field(description="a quality-assurance record is valid today")

    @classmethod
    def of(cls, provider: Provider, *, trusted: bool) -> ProviderOut:
        return cls(
            slug=provider.slug,
            name=provider.name.as_dict(),
            short_name=provider.short_name.as_dict(),
            type=provider.type,
            country=provider.country,
            region=provider.region,
            kbo_number=provider.kbo_number,
            erasmus_code=provider.erasmus_code,
            schac_code=provider.schac_code,
            web_domain=provider.web_domain,
            quality_assurances=[QualityAssuranceOut.of(r) for r in provider.quality_assurances],
            trusted=trusted,
        )


class TrustedProviderOut(BaseModel):
    slug: str
    name: dict[str, str]
    quality_assurances: list[QualityAssuranceOut]


class LearningOutcomeIo(InputModel):
    text: Texts
    esco_skill: Annotated[str, StringConstraints(max_length=200)] | None = None


class OfferingIn(InputModel):
    """An offering; a ``published`` one must carry every mandatory EU element (see ``…/check``)."""

    code: Code
    title: Texts
    kind: OfferingKind = OfferingKind.MICRO_CREDENTIAL
    status: OfferingStatus = OfferingStatus.DRAFT
    description: Texts = Field(default_factory=dict)
    awarding_body: Slug | None = None
    issuer_country: Annotated[str, StringConstraints(min_length=2, max_length=2)] | None = "BE"
    learning_outcomes: list[LearningOutcomeIo] = Field(default_factory=list, max_length=50)
    ects: Ects | None = None
    hours: Annotated[int, Field(ge=1, le=1800)] | None = None
    eqf_level: Annotated[int, Field(ge=1, le=8)] | None = None
    vks_level: Annotated[int, Field(ge=1, le=8)] | None = None
    isced_field: Annotated[str, StringConstraints(max_length=4)] | None = None
    assessment_type: Annotated[str, StringConstraints(max_length=32)] | None = None
    participation_form: ParticipationForm | None = None
    quality_assurance: QaKind | None = None
    languages: list[Annotated[str, StringConstraints(min_length=2, max_length=2)]] = Field(
        default_factory=list, max_length=10
    )
    flemish_type: FlemishMcType | None = None
    prerequisites: Texts = Field(default_factory=dict)
    identity_check: Annotated[str, StringConstraints(max_length=32)] | None = None
    grading_scheme: GradingScheme | None = None
    stackable_into: list[ShortText] = Field(default_factory=list, max_length=20)
    info_url: Annotated[str, StringConstraints(max_length=500)] | None = None
    validity_months: Annotated[int, Field(ge=1, le=1200)] | None = None

    def to_domain(self, provider: str) -> Offering:
        return Offering(
            provider=provider,
            code=self.code,
            title=LangText(self.title),
            kind=self.kind,
            status=self.status,
            description=LangText(self.description),
            awarding_body=self.awarding_body,
            issuer_country=self.issuer_country,
            learning_outcomes=[LearningOutcome(LangText(o.text), o.esco_skill) for o in self.learning_outcomes],
            ects=self.ects,
            hours=self.hours,
            eqf_level=self.eqf_level,
            vks_level=self.vks_level,
            isced_field=self.isced_field,
            assessment_type=self.assessment_type,
            participation_form=self.participation_form,
            quality_assurance=self.quality_assurance,
            languages=list(self.languages),
            flemish_type=self.flemish_type,
            prerequisites=LangText(self.prerequisites),
            identity_check=self.identity_check,
            grading_scheme=self.grading_scheme,
            stackable_into=list(self.stackable_into),
            info_url=self.info_url,
            validity_months=self.validity_months,
        )


class OfferingOut(BaseModel):
    provider: str
    code: str
    title: dict[str, str]
    kind: OfferingKind
    status: OfferingStatus
    description: dict[str, str]
    awarding_body: str
    issuer_country: str | None
    learning_outcomes: list[LearningOutcomeIo]
    ects: Ects | None
    hours: int | None
    eqf_level: int | None
    vks_level: int | None
    isced_field: str | None
    assessment_type: str | None
    participation_form: ParticipationForm | None
    quality_assurance: QaKind | None
    languages: list[str]
    flemish_type: FlemishMcType | None
    prerequisites: dict[str, str]
    identity_check: str | None
    grading_scheme: GradingScheme | None
    stackable_into: list[str]
    info_url: str | None
    validity_months: int | None

    @classmethod
    def of(cls, offering: Offering) -> OfferingOut:
        return cls(
            provider=offering.provider,
            code=offering.code,
            title=offering.title.as_dict(),
            kind=offering.kind,
            status=offering.status,
            description=offering.description.as_dict(),
            awarding_body=offering.awarding_provider,
            issuer_country=offering.issuer_country,
            learning_outcomes=[
                LearningOutcomeIo(text=o.text.as_dict(), esco_skill=o.esco_skill) for o in offering.learning_outcomes
            ],
            ects=offering.ects,
            hours=offering.hours,
            eqf_level=offering.eqf_level,
            vks_level=offering.vks_level,
            isced_field=offering.isced_field,
            assessment_type=offering.assessment_type,
            participation_form=offering.participation_form,
            quality_assurance=offering.quality_assurance,
            languages=list(offering.languages),
            flemish_type=offering.flemish_type,
            prerequisites=offering.prerequisites.as_dict(),
            identity_check=offering.identity_check,
            grading_scheme=offering.grading_scheme,
            stackable_into=list(offering.stackable_into),
            info_url=offering.info_url,
            validity_months=offering.validity_months,
        )


class EditionIn(InputModel):
    code: Code
    start_date: date
    end_date: date
    capacity: Annotated[int, Field(ge=1, le=100_000)] | None = None

    def to_domain(self, provider: str, offering_code: str) -> Edition:
        return Edition(provider, self.code, offering_code, self.start_date, self.end_date, self.capacity)


class EditionOut(BaseModel):
    provider: str
    code: str
    offering_code: str
    academic_year: str
    start_date: date
    end_date: date
    capacity: int | None

    @classmethod
    def of(cls, edition: Edition) -> EditionOut:
        return cls(
            provider=edition.provider,
            code=edition.code,
            offering_code=edition.offering_code,
            academic_year=str(edition.academic_year),
            start_date=edition.start_date,
            end_date=edition.end_date,
            capacity=edition.capacity,
        )


class EnrolmentIn(InputModel):
    """An enrolment; ``learner_id`` (an INSZ or student number) is turned into a pseudonym and not kept."""

    reference: Code
    edition_code: Code
    learner_id: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    learner_email: Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")] | None = None
    enrolment_date: date
    contract_type: ContractType = ContractType.CREDIT
    employment_status: EmploymentStatus = EmploymentStatus.UNKNOWN
    age_band: AgeBand = AgeBand.UNKNOWN
    outcome: Outcome = Outcome.ENROLLED
    grade: Annotated[str, StringConstraints(max_length=16)] | None = None
    outcome_date: date | None = None

    def to_domain(self, provider: str) -> Enrolment:
        return Enrolment(
            provider=provider,
            reference=self.reference,
            edition_code=self.edition_code,
            learner="",  # set by the service from learner_id
            enrolment_date=self.enrolment_date,
            contract_type=self.contract_type,
            employment_status=self.employment_status,
            age_band=self.age_band,
            outcome=self.outcome,
            grade=self.grade,
            outcome_date=self.outcome_date,
        )


class EnrolmentOut(BaseModel):
    provider: str
    reference: str
    edition_code: str
    learner: str = Field(description="the learner's pseudonym (never the identifier sent in)")
    enrolment_date: date
    contract_type: ContractType
    employment_status: EmploymentStatus
    age_band: AgeBand
    outcome: Outcome
    grade: str | None
    outcome_date: date | None

    @classmethod
    def of(cls, enrolment: Enrolment) -> EnrolmentOut:
        return cls(
            provider=enrolment.provider,
            reference=enrolment.reference,
            edition_code=enrolment.edition_code,
            learner=enrolment.learner,
            enrolment_date=enrolment.enrolment_date,
            contract_type=enrolment.contract_type,
            employment_status=enrolment.employment_status,
            age_band=enrolment.age_band,
            outcome=enrolment.outcome,
            grade=enrolment.grade,
            outcome_date=enrolment.outcome_date,
        )


class TokenOut(BaseModel):
    """What the API tells a caller about its own token (never the secret)."""

    kind: str
    provider: str | None
    scopes: list[str]
    checked_at: datetime
