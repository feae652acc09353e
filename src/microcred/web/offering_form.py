"""The desk's offering form, derived from the offering's one field definition: inputs, reading, filling.

The form shows the fields in :data:`FORM_FIELDS`; each field's kind decides its inputs (a select of its
vocabulary, one input per language, one line per learning outcome, a comma-separated list), and the
definition gives their names, labels and limits. Posted fields become an Offering with every parsing
problem named by field.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from starlette.datastructures import FormData

from microcred.domain import Offering
from microcred.domain.fields import OFFERING, Field, FieldKind, Words
from microcred.errors import FieldProblem, MicrocredError
from microcred.vocab import vocabulary

__all__ = ["FORM_FIELDS", "FormInput", "form_elements", "form_inputs", "form_values", "offering_from_form"]

FORM_FIELDS = (
    "code", "kind", "status", "title", "description", "learning_outcomes", "ects", "hours", "eqf_level",
    "vks_level", "isced_field", "assessment_type", "participation_form", "quality_assurance", "languages",
    "validity_months", "info_url", "price_eur",
)  # fmt: skip
"""What the desk's form shows; prerequisites, stacking, awarding body and the like come from imports or the API."""

# How to type a list in the form: the web's own words, next to the field they explain.
_HINTS = {"learning_outcomes": "desk.outcomes_hint", "languages": "desk.languages_hint"}
_LONG_LIST = 20  # a select this long shows each code before its label, to be scanned by code
# Codes whose names are long (an offering's kinds): radio buttons that wrap, as the catalogue's filter shows them,
# where a select would cut a name off on a phone.
_CHOICES = frozenset({"kind"})


@dataclass(frozen=True, slots=True)
class FormInput:
    """One input of the form: the posted name, its label, its widget and what it may hold."""

    name: str
    field: str  # the offering's field it edits
    label: Words
    widget: str  # "input", "textarea", "select", "multiselect" or "choices" (radio buttons)
    lang: str | None = None
    vocab: str | None = None
    choices: tuple[str, ...] = ()
    blank_choice: bool = False
    show_code: bool = False
    required: bool = False
    key: bool = False  # read-only when editing
    max_length: int | None = None
    inputmode: str | None = None
    type: str = "text"
    wide: bool = False
    described_by: str | None = None
    hint: str | None = None  # message key shown under the input


@cache
def form_inputs() -> tuple[FormInput, ...]:
    """Every input of the form, in order."""
    return tuple(found for name in FORM_FIELDS for found in _inputs(OFFERING.field(name)))


def _inputs(field: Field) -> list[FormInput]:
    """A field's inputs: one per language for texts, a select (or radio buttons) for a code, one input otherwise."""
    hint = _HINTS.get(field.name)
    described_by = f"{field.name}-hint" if hint else None
    if field.kind is FieldKind.TRANSLATED:
        found = [_text_input(field, part, field.name, described_by) for part in field.parts]
    elif field.kind is FieldKind.RECORDS:
        text = next(sub for sub in field.sub.fields if sub.kind is FieldKind.TRANSLATED)
        found = [_text_input(text, part, field.name, described_by, lines=True) for part in text.parts]
    elif field.kind is FieldKind.CODE:
        codes = vocabulary(field.vocab or "").codes()
        blank = OFFERING.is_optional(field.name)
        widget = "choices" if field.name in _CHOICES else "select"
        found = [_input(field, widget=widget, vocab=field.vocab, choices=codes, blank_choice=blank,
                        show_code=len(codes) > _LONG_LIST)]  # fmt: skip
    elif field.kind is FieldKind.CODES and field.vocab:  # a picker of labels, not typed ISO codes
        found = [_input(field, widget="multiselect", vocab=field.vocab, choices=_picked_first(field.vocab),
                        described_by=described_by)]  # fmt: skip
    elif field.kind in (FieldKind.INTEGER, FieldKind.ECTS):
        mode = "decimal" if field.kind is FieldKind.ECTS else "numeric"
        found = [_input(field, inputmode=mode, described_by=described_by)]
    else:
        wide = field.format == "url"
        found = [_input(field, type="url" if wide else "text", wide=wide, described_by=described_by)]
    return [*found[:-1], _with_hint(found[-1], hint)]


