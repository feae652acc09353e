"""Keyset pages in SQL: a listing in a fixed, unique order, read one page at a time after the last key seen.

``LIMIT … OFFSET`` reads and skips every earlier row, and a row written between two requests shifts the
pages, so a record shows twice or never. A page that starts *after a key* costs the same however deep it
is, and is stable: a row inserted before the position is not on later pages, one inserted after it is.
Text keys compare by code point on both backends (``COLLATE "C"`` on PostgreSQL, SQLite's default), which
is also the order of Python's ``sorted``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypeVar

from sqlalchemy import ColumnElement, Connection, Row, Select, and_, collate, literal, or_, tuple_

from microcred.domain import Page, Position
from microcred.errors import Invalid

__all__ = ["ITERATE_BATCH", "SortKey", "each", "read_page"]

T = TypeVar("T")

ITERATE_BATCH = 1_000
"""Rows per read when a caller walks a whole listing (exports, CLI tables): bounded memory, few round trips."""

KeyKind = Literal["text", "integer", "decimal", "timestamp"]


@dataclass(frozen=True, slots=True)
class SortKey:
    """One term of a listing's order: an SQL expression that is never NULL, its kind and its direction.

    The kind says how the term's value travels in a :data:`~microcred.domain.Position` (always as JSON text
    or a whole number: decimals and timestamps as strings, so they come back exactly).
    """

    expression: ColumnElement[Any]
    kind: KeyKind = "text"
    descending: bool = False


def read_page(
    connection: Connection,
    query: Select[Any],
    order: Sequence[SortKey],
    *,
    after: Position | None,
    limit: int,
) -> tuple[list[Row[Any]], Position | None]:
    """At most ``limit`` rows of ``query`` after ``after`` in ``order``, and the last one's position if more follow.

    ``order`` must end in a unique key, or rows that tie on every term could be skipped. One row more than
    asked for is read, so the last page says it is the last without another query.
    """
    if limit < 1:
        raise ValueError(f"a page holds at least one row, not {limit}")
    postgres = connection.dialect.name == "postgresql"
    terms = [_sortable(key, postgres=postgres) for key in order]
    query = query.add_columns(*(term.label(f"keyset_{number}") for number, term in enumerate(terms)))
    if after is not None:
        query = query.where(_beyond(terms, order, _values(after, order)))
    directions = [term.desc() if key.descending else term.asc() for term, key in zip(terms, order, strict=True)]
    rows = list(connection.execute(query.order_by(*directions).limit(limit + 1)).all())
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]._mapping
    return rows[:limit], tuple(_dump(last[f"keyset_{n}"], key.kind) for n, key in enumerate(order))


def each(read: Callable[[Position | None], Page[T]]) -> Iterator[T]:
    """Every record of a listing, read a page at a time: no page size is ever a hidden cap."""
    after: Position | None = None
    while True:
        page = read(after)
        yield from page.items
        if page.next_after is None:
            return
        after = page.next_after


def _sortable(key: SortKey, *, postgres: bool) -> ColumnElement[Any]:
    if key.kind == "text" and postgres:
        return collate(key.expression, "C")
    return key.expression


def _beyond(
    terms: Sequence[ColumnElement[Any]], order: Sequence[SortKey], values: Sequence[object]
) -> ColumnElement[bool]:
    """Rows after ``values`` in ``order``: one row-value comparison when every term runs the same way."""
    bound = [literal(value, type_=term.type) for term, value in zip(terms, values, strict=True)]
    if len({key.descending for key in order}) == 1:
        if order[0].descending:
            return tuple_(*terms) < tuple_(*bound)
        return tuple_(*terms) > tuple_(*bound)
    beyond = []
    for number, key in enumerate(order):
        equal = [terms[before] == bound[before] for before in range(number)]
        step = terms[number] < bound[number] if key.descending else terms[number] > bound[number]
        beyond.append(and_(*equal, step))
    return or_(*beyond)


def _values(after: Position, order: Sequence[SortKey]) -> list[object]:
    """The position's values for binding; Invalid (field ``cursor``) when it was not made for this order."""
    if not isinstance(after, tuple | list) or len(after) != len(order):
        raise _foreign()
    return [_parse(value, key.kind) for value, key in zip(after, order, strict=True)]


def _parse(value: object, kind: KeyKind) -> object:
    if kind == "integer":
        if type(value) is not int:
            raise _foreign()
        return value
    if not isinstance(value, str):
        raise _foreign()
    if kind == "decimal":
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise _foreign() from None
        if not number.is_finite():
            raise _foreign()
        return number
    if kind == "timestamp":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise _foreign() from None
        if moment.tzinfo is None:
            raise _foreign()
        return moment.astimezone(UTC)
    return value


def _dump(value: Any, kind: KeyKind) -> str | int:
    if kind == "integer":
        return int(value)
    if kind == "timestamp":
        moment: datetime = value
        # SQLite hands timestamps back without a zone; everything is stored in UTC
        return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)).isoformat()
    return str(value)


def _foreign() -> Invalid:
    return Invalid.field("cursor", "cursor-foreign")
