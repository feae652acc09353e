"""Rows of parsed values <-> domain records, one pair of functions per layout."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from microcred.domain import (
    AgeBand,
    ContractType,
    Edition,
    EmploymentStatus,
    Enrolment,
    FlemishMcType,
    GradingScheme,
    LangText,
    Learner,
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
    pseudonymise,
)
from microcred.errors import FieldProblem, Invalid
from microcred.io.cells import join_list

if TYPE_CHECKING:
    from microcred.io.layouts import ParseContext

__all__ = [
    "build_edition",
    "build_enrolment",
    "build_offering",
    "build_provider",
    "edition_cells",
    "enrolment_cells",
    "offering_cells",
    "provider_cells",
]


def _text(nl: str | None, en: str | None) -> LangText:
    return LangText.of(nl or None, en or None)


def _parallel(values: Mapping[str, Any], names: Sequence[str], required: Sequence[str]) -> list[list[Any]]:
    """Lists given in parallel columns (one item per record), padded when a column is left empty."""
    lists = [list(values[name]) for name in names]
    size = max(len(items) for items in lists)
    for name, items in zip(names, lists, strict=True):
        if items and len(items) != size:
            raise Invalid.field(name, "list-size", size=size, count=len(items))
        if not items and size and name in required:
            raise Invalid.field(name, "list-size-missing", size=size)
    return [items or [None] * size for items in lists]


def build_provider(values: Mapping[str, Any], _context: ParseContext) -> Provider:
    agencies, kinds, starts, ends, references = _parallel(
        values,
        ("qa_agency", "qa_kind", "qa_valid_from", "qa_valid_until", "qa_reference"),
        ("qa_agency", "qa_kind", "qa_valid_from"),
    )
    records = []
    for agency, kind, start, end, reference in zip(agencies, kinds, starts, ends, references, strict=True):
        if start is None:
            raise Invalid.field("qa_valid_from", "qa-valid-from-required")
        records.append(QualityAssurance(agency or "", QaKind(kind), start, end, reference or None))
    return Provider(
        slug=values["slug"],
        name=_text(values["name_nl"], values["name_en"]),
        short_name=_text(values["short_name_nl"], values["short_name_en"]),
        type=ProviderType(values["type"]),
        country=values["country"] or "BE",
        region=values["region"],
        kbo_number=values["kbo_number"],
        erasmus_code=values["erasmus_code"],
        schac_code=values["schac_code"],
        web_domain=values["web_domain"],
        quality_assurances=records,
    ).validate()


def provider_cells(provider: Provider) -> dict[str, str]:
    records = provider.quality_assurances
    return {
        "slug": provider.slug,
        "name_nl": provider.name.texts.get("nl", ""),
        "name_en": provider.name.texts.get("en", ""),
        "short_name_nl": provider.short_name.texts.get("nl", ""),
        "short_name_en": provider.short_name.texts.get("en", ""),
        "type": provider.type.value,
        "country": provider.country,
        "region": provider.region or "",
        "kbo_number": provider.kbo_number or "",
        "erasmus_code": provider.erasmus_code or "",
        "schac_code": provider.schac_code or "",
        "web_domain": provider.web_domain or "",
        "qa_agency": join_list([r.agency for r in records]),
        "qa_kind": join_list([r.kind.value for r in records]),
        "qa_valid_from": join_list([r.valid_from.isoformat() for r in records]),
        "qa_valid_until": join_list([r.valid_until.isoformat() if r.valid_until else "" for r in records]),
        "qa_reference": join_list([r.reference or "" for r in records]),
    }


def _level(code: str | None) -> int | None:
    return None if code is None else int(code)


def build_offering(values: Mapping[str, Any], _context: ParseContext) -> Offering:
    texts_nl, texts_en, skills = _parallel(
        values, ("learning_outcomes_nl", "learning_outcomes_en", "learning_outcomes_esco"), ()
    )
    outcomes = [
        LearningOutcome(_text(nl, en), skill or None) for nl, en, skill in zip(texts_nl, texts_en, skills, strict=True)
    ]
    return Offering(
        provider=values["provider"],
        code=values["code"],
        title=_text(values["title_nl"], values["title_en"]),
        kind=OfferingKind(values["kind"]),
        status=OfferingStatus(values["status"]),
        description=_text(values["description_nl"], values["description_en"]),
        awarding_body=values["awarding_body"],
        issuer_country=values["issuer_country"],
        learning_outcomes=outcomes,
        ects=values["ects"],
        hours=values["hours"],
        eqf_level=_level(values["eqf_level"]),
        vks_level=_level(values["vks_level"]),
        isced_field=values["isced_field"],
        assessment_type=values["assessment_type"],
        participation_form=ParticipationForm(values["participation_form"]) if values["participation_form"] else None,
        quality_assurance=QaKind(values["quality_assurance"]) if values["quality_assurance"] else None,
        languages=list(values["languages"]),
        flemish_type=FlemishMcType(values["flemish_type"]) if values["flemish_type"] else None,
        prerequisites=_text(values["prerequisites_nl"], values["prerequisites_en"]),
        identity_check=values["identity_check"],
        grading_scheme=GradingScheme(values["grading_scheme"]) if values["grading_scheme"] else None,
        stackable_into=[item for item in values["stackable_into"] if item],
        info_url=values["info_url"],
        validity_months=values["validity_months"],
    ).validate()


def _str(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(getattr(value, "value", value))


def offering_cells(offering: Offering) -> dict[str, str]:
    outcomes = offering.learning_outcomes
    return {
        "provider": offering.provider,
        "code": offering.code,
        "kind": offering.kind.value,
        "status": offering.status.value,
        "title_nl": offering.title.texts.get("nl", ""),
        "title_en": offering.title.texts.get("en", ""),
        "description_nl": offering.description.texts.get("nl", ""),
        "description_en": offering.description.texts.get("en", ""),
        "awarding_body": offering.awarding_body or "",
        "issuer_country": offering.issuer_country or "",
        "learning_outcomes_nl": join_list([o.text.texts.get("nl", "") for o in outcomes]),
        "learning_outcomes_en": join_list([o.text.texts.get("en", "") for o in outcomes]),
        "learning_outcomes_esco": join_list([o.esco_skill or "" for o in outcomes]),
        "ects": _str(offering.ects),
        "hours": _str(offering.hours),
        "eqf_level": _str(offering.eqf_level),
        "vks_level": _str(offering.vks_level),
        "isced_field": offering.isced_field or "",
        "assessment_type": offering.assessment_type or "",
        "participation_form": _str(offering.participation_form),
        "quality_assurance": _str(offering.quality_assurance),
        "languages": join_list(offering.languages),
        "flemish_type": _str(offering.flemish_type),
        "prerequisites_nl": offering.prerequisites.texts.get("nl", ""),
        "prerequisites_en": offering.prerequisites.texts.get("en", ""),
        "identity_check": offering.identity_check or "",
        "grading_scheme": _str(offering.grading_scheme),
        "stackable_into": join_list(offering.stackable_into),
        "info_url": offering.info_url or "",
        "validity_months": _str(offering.validity_months),
    }


def build_edition(values: Mapping[str, Any], _context: ParseContext) -> Edition:
    return Edition(
        provider=values["provider"],
        code=values["code"],
        offering_code=values["offering_code"],
        start_date=values["start_date"],
        end_date=values["end_date"],
        capacity=values["capacity"],
    ).validate()


def edition_cells(edition: Edition) -> dict[str, str]:
    return {
        "provider": edition.provider,
        "code": edition.code,
        "offering_code": edition.offering_code,
        "start_date": edition.start_date.isoformat(),
        "end_date": edition.end_date.isoformat(),
        "capacity": _str(edition.capacity),
    }


def _pseudonym(values: Mapping[str, Any], context: ParseContext) -> str:
    raw, given = values["learner_id"], values["learner_pseudonym"]
    if raw and given:
        raise Invalid.field("learner_pseudonym", "learner-id-or-pseudonym")
    if given:
        return Learner(given.lower()).pseudonym
    if not raw:
        raise Invalid("invalid-input", problems=[FieldProblem("learner_id", "learner-id-required")])
    return pseudonymise(raw, provider=values["provider"], pepper=context.pepper)


def build_enrolment(values: Mapping[str, Any], context: ParseContext) -> Enrolment:
    return Enrolment(
        provider=values["provider"],
        reference=values["reference"],
        edition_code=values["edition_code"],
        learner=_pseudonym(values, context),
        enrolment_date=values["enrolment_date"],
        contract_type=ContractType(values["contract_type"]),
        employment_status=EmploymentStatus(values["employment_status"] or EmploymentStatus.UNKNOWN),
        age_band=AgeBand(values["age_band"] or AgeBand.UNKNOWN),
        outcome=Outcome(values["outcome"] or Outcome.ENROLLED),
        grade=values["grade"],
        outcome_date=values["outcome_date"],
    ).validate()


def enrolment_cells(enrolment: Enrolment) -> dict[str, str]:
    return {
        "provider": enrolment.provider,
        "reference": enrolment.reference,
        "edition_code": enrolment.edition_code,
        "learner_id": "",
        "learner_pseudonym": enrolment.learner,
        "enrolment_date": enrolment.enrolment_date.isoformat(),
        "contract_type": enrolment.contract_type.value,
        "employment_status": enrolment.employment_status.value,
        "age_band": enrolment.age_band.value,
        "outcome": enrolment.outcome.value,
        "grade": enrolment.grade or "",
        "outcome_date": _str(enrolment.outcome_date),
    }
