"""A row's parsed cells <-> a record's plain values, following each column's path; the enrolment's learner."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from microcred.domain import Learner, LearnerScheme, check_academic_year, identify, pseudonymise
from microcred.domain.fields import Field, FieldKind, Record
from microcred.errors import FieldProblem, Invalid
from microcred.io.cells import join_list

if TYPE_CHECKING:
    from microcred.io.columns import Column
    from microcred.io.layouts import ParseContext

__all__ = ["cells", "edition_year", "enrolment_learner", "plain_values"]


def plain_values(record: Record[Any], columns: Sequence[Column], values: Mapping[str, Any]) -> dict[str, Any]:
    """The record's plain values (see ``Record.build``) from a row's parsed cells, keyed by column."""
    plain: dict[str, Any] = {}
    for field in record.fields:
        own = [column for column in columns if column.path[0] == field.name]
        if field.kind is FieldKind.TRANSLATED:
            plain[field.name] = {column.path[1]: values[column.name] for column in own if values[column.name]}
        elif field.kind is FieldKind.RECORDS:
            plain[field.name] = _sub_records(field, own, values)
        elif field.kind is FieldKind.TEXTS:
            plain[field.name] = [item for item in values[own[0].name] if item]
        else:
            plain[field.name] = values[own[0].name]
    return plain


def _sub_records(field: Field, columns: Sequence[Column], values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The sub-records whose values stand at the same position in each of the field's list columns."""
    required = [c.name for c in columns if len(c.path) == 2 and field.sub.field(c.path[1]).required]
    lists = _parallel(values, [c.name for c in columns], required)
    records: list[dict[str, Any]] = []
    for index in range(len(lists[0]) if lists else 0):
        item: dict[str, Any] = {sub.name: {} for sub in field.sub.fields if sub.kind is FieldKind.TRANSLATED}
        for column, items in zip(columns, lists, strict=True):
            value = items[index]
            if len(column.path) == 3:
                if value:
                    item[column.path[1]][column.path[2]] = value
            elif value is None and field.sub.field(column.path[1]).required:
                raise Invalid.field(column.name, "required-every-record")
            else:
                item[column.path[1]] = value if value != "" or field.sub.field(column.path[1]).required else None
        records.append(item)
    return records


def _parallel(values: Mapping[str, Any], names: Sequence[str], required: Sequence[str]) -> list[list[Any]]:
    """Lists given in parallel columns (one item per record), padded when a column is left empty."""
    lists = [list(values[name]) for name in names]
    size = max((len(items) for items in lists), default=0)
    for name, items in zip(names, lists, strict=True):
        if items and len(items) != size:
            raise Invalid.field(name, "list-size", size=size, count=len(items))
        if not items and size and name in required:
            raise Invalid.field(name, "list-size-missing", size=size)
    return [items or [None] * size for items in lists]


def cells(record: Record[Any], columns: Sequence[Column], value: Any) -> dict[str, str]:
    """The text of each column for a record, as exports write it (columns not kept, such as learner_id, empty)."""
    plain = record.plain(value)
    return {column.name: _cell(plain.get(column.path[0]), column.path) for column in columns}


def _cell(value: Any, path: tuple[str, ...]) -> str:
    if len(path) == 1:
        return join_list([_text(item) for item in value]) if isinstance(value, list) else _text(value)
    if isinstance(value, dict):  # a translated text
        return str(value.get(path[1], ""))
    items = [item[path[1]] for item in value or []]
    if len(path) == 3:
        items = [item.get(path[2], "") for item in items]
    return join_list([_text(item) for item in items])


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def enrolment_learner(plain: dict[str, Any], values: Mapping[str, Any], context: ParseContext) -> None:
    """An enrolment row names its learner by identifier (pseudonymised here, in the scope of its scheme) or by
    the register's pseudonym (with the scheme it was recorded under, when the row gives it)."""
    raw, given = values["learner_id"], values["learner_pseudonym"]
    stated = LearnerScheme(values["learner_scheme"]) if values["learner_scheme"] else None
    if raw and given:
        raise Invalid.field("learner_pseudonym", "learner-id-or-pseudonym")
    if given:
        plain["learner"] = Learner(given.lower()).pseudonym
    elif not raw:
        raise Invalid("invalid-input", problems=[FieldProblem("learner_id", "learner-id-required")])
    else:
        scheme = identify(raw, stated)
        plain["learner"] = pseudonymise(raw, provider=values["provider"], pepper=context.pepper, scheme=scheme)
        plain["learner_scheme"] = scheme


def edition_year(plain: dict[str, Any], values: Mapping[str, Any], context: ParseContext) -> None:
    """An edition row's ``academic_year``, when given, must be the year its start falls in."""
    if plain.get("start_date") is not None:
        check_academic_year(values.get("academic_year"), plain["start_date"])
