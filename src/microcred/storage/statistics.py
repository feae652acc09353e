"""The register's facts for statistics (the ``StatisticsSource`` port of ``microcred.stats.source``).

The columns are fetched through the connection's DB-API cursor and handed over in batches: SQLAlchemy's
row objects would cost time at ten million enrolments (docs/decisions/0003-statistics-engine.md). The
statements are still built from ``storage.tables`` and compiled once for the dialect, and read the same on
SQLite and PostgreSQL; ECTS are fetched as whole tenths so Decimal and float cannot differ by backend.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any, overload

from sqlalchemy import ClauseElement, Connection, Integer, case, cast, extract, func, select

from microcred.storage.stacking_tables import recognition_decisions
from microcred.storage.tables import editions, enrolments, learners, offerings, providers

__all__ = ["SqlStatisticsSource"]

_BATCH = 100_000  # rows per fetch: a batch of columns, never the whole table as Python rows
_CHANGES = (providers, offerings, editions, enrolments)  # the tables statistics read


@dataclass(frozen=True, slots=True)
class _Providers:
    id: Sequence[int]
    slug: Sequence[str]
    name: Sequence[Mapping[str, str]]
    type: Sequence[str]


@dataclass(frozen=True, slots=True)
class _Offerings:
    id: Sequence[int]
    provider_id: Sequence[int]
    code: Sequence[str]
    title: Sequence[Mapping[str, str]]
    kind: Sequence[str]
    flemish_type: Sequence[str | None]
    ects_tenths: Sequence[int | None]
    eqf_level: Sequence[int | None]
    vks_level: Sequence[int | None]
    isced_field: Sequence[str | None]
    participation_form: Sequence[str | None]


@dataclass(frozen=True, slots=True)
class _Editions:
    id: Sequence[int]
    offering_id: Sequence[int]
    academic_year: Sequence[int]
    capacity: Sequence[int | None]


@dataclass(frozen=True, slots=True)
class _Enrolments:
    edition_id: Sequence[int]
    learner_id: Sequence[int]
    contract_type: Sequence[str]
    employment_status: Sequence[str]
    age_band: Sequence[str]
    outcome: Sequence[str]
    learner_scheme: Sequence[str | None]


@dataclass(frozen=True, slots=True)
class _Recognitions:
    provider: Sequence[str]
    provider_type: Sequence[str]
    learner_id: Sequence[int]
    academic_year: Sequence[int]
    kind: Sequence[str]
    ects_tenths: Sequence[int]


_PROVIDERS = select(providers.c.id, providers.c.slug, providers.c.name, providers.c.type)
_OFFERINGS = select(
    offerings.c.id,
    offerings.c.provider_id,
    offerings.c.code,
    offerings.c.title,
    offerings.c.kind,
    offerings.c.flemish_type,
    cast(func.round(offerings.c.ects * 10), Integer),
    offerings.c.eqf_level,
    offerings.c.vks_level,
    offerings.c.isced_field,
    offerings.c.participation_form,
)
_EDITIONS = select(editions.c.id, editions.c.offering_id, editions.c.academic_year, editions.c.capacity)
_ENROLMENTS = select(
    enrolments.c.edition_id,
    enrolments.c.learner_id,
    enrolments.c.contract_type,
    enrolments.c.employment_status,
    enrolments.c.age_band,
    enrolments.c.outcome,
    enrolments.c.learner_scheme,
)


_DECIDED = recognition_decisions.c.decided_on
_RECOGNITIONS = (
    select(
        providers.c.slug,
        providers.c.type,
        learners.c.id,
        # the academic year starts on 1 September (domain.AcademicYear.of)
        cast(extract("year", _DECIDED), Integer) - case((extract("month", _DECIDED) < 9, 1), else_=0),
        recognition_decisions.c.kind,
        cast(func.round(recognition_decisions.c.ects * 10), Integer),
    )
    .join(providers, providers.c.id == recognition_decisions.c.provider_id)
    .join(learners, learners.c.pseudonym == recognition_decisions.c.learner)  # a provider decides for its learners
    .where(recognition_decisions.c.outcome == "recognised")
    .order_by(learners.c.id)
)


class SqlStatisticsSource:
    """Reads in the unit of work's transaction, so the change token and the columns see the same register."""

    def __init__(self, connection: Connection, *, batch: int = _BATCH) -> None:
        self._connection = connection
        self._batch = batch

    @property
    def register(self) -> str:
        file = self.register_file
        return str(file) if file else self._connection.engine.url.render_as_string(hide_password=True)

    @property
    def register_file(self) -> Path | None:
        url = self._connection.engine.url
        database = url.database
        if url.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
            return None
        return Path(database).resolve()

    def change_token(self) -> str:
        """Per table the row count, highest id and latest ``updated_at``: any insert, update or delete moves
        one of them. Values are the driver's own text, so the token of an unchanged register never differs."""
        found = []
        for table in _CHANGES:
            statement = select(func.count(), func.max(table.c.id), func.max(table.c.updated_at))
            for row in self._rows(statement):
                found.append([None if value is None else str(value) for value in row])
        return json.dumps(found)

    def rounding_secret(self) -> bytes:
        """The pseudonym of the register's first learner: a keyed hash (``pseudonym_pepper``) never published,
        which changes only if that learner is erased."""
        row = self._connection.execute(select(learners.c.pseudonym).order_by(learners.c.id).limit(1)).first()
        return b"" if row is None else str(row[0]).encode()

    def providers(self) -> Iterator[_Providers]:
        for batch in self._batches(_PROVIDERS):
            ids, slugs, names, types = _columns(batch, 4)
            yield _Providers(ids, slugs, tuple(map(_texts, names)), types)

    def offerings(self) -> Iterator[_Offerings]:
        for batch in self._batches(_OFFERINGS):
            ids, provider_ids, codes, titles, *rest = _columns(batch, 11)
            yield _Offerings(ids, provider_ids, codes, tuple(map(_texts, titles)), *rest)

    def editions(self) -> Iterator[_Editions]:
        for batch in self._batches(_EDITIONS):
            yield _Editions(*_columns(batch, 4))

    def enrolments(self) -> Iterator[_Enrolments]:
        for batch in self._batches(_ENROLMENTS):
            yield _Enrolments(*_columns(batch, 7))

    def recognitions(self) -> Iterator[_Recognitions]:
        for batch in self._batches(_RECOGNITIONS):
            yield _Recognitions(*_columns(batch, 6))

    def _sql(self, statement: ClauseElement) -> str:
        dialect = self._connection.dialect
        return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))

    def _batches(self, statement: ClauseElement) -> Iterator[Sequence[tuple[Any, ...]]]:
        cursor = self._connection.connection.cursor()
        try:
            cursor.execute(self._sql(statement))
            while batch := cursor.fetchmany(self._batch):
                yield batch
        finally:
            cursor.close()

    def _rows(self, statement: ClauseElement) -> Iterator[tuple[Any, ...]]:
        for batch in self._batches(statement):
            yield from batch


class _Column(Sequence[Any]):
    """One column of a batch of fetched rows, read in place: copying every column out as a tuple made the
    whole snapshot copy about 10 % slower (docs/decisions/0003-statistics-engine.md)."""

    __slots__ = ("_index", "_rows")

    def __init__(self, rows: Sequence[tuple[Any, ...]], index: int) -> None:
        self._rows = rows
        self._index = index

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[Any]:
        return map(itemgetter(self._index), self._rows)

    @overload
    def __getitem__(self, position: int) -> Any: ...
    @overload
    def __getitem__(self, position: slice) -> Sequence[Any]: ...
    def __getitem__(self, position: int | slice) -> Any:
        if isinstance(position, slice):
            return [row[self._index] for row in self._rows[position]]
        return self._rows[position][self._index]


def _columns(rows: Sequence[tuple[Any, ...]], width: int) -> list[_Column]:
    return [_Column(rows, index) for index in range(width)]


def _texts(value: object) -> dict[str, str]:
    """A language map as stored: JSON text on SQLite, already parsed by psycopg on PostgreSQL."""
    parsed = json.loads(value) if isinstance(value, str | bytes) else value
    return {str(k): str(v) for k, v in parsed.items()} if isinstance(parsed, dict) else {}
