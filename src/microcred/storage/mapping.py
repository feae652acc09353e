"""Row <-> domain conversions, kept in one place so every repository reads and writes the same way."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Row

from microcred.domain import (
    AgeBand,
    ContractType,
    Edition,
    EmploymentStatus,
    Enrolment,
    FlemishMcType,
    GradingScheme,
    LangText,
    LearnerScheme,
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

__all__ = [
    "edition_from_row",
    "edition_values",
    "enrolment_from_row",
    "enrolment_values",
    "offering_from_row",
    "offering_values",
    "provider_from_row",
    "provider_values",
    "qa_from_row",
]


def provider_values(provider: Provider) -> dict[str, Any]:
    return {
        "slug": provider.slug,
        "name": provider.name.as_dict(),
        "short_name": provider.short_name.as_dict(),
        "type": provider.type.value,
        "country": provider.country,
        "region": provider.region,
        "kbo_number": provider.kbo_number,
        "erasmus_code": provider.erasmus_code,
        "schac_code": provider.schac_code,
        "web_domain": provider.web_domain,
    }


def provider_from_row(row: Row[Any], records: list[QualityAssurance]) -> Provider:
    return Provider(
        id=row.id,
        slug=row.slug,
        name=LangText(row.name),
        short_name=LangText(row.short_name),
        type=ProviderType(row.type),
        country=row.country,
        region=row.region,
        kbo_number=row.kbo_number,
        erasmus_code=row.erasmus_code,
        schac_code=row.schac_code,
        web_domain=row.web_domain,
        quality_assurances=records,
    )


def qa_from_row(row: Row[Any]) -> QualityAssurance:
    return QualityAssurance(
        id=row.id,
        agency=row.agency,
        kind=QaKind(row.kind),
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        reference=row.reference,
    )


def _outcome_values(outcome: LearningOutcome) -> dict[str, Any]:
    """An outcome as stored, with its ESCO skill's English labels copied in: both search indexes are built by the
    database from the row alone (decision 0032); reading ignores them, the vocabulary is the source."""
    values: dict[str, Any] = {"text": outcome.text.as_dict(), "esco_skill": outcome.esco_skill}
    if outcome.skill_labels:
        values["esco_labels"] = {"en": list(outcome.skill_labels)}
    return values


def offering_values(offering: Offering) -> dict[str, Any]:
    return {
        "code": offering.code,
        "title": offering.title.as_dict(),
        "description": offering.description.as_dict(),
        "kind": offering.kind.value,
        "status": offering.status.value,
        "awarding_body": offering.awarding_body,
        "issuer_country": offering.issuer_country,
        "learning_outcomes": [_outcome_values(outcome) for outcome in offering.learning_outcomes],
        "ects": offering.ects,
        "hours": offering.hours,
        "eqf_level": offering.eqf_level,
        "vks_level": offering.vks_level,
        "isced_field": offering.isced_field,
        "assessment_type": offering.assessment_type,
        "participation_form": _value(offering.participation_form),
        "quality_assurance": _value(offering.quality_assurance),
        "languages": list(offering.languages),
        "flemish_type": _value(offering.flemish_type),
        "prerequisites": offering.prerequisites.as_dict(),
        "identity_check": offering.identity_check,
        "grading_scheme": _value(offering.grading_scheme),
        "stackable_into": list(offering.stackable_into),
        "info_url": offering.info_url,
        "validity_months": offering.validity_months,
        "price_eur": offering.price_eur,
    }


def ects_from_column(value: Any) -> Decimal | None:
    """ECTS as stored (one decimal), written without a needless ``.0`` (``5``, ``2.5``) on every backend."""
    if value is None:
        return None
    ects = Decimal(value).quantize(Decimal("0.1"))
    return Decimal(int(ects)) if ects == ects.to_integral_value() else ects


def offering_from_row(row: Row[Any], provider_slug: str) -> Offering:
    ects = ects_from_column(row.ects)
    return Offering(
        id=row.id,
        provider=provider_slug,
        code=row.code,
        title=LangText(row.title),
        description=LangText(row.description),
        kind=OfferingKind(row.kind),
        status=OfferingStatus(row.status),
        awarding_body=row.awarding_body,
        issuer_country=row.issuer_country,
        learning_outcomes=[
            LearningOutcome(LangText(item["text"]), item.get("esco_skill")) for item in row.learning_outcomes
        ],
        ects=ects,
        hours=row.hours,
        eqf_level=row.eqf_level,
        vks_level=row.vks_level,
        isced_field=row.isced_field,
        assessment_type=row.assessment_type,
        participation_form=ParticipationForm(row.participation_form) if row.participation_form else None,
        quality_assurance=QaKind(row.quality_assurance) if row.quality_assurance else None,
        languages=list(row.languages),
        flemish_type=FlemishMcType(row.flemish_type) if row.flemish_type else None,
        prerequisites=LangText(row.prerequisites),
        identity_check=row.identity_check,
        grading_scheme=GradingScheme(row.grading_scheme) if row.grading_scheme else None,
        stackable_into=list(row.stackable_into),
        info_url=row.info_url,
        validity_months=row.validity_months,
        price_eur=row.price_eur,
    )


def edition_values(edition: Edition) -> dict[str, Any]:
    return {
        "code": edition.code,
        "academic_year": edition.academic_year.start_year,
        "start_date": edition.start_date,
        "end_date": edition.end_date,
        "capacity": edition.capacity,
    }


def edition_from_row(row: Row[Any], provider_slug: str, offering_code: str) -> Edition:
    return Edition(
        id=row.id,
        provider=provider_slug,
        code=row.code,
        offering_code=offering_code,
        start_date=row.start_date,
        end_date=row.end_date,
        capacity=row.capacity,
    )


def enrolment_values(enrolment: Enrolment) -> dict[str, Any]:
    return {
        "reference": enrolment.reference,
        "learner_scheme": _value(enrolment.learner_scheme),
        "enrolment_date": enrolment.enrolment_date,
        "contract_type": enrolment.contract_type.value,
        "employment_status": enrolment.employment_status.value,
        "age_band": enrolment.age_band.value,
        "outcome": enrolment.outcome.value,
        "grade": enrolment.grade,
        "outcome_date": enrolment.outcome_date,
    }


def enrolment_from_row(row: Row[Any], provider_slug: str, edition_code: str, pseudonym: str) -> Enrolment:
    return Enrolment(
        id=row.id,
        provider=provider_slug,
        reference=row.reference,
        edition_code=edition_code,
        learner=pseudonym,
        learner_scheme=None if row.learner_scheme is None else LearnerScheme(row.learner_scheme),
        enrolment_date=row.enrolment_date,
        contract_type=ContractType(row.contract_type),
        employment_status=EmploymentStatus(row.employment_status),
        age_band=AgeBand(row.age_band),
        outcome=Outcome(row.outcome),
        grade=row.grade,
        outcome_date=row.outcome_date,
    )


def _value(member: Any) -> str | None:
    return None if member is None else str(member.value)