_USUAL = {"languages": ("nl", "en", "fr", "de")}  # what the register's providers teach in most, on top


def _picked_first(vocab: str) -> tuple[str, ...]:
    """A vocabulary's codes with the usual choices first, so a long list opens on what is picked most."""
    usual = _USUAL.get(vocab, ())
    return (*usual, *(code for code in vocabulary(vocab).codes() if code not in usual))


def _input(field: Field, **options: Any) -> FormInput:
    longest = field.max_length if field.kind is FieldKind.TEXT else None
    return FormInput(
        field.name, field.name, field.label, options.pop("widget", "input"), required=field.required,
        key=field.name in OFFERING.key, max_length=longest, **options,
    )  # fmt: skip


def _text_input(field: Field, part: Field, stem: str, described_by: str | None, *, lines: bool = False) -> FormInput:
    """The input of one language of a text; a textarea when the text has no limit or holds one item per line."""
    long = lines or part.max_length is None
    return FormInput(
        f"{stem}_{part.name}", stem, part.label, "textarea" if long else "input", lang=part.name,
        max_length=part.max_length, wide=long, described_by=described_by,
    )  # fmt: skip


def _with_hint(found: FormInput, hint: str | None) -> FormInput:
    if hint is None:
        return found
    return replace(found, hint=hint)


def _posted(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def offering_from_form(form: FormData, provider: str) -> tuple[Offering, list[FieldProblem]]:
    """The offering the form describes, and the fields that could not be read (left empty in the offering)."""
    problems: list[FieldProblem] = []
    values: dict[str, Any] = {"provider": provider}
    for name in FORM_FIELDS:
        try:
            values[name] = OFFERING.coerce(name, _read(OFFERING.field(name), form))
        except MicrocredError as error:
            problems.extend(error.problems or [FieldProblem(name, error.reason, params=error.params)])
        except (ValueError, InvalidOperation):
            problems.append(FieldProblem(name, "invalid-value", _posted(form, name) or None))
    return OFFERING.build(values), problems


def _read(field: Field, form: FormData) -> Any:
    """The field's plain value from its posted inputs (see ``Record.build``)."""
    name = field.name
    if field.kind is FieldKind.TRANSLATED:
        return {part.name: _posted(form, f"{name}_{part.name}") for part in field.parts}
    if field.kind is FieldKind.RECORDS:  # one learning outcome per line, in the same order in both languages
        lines = {lang: _lines(_posted(form, f"{name}_{lang}")) for lang in ("nl", "en")}
        count = max(len(items) for items in lines.values())
        return [{"text": {lang: items[i] for lang, items in lines.items() if i < len(items)}} for i in range(count)]
    if field.kind is FieldKind.CODES:  # the picker's chosen options (or one comma-separated value)
        posted = [value for value in form.getlist(name) if isinstance(value, str)]
        return [code.strip() for value in posted for code in value.split(",") if code.strip()]
    text = _posted(form, name)
    if not text:
        return None if OFFERING.is_optional(name) or field.kind is not FieldKind.TEXT else ""
    if field.kind is FieldKind.ECTS:
        return Decimal(text.replace(",", "."))
    return text


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def form_elements(offering: Offering) -> dict[str, Any]:
    """The elements the form edits, as an edit of the stored offering changes them (the rest stay as stored)."""
    return {name: getattr(offering, name) for name in FORM_FIELDS if name not in OFFERING.key}


def form_values(offering: Offering | None) -> dict[str, str]:
    """The form's inputs filled from a stored offering (a new one's defaults when there is none)."""
    plain = OFFERING.plain(offering or OFFERING.build({"provider": "", "code": ""}))
    found: dict[str, str] = {}
    for item in form_inputs():
        value = plain[item.field]
        if isinstance(value, dict):  # a translated text
            found[item.name] = value.get(item.lang or "", "")
        elif item.lang is not None:  # learning outcomes, one per line
            found[item.name] = "\n".join(outcome["text"].get(item.lang, "") for outcome in value)
        elif isinstance(value, list):
            found[item.name] = ", ".join(value)
        else:
            found[item.name] = "" if value is None else str(value)
    return found
