"""Request and response bodies built from a record's one field definition (``microcred.domain.fields``).

A request body (``XIn``) takes the record's fields with the definition's limits (length, pattern, range,
number of items), its description and example; a field is required when the record has no default for
it. A response body (``XOut``) gives every field back. Both list fields in the record's own order, so
the JSON reads like the dataclass. The models themselves are declared in ``schemas.py``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

from pydantic import Field as Limits
from pydantic import PlainSerializer, StringConstraints
from pydantic.fields import FieldInfo

from microcred.domain.fields import Field, FieldKind, Record

__all__ = ["Ects", "Texts", "input_fields", "insert_after", "output_fields"]

FieldDefinitions = dict[str, tuple[Any, FieldInfo]]

Ects = Annotated[
    Decimal,
    Limits(gt=0, le=60, decimal_places=1, max_digits=3),
    PlainSerializer(float, return_type=float, when_used="json"),
]
TEXT_LIMIT = 4000  # a text in a request body whose field sets no limit of its own


def Texts(max_length: int | None = None) -> Any:
    """A text per language (``{"nl": …, "en": …}``): at most 8 languages, each text within ``max_length``."""
    return Annotated[
        dict[
            Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")],
            Annotated[str, StringConstraints(max_length=max_length or TEXT_LIMIT)],
        ],
        Limits(max_length=8),
    ]


def input_fields(
    record: Record[Any],
    *,
    exclude: Collection[str] = (),
    required: Collection[str] = (),
    sub_models: Mapping[str, type] | None = None,
) -> FieldDefinitions:
    """The fields of a request body for ``record``: ``exclude`` those the path gives, ``required`` added ones."""
    found: FieldDefinitions = {}
    for field in _in_record_order(record, exclude):
        must = field.name in required or (field.kept and not record.has_default(field.name))
        annotation = _input_type(record, field, sub_models or {}, must=must)
        if field.kept and record.is_optional(field.name):
            annotation = annotation | None
        found[field.name] = (annotation, _info(field, default=... if must else _default(record, field)))
    return found


def output_fields(
    record: Record[Any],
    *,
    only: Collection[str] = (),
    sub_models: Mapping[str, type] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> FieldDefinitions:
    """The fields of a response body for ``record`` (``only`` some of them), all required; never a secret."""
    found: FieldDefinitions = {}
    for field in _in_record_order(record, ()):
        if not field.exported or (only and field.name not in only):
            continue
        annotation = (overrides or {}).get(field.name) or _output_type(record, field, sub_models or {})
        found[field.name] = (annotation, Limits(description=field.help.en))
    return found


def insert_after(
    fields: FieldDefinitions, anchor: str, name: str, annotation: Any, info: FieldInfo
) -> FieldDefinitions:
    """``fields`` with one more, a body's own (``academic_year``, ``learner_email``), right after ``anchor``."""
    found: FieldDefinitions = {}
    for key, value in fields.items():
        found[key] = value
        if key == anchor:
            found[name] = (annotation, info)
    return found


def _in_record_order(record: Record[Any], exclude: Collection[str]) -> list[Field]:
    """The fields in the dataclass's order; one it does not keep stands where the definition puts it."""
    order = {f.name: float(i) for i, f in enumerate(dataclasses.fields(record.type))}
    position: dict[str, float] = {}
    waiting: list[str] = []
    for field in record.fields:
        if field.name not in order:
            waiting.append(field.name)
            continue
        position[field.name] = order[field.name]
        position.update(dict.fromkeys(waiting, order[field.name] - 0.5))
        waiting = []
    ordered = sorted(record.fields, key=lambda f: position.get(f.name, len(order)))
    return [field for field in ordered if field.name not in exclude]


def _input_type(record: Record[Any], field: Field, sub_models: Mapping[str, type], *, must: bool) -> Any:
    if field.kind is FieldKind.TRANSLATED:
        return Texts(field.max_length)
    if field.kind is FieldKind.RECORDS:
        return _list_of(sub_models[field.name])
    if field.kind is FieldKind.ECTS:
        return Ects
    if field.kind is FieldKind.DATE:
        return date
    value_type = record.value_type(field.name) if field.kept else str
    if isinstance(value_type, type) and issubclass(value_type, Enum):
        item: Any = value_type
    elif value_type is bool:
        item = bool
    elif value_type is int:
        item = Annotated[int, Limits(ge=field.minimum, le=field.maximum)]
    else:
        shortest = field.min_length or (1 if must or field.pattern else None)  # a required text is never empty
        item = Annotated[
            str, StringConstraints(min_length=shortest, max_length=field.max_length, pattern=field.pattern)
        ]
    return _list_of(item) if field.is_list else item


def _output_type(record: Record[Any], field: Field, sub_models: Mapping[str, type]) -> Any:
    if field.kind is FieldKind.TRANSLATED:
        return dict[str, str]
    if field.kind is FieldKind.RECORDS:
        return _list_of(sub_models[field.name])
    value_type: Any = Ects if field.kind is FieldKind.ECTS else record.value_type(field.name)
    if field.is_list:
        return _list_of(value_type)
    return value_type | None if record.is_optional(field.name) else value_type


def _default(record: Record[Any], field: Field) -> Any:
    """The record's default as a body shows it: a value, or an empty list or dict for lists and texts."""
    if not field.kept:
        return None
    declared = next(f for f in dataclasses.fields(record.type) if f.name == field.name)
    if declared.default_factory is not dataclasses.MISSING:
        return dict if field.kind is FieldKind.TRANSLATED else list
    return declared.default


def _info(field: Field, *, default: Any) -> FieldInfo:
    """A request field's default, description, example (of a translated text) and most items (of a list)."""
    options: dict[str, Any] = {"description": field.help.en}
    if field.kind is FieldKind.TRANSLATED:
        example = {part.name: part.example.split("|")[0].strip() for part in field.parts if part.example}
        options["examples"] = [example] if example else None
    if field.is_list:
        options["max_length"] = field.max_items
    if default in (dict, list):
        options["default_factory"] = default
    else:
        options["default"] = default
    info: FieldInfo = Limits(**options)
    return info


def _list_of(item: Any) -> Any:
    return list.__class_getitem__(item)
