"""A layout's columns, flattened from the record's one field definition (``microcred.domain.fields``).

A plain field is one column; a translated text is one column per language (``title_nl``, ``title_en``); a
list of sub-records is one list column per sub-field, whose items line up (``qa_agency``, ``qa_kind``, …).
Dutch aliases are built the same way from the Dutch names (``titel_nl``, ``kz_organisatie``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

from microcred.domain.fields import Field, FieldKind, Record, Words
from microcred.io.cells import CellError, Kind, parse_code, parse_date, parse_ects, parse_integer, split_list

__all__ = ["Column", "flatten", "problem_columns"]

_LIST_KINDS = {FieldKind.TEXT: Kind.TEXTS, FieldKind.CODE: Kind.CODES, FieldKind.DATE: Kind.DATES}


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a layout; ``path`` locates its value in the record (field, sub-field, language)."""

    name: str
    nl: str  # the Dutch alias, accepted in headers like the English name
    kind: Kind
    help_en: str
    help_nl: str
    example: str = ""
    required: bool = False
    vocab: str | None = None
    max_length: int | None = None
    secret: bool = False  # never echoed in reports or rejected-rows files (learner identifiers)
    exported: bool = True  # written by exports (learner_id is input only)
    in_template: bool = True
    path: tuple[str, ...] = ()

    def parse(self, cell: str) -> Any:
        """The typed value of a non-empty cell; CellError with the reason otherwise."""
        if self.kind is Kind.TEXT:
            if self.max_length is not None and len(cell) > self.max_length:
                raise CellError("too-long", limit=self.max_length)
            return cell
        if self.kind is Kind.CODE:
            return parse_code(cell, self.vocab or "")
        if self.kind is Kind.CODES:
            return [parse_code(item, self.vocab or "") for item in split_list(cell) if item]
        if self.kind is Kind.TEXTS:
            return split_list(cell)
        if self.kind is Kind.DATES:
            return [parse_date(item) if item else None for item in split_list(cell)]
        if self.kind is Kind.INTEGER:
            return parse_integer(cell)
        if self.kind is Kind.ECTS:
            return parse_ects(cell)
        return parse_date(cell)

    @property
    def empty(self) -> Any:
        return [] if self.kind in (Kind.CODES, Kind.TEXTS, Kind.DATES) else None


def flatten(
    record: Record[Any], *, not_in_template: Collection[str] = (), remarks: Mapping[str, Words] | None = None
) -> tuple[Column, ...]:
    """The columns of ``record``'s fields, in its order; ``remarks`` add a file-only note to a column's help."""
    columns: list[Column] = []
    for field in record.fields:
        if field.kind is FieldKind.TRANSLATED:
            for part in field.parts:
                name, nl = _join(field.column_name, part.name), _join(field.nl_name, part.name)
                columns.append(_column(part, name, nl, Kind.TEXT, (field.name, part.name)))
        elif field.kind is FieldKind.RECORDS:
            columns += _sub_columns(field)
        else:
            columns.append(_column(field, field.column_name, field.nl_name, Kind(field.kind.value), (field.name,)))
    notes = remarks or {}
    return tuple(
        _column_with(column, in_template=column.name not in not_in_template, remark=notes.get(column.name))
        for column in columns
    )


def problem_columns(record: Record[Any], columns: tuple[Column, ...]) -> dict[str, str]:
    """The column a problem with a field (or a sub-record's field) is reported on: its first column."""
    found: dict[str, str] = {}
    for column in columns:
        found.setdefault(column.path[0], column.name)
    for column in columns:
        if record.field(column.path[0]).kind is FieldKind.RECORDS:
            found.setdefault(column.path[1], column.name)
    return found


def _sub_columns(field: Field) -> list[Column]:
    """One list column per sub-field; every item of every column belongs to the sub-record at its position."""
    label = field.sub.label
    each = Words(f" (één per {label.nl})", f" (one per {label.en})")
    columns: list[Column] = []
    for sub in field.sub.fields:
        name, nl = _join(field.column_name, sub.column_name), _join(field.nl_name, sub.nl_name)
        if sub.kind is FieldKind.TRANSLATED:
            for part in sub.parts:
                path = (field.name, sub.name, part.name)
                columns.append(_column(part, _join(name, part.name), _join(nl, part.name), Kind.TEXTS, path))
        elif sub.kind in _LIST_KINDS:
            columns.append(_column(sub, name, nl, _LIST_KINDS[sub.kind], (field.name, sub.name), required=False))
        else:
            raise TypeError(f"{field.name}.{sub.name}: a {sub.kind} cannot be a list column")
    return [_column_with(column, in_template=True, remark=each) for column in columns]


def _column(field: Field, name: str, nl: str, kind: Kind, path: tuple[str, ...], *, required: bool = True) -> Column:
    return Column(
        name,
        nl,
        kind,
        field.help.en,
        field.help.nl,
        field.example,
        required=required and field.required,
        vocab=field.vocab,
        max_length=field.max_length,
        secret=field.secret,
        exported=field.exported,
        path=path,
    )


def _column_with(column: Column, *, in_template: bool, remark: Words | None) -> Column:
    """The column, in the template or not, with ``remark`` (its own leading space or punctuation) in its help."""
    if remark is None:
        return replace(column, in_template=in_template)
    help_en, help_nl = column.help_en.removesuffix("."), column.help_nl.removesuffix(".")
    return replace(column, in_template=in_template, help_en=f"{help_en}{remark.en}.", help_nl=f"{help_nl}{remark.nl}.")


def _join(*names: str) -> str:
    return "_".join(name for name in names if name)
