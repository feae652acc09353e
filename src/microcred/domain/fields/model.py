"""How a record's fields are described once, as data, and how plain values become the record and back.

A :class:`Record` lists the :class:`Field` s of one domain dataclass (``Offering``, ``Provider``, …) with
everything an adapter needs to show or take them: names in English and Dutch, kind, vocabulary, limits,
labels and help in both languages, an example. The file layouts, the API bodies, the desk's form and the
command-line options are generated from these records; rules stay in the domain objects (``validate()``).
The Python types come from the dataclass annotations, so they are not declared twice.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from functools import cached_property
from typing import Any, Generic, TypeVar

from microcred.domain.values import LangText

__all__ = ["Field", "FieldKind", "Record", "Words", "translated"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Words:
    """A text in Dutch and English, side by side: a field's label or help."""

    nl: str
    en: str

    def get(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en


class FieldKind(StrEnum):
    """What a field holds, as every adapter must read and show it."""

    TEXT = "text"
    CODE = "code"  # one code of ``vocab``; the record may keep it as an enum or a number
    CODES = "codes"  # several codes of ``vocab``
    TEXTS = "texts"  # several texts
    INTEGER = "integer"
    ECTS = "ects"  # study points, a decimal
    DATE = "date"
    TRANSLATED = "translated"  # a LangText: one text per language, described by ``parts``
    RECORDS = "records"  # a list of sub-records, described by ``record``
    FLAG = "flag"  # yes or no


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a record, declared once for files, the API, the desk and the command line.

    ``required`` means a file or command must give it (a record default may still fill it in the API);
    ``max_length`` bounds a text or each item of a list; ``column`` and ``option`` are the names in files
    and on the command line when they differ from ``name`` (for sub-records: the prefix of their names).
    """

    name: str
    nl_name: str  # the Dutch name, accepted as a file column like the English one
    kind: FieldKind
    label: Words
    help: Words
    example: str = ""  # as written in a file cell; list items separated by |
    required: bool = False
    vocab: str | None = None
    max_length: int | None = None
    min_length: int | None = None
    pattern: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    max_items: int | None = None
    secret: bool = False  # never echoed (learner identifiers)
    exported: bool = True  # written by exports and shown in answers
    kept: bool = True  # False: taken as input and turned into something else, not a record attribute
    column: str | None = None
    option: str | None = None
    format: str | None = None  # "url"
    parts: tuple[Field, ...] = ()  # TRANSLATED: one TEXT part per language
    record: Record[Any] | None = None  # RECORDS: the sub-record's definition

    @property
    def column_name(self) -> str:
        return self.name if self.column is None else self.column

    @property
    def option_name(self) -> str:
        return self.name if self.option is None else self.option

    @property
    def is_list(self) -> bool:
        return self.kind in (FieldKind.CODES, FieldKind.TEXTS, FieldKind.RECORDS)

    @property
    def sub(self) -> Record[Any]:
        """The sub-record of a RECORDS field."""
        if self.record is None:
            raise TypeError(f"{self.name} holds no sub-records")
        return self.record


_LANGUAGE_NAMES = {"nl": Words("Nederlands", "Dutch"), "en": Words("Engels", "English")}


def translated(
    name: str, nl_name: str, label: Words, help: Words, examples: Words = Words("", ""), **options: Any
) -> Field:
    """A TRANSLATED field with a Dutch and an English part, labelled ``Title (Dutch)`` / ``Titel (Engels)``."""
    parts = tuple(
        Field(
            lang,
            lang,
            FieldKind.TEXT,
            Words(f"{label.nl} ({_LANGUAGE_NAMES[lang].nl})", f"{label.en} ({_LANGUAGE_NAMES[lang].en})"),
            Words(f"{label.nl} in het {_LANGUAGE_NAMES[lang].nl}.", f"{label.en} in {_LANGUAGE_NAMES[lang].en}."),
            examples.get(lang),
            max_length=options.get("max_length"),
        )
        for lang in ("nl", "en")
    )
    return Field(name, nl_name, FieldKind.TRANSLATED, label, help, parts=parts, **options)


@dataclass(frozen=True)
class Record(Generic[T]):
    """The fields of one domain dataclass, in the order files list them, and its natural key."""

    type: type[T]
    label: Words
    key: tuple[str, ...]
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field:
        for field in self.fields:
            if field.name == name:
                return field
        raise KeyError(f"{self.type.__name__} has no field {name!r}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(field.name for field in self.fields)

    def has_default(self, name: str) -> bool:
        """True when the dataclass fills the field in when it is not given."""
        return name in self._defaults

    def is_optional(self, name: str) -> bool:
        """True when the record may hold None for the field."""
        return _unwrap(self._hints[name])[1]

    def value_type(self, name: str) -> Any:
        """The type of the field's value, or of each item of a list (``int``, ``OfferingKind``, …)."""
        return _unwrap(self._hints[name])[0]

    @cached_property
    def _hints(self) -> dict[str, Any]:
        return typing.get_type_hints(self.type)

    @cached_property
    def _defaults(self) -> frozenset[str]:
        return frozenset(
            f.name
            for f in dataclasses.fields(self.type)  # type: ignore[arg-type]
            if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        )

    def build(self, values: Mapping[str, Any]) -> T:
        """The record from plain values (codes, dicts of texts, lists of dicts), not yet validated.

        A field left out, or None where the record holds no None, takes the record's default.
        """
        given: dict[str, Any] = {}
        for field in self.fields:
            if not field.kept or field.name not in values:
                continue
            value = values[field.name]
            if value is None and field.kind is FieldKind.TRANSLATED:
                value = {}
            elif value is None and field.is_list:
                value = []
            elif value is None and not self.is_optional(field.name) and self.has_default(field.name):
                continue
            given[field.name] = self.coerce(field.name, value)
        return self.type(**given)

    def plain(self, record: T) -> dict[str, Any]:
        """The record's values as plain data: codes, dicts of texts, lists of dicts (dates, decimals kept)."""
        return {field.name: _plain(field, getattr(record, field.name)) for field in self.fields if field.kept}

    def coerce(self, name: str, value: Any) -> Any:
        """The record's value of one field from a plain value; ValueError or Invalid when it cannot be one."""
        field = self.field(name)
        if value is None:
            return None
        if field.kind is FieldKind.TRANSLATED:
            return value if isinstance(value, LangText) else LangText({k: v for k, v in value.items() if v})
        if field.kind is FieldKind.RECORDS:
            return [field.sub.build(item) if isinstance(item, Mapping) else item for item in value]
        target = self.value_type(field.name)
        if field.is_list:
            return [_scalar(target, item) for item in value]
        return _scalar(target, value)


def _scalar(target: Any, value: Any) -> Any:
    if isinstance(target, type) and issubclass(target, Enum) and not isinstance(value, target):
        return target(value)
    if target is int and isinstance(value, str):
        return int(value)
    return value


def _plain(field: Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, LangText):
        return value.as_dict()
    if field.kind is FieldKind.RECORDS:
        return [field.sub.plain(item) for item in value]
    if isinstance(value, list):
        return [item.value if isinstance(item, Enum) else item for item in value]
    return value.value if isinstance(value, Enum) else value


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The value type behind ``X | None`` and ``list[X]``, and whether None is allowed."""
    optional = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        arguments = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(arguments) < len(typing.get_args(annotation))
        annotation = arguments[0]
    if typing.get_origin(annotation) is list:
        annotation = typing.get_args(annotation)[0]
    return annotation, optional
