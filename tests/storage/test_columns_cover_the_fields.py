"""Drift: the tables (Alembic is their source) hold every field of the records' one definition, and fit it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import JSON, Column, String, Table

from microcred.domain.fields import EDITION, ENROLMENT, OFFERING, PROVIDER, QUALITY_ASSURANCE, FieldKind, Record
from microcred.storage import tables
from microcred.vocab import vocabulary

# A field kept as a reference to another row, not as a value of its own.
REFERENCES = {"provider": "provider_id", "offering_code": "offering_id", "edition_code": "edition_id",
              "learner": "learner_id"}  # fmt: skip
STORED: list[tuple[Record[Any], Table]] = [
    (PROVIDER, tables.providers),
    (QUALITY_ASSURANCE, tables.quality_assurances),
    (OFFERING, tables.offerings),
    (EDITION, tables.editions),
    (ENROLMENT, tables.enrolments),
]


def _column(record: Record[Any], table: Table, name: str) -> Column[Any] | None:
    field = record.field(name)
    if field.kind is FieldKind.RECORDS and field.sub is QUALITY_ASSURANCE:
        return None  # a table of its own, checked on its own
    return table.c[REFERENCES.get(name, name)]


#: Optional in the record and in files, but filled in before a row is stored (docs/import.md): an edition's end is
#: the last day of its academic year, an enrolment's date its edition's start.
FILLED_IN = {("editions", "end_date"), ("enrolments", "enrolment_date")}


@pytest.mark.parametrize(("record", "table"), STORED, ids=lambda x: getattr(x, "name", ""))
def test_every_kept_field_has_a_column_that_fits_it(record: Record[Any], table: Table) -> None:
    for field in record.fields:
        if not field.kept:
            continue  # taken as input only (learner_id), never stored
        column = _column(record, table, field.name)
        if column is None:
            continue
        if (table.name, field.name) in FILLED_IN:
            assert record.is_optional(field.name), f"{table.name}.{column.name} may be left out"
            assert not column.nullable, f"{table.name}.{column.name} is filled in before it is stored"
        elif field.name not in REFERENCES:
            assert column.nullable == record.is_optional(field.name), f"{table.name}.{column.name} nullability"
        if field.kind in (FieldKind.TRANSLATED, FieldKind.RECORDS, FieldKind.CODES, FieldKind.TEXTS):
            assert isinstance(column.type, JSON), f"{table.name}.{column.name} holds a list or texts"
        if isinstance(column.type, String) and column.type.length is not None:
            width = column.type.length
            assert field.max_length is None or field.max_length <= width, f"{table.name}.{column.name}"
            if field.vocab is not None:
                longest = max(len(code) for code in vocabulary(field.vocab).codes())
                assert longest <= width, f"{table.name}.{column.name}: codes of {field.vocab} are longer"


def test_quality_assurance_records_have_their_own_table() -> None:
    assert tables.quality_assurances.c.provider_id.references(tables.providers.c.id)
