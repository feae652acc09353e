"""The desk's offering form: posted fields <-> an Offering, with every parsing problem named by field."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from starlette.datastructures import FormData

from microcred.domain import (
    LangText,
    LearningOutcome,
    Offering,
    OfferingKind,
    OfferingStatus,
    ParticipationForm,
    QaKind,
)
from microcred.errors import FieldProblem, MicrocredError

__all__ = ["FORM_ELEMENTS", "form_elements", "form_values", "offering_from_form"]

FORM_ELEMENTS = (
    "title", "description", "learning_outcomes", "kind", "status", "participation_form", "quality_assurance",
    "ects", "hours", "eqf_level", "vks_level", "validity_months", "isced_field", "assessment_type", "info_url",
    "languages",
)  # fmt: skip
"""What the desk's form shows; prerequisites, stacking, awarding body and the like come from imports or the API."""


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def offering_from_form(form: FormData, provider: str) -> tuple[Offering, list[FieldProblem]]:
    """The offering the form describes, and the fields that could not be read (left empty in the offering)."""
    problems: list[FieldProblem] = []
    offering = Offering(provider=provider, code=_text(form, "code"))

    def attempt(field: str, action: Any) -> None:
        try:
            action()
        except MicrocredError as error:
            problems.extend(error.problems or [FieldProblem(field, error.reason, params=error.params)])
        except (ValueError, InvalidOperation):
            problems.append(FieldProblem(field, "invalid-value", _text(form, field) or None))

    attempt("title", lambda: setattr(offering, "title", LangText.of(_text(form, "title_nl"), _text(form, "title_en"))))
    attempt(
        "description",
        lambda: setattr(
            offering, "description", LangText.of(_text(form, "description_nl"), _text(form, "description_en"))
        ),
    )
    attempt("learning_outcomes", lambda: setattr(offering, "learning_outcomes", _outcomes(form)))
    enums: tuple[tuple[str, type[StrEnum]], ...] = (
        ("kind", OfferingKind),
        ("status", OfferingStatus),
        ("participation_form", ParticipationForm),
        ("quality_assurance", QaKind),
    )
    for name, enum in enums:
        if _text(form, name):
            attempt(name, lambda n=name, e=enum: setattr(offering, n, e(_text(form, n))))
    if _text(form, "ects"):
        attempt("ects", lambda: setattr(offering, "ects", Decimal(_text(form, "ects").replace(",", "."))))
    for name in ("hours", "eqf_level", "vks_level", "validity_months"):
        if _text(form, name):
            attempt(name, lambda n=name: setattr(offering, n, int(_text(form, n))))
    for name in ("isced_field", "assessment_type", "info_url"):
        setattr(offering, name, _text(form, name) or None)
    offering.languages = [code.strip() for code in _text(form, "languages").split(",") if code.strip()]
    return offering, problems


def _outcomes(form: FormData) -> list[LearningOutcome]:
    dutch = [line.strip() for line in _text(form, "outcomes_nl").splitlines() if line.strip()]
    english = [line.strip() for line in _text(form, "outcomes_en").splitlines() if line.strip()]
    count = max(len(dutch), len(english))
    return [
        LearningOutcome(LangText.of(dutch[i] if i < len(dutch) else None, english[i] if i < len(english) else None))
        for i in range(count)
    ]


def form_elements(offering: Offering) -> dict[str, Any]:
    """The elements the form edits, as an edit of the stored offering changes them (the rest stay as stored)."""
    return {name: getattr(offering, name) for name in FORM_ELEMENTS}


def form_values(offering: Offering | None) -> dict[str, str]:
    """The form's fields filled from a stored offering (empty for a new one)."""
    if offering is None:
        return {"kind": OfferingKind.MICRO_CREDENTIAL.value, "status": OfferingStatus.DRAFT.value}

    def enum(value: Any) -> str:
        return "" if value is None else str(value.value)

    return {
        "code": offering.code,
        "title_nl": offering.title.texts.get("nl", ""),
        "title_en": offering.title.texts.get("en", ""),
        "description_nl": offering.description.texts.get("nl", ""),
        "description_en": offering.description.texts.get("en", ""),
        "outcomes_nl": "\n".join(o.text.texts.get("nl", "") for o in offering.learning_outcomes),
        "outcomes_en": "\n".join(o.text.texts.get("en", "") for o in offering.learning_outcomes),
        "kind": enum(offering.kind),
        "status": enum(offering.status),
        "ects": "" if offering.ects is None else str(offering.ects),
        "hours": "" if offering.hours is None else str(offering.hours),
        "eqf_level": "" if offering.eqf_level is None else str(offering.eqf_level),
        "vks_level": "" if offering.vks_level is None else str(offering.vks_level),
        "isced_field": offering.isced_field or "",
        "assessment_type": offering.assessment_type or "",
        "participation_form": enum(offering.participation_form),
        "quality_assurance": enum(offering.quality_assurance),
        "languages": ", ".join(offering.languages),
        "info_url": offering.info_url or "",
        "validity_months": "" if offering.validity_months is None else str(offering.validity_months),
    }
