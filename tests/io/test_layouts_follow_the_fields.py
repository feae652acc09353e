"""Drift: every file layout is the flattening of its record's field definition, column for column."""

from __future__ import annotations

from typing import Any

import pytest

from microcred.domain.fields import RECORDS, Field, FieldKind, Record
from microcred.io import LAYOUTS, Column
from microcred.io.cells import Kind

LIST_OF = {FieldKind.TEXT: Kind.TEXTS, FieldKind.CODE: Kind.CODES, FieldKind.DATE: Kind.DATES}


def _expected(record: Record[Any]) -> list[tuple[str, str, Kind, Field]]:
    """(column, Dutch alias, cell kind, field it shows) for every column the definition calls for."""
    found: list[tuple[str, str, Kind, Field]] = []

    def name(*parts: str) -> str:
        return "_".join(p for p in parts if p)

    for field in record.fields:
        if field.kind is FieldKind.TRANSLATED:
            found += [(name(field.column_name, p.name), name(field.nl_name, p.name), Kind.TEXT, p) for p in field.parts]
        elif field.kind is FieldKind.RECORDS:
            for sub in field.sub.fields:
                stem, nl = name(field.column_name, sub.column_name), name(field.nl_name, sub.nl_name)
                if sub.kind is FieldKind.TRANSLATED:
                    found += [(name(stem, p.name), name(nl, p.name), Kind.TEXTS, p) for p in sub.parts]
                else:
                    found.append((stem, nl, LIST_OF[sub.kind], sub))
        else:
            found.append((field.column_name, field.nl_name, Kind(field.kind.value), field))
    return found


@pytest.mark.parametrize("kind", list(LAYOUTS))
def test_a_layouts_columns_are_its_records_fields(kind: str) -> None:
    layout = LAYOUTS[kind]
    assert layout.record is RECORDS[kind]
    expected = _expected(layout.record)
    assert [(c.name, c.nl, c.kind) for c in layout.columns] == [(n, nl, k) for n, nl, k, _ in expected]
    for column, (_, _, _, field) in zip(layout.columns, expected, strict=True):
        _assert_column_shows(column, field, top_level=len(column.path) == 1)


def _assert_column_shows(column: Column, field: Field, *, top_level: bool) -> None:
    assert (column.vocab, column.max_length, column.secret, column.exported) == (
        field.vocab,
        field.max_length,
        field.secret,
        field.exported,
    ), column.name
    assert column.required == (top_level and field.required), column.name
    assert column.example == field.example, column.name
    assert column.help_en.startswith(field.help.en.removesuffix(".")), column.name
    assert column.help_nl.startswith(field.help.nl.removesuffix(".")), column.name


def test_problems_with_a_field_are_reported_on_its_first_column() -> None:
    offerings, providers = LAYOUTS["offerings"], LAYOUTS["providers"]
    assert offerings.field_columns["title"] == "title_nl"
    assert offerings.field_columns["learning_outcomes"] == "learning_outcomes_nl"
    assert offerings.field_columns["workload"] == "ects"
    assert providers.field_columns["valid_until"] == "qa_valid_until"
