"""The register's facts for statistics (the ``StatisticsSource`` port of ``microcred.stats.source``).

The columns are fetched through the connection's DB-API cursor and handed over in batches: SQLAlchemy's
row objects would cost time at ten million enrolments (docs/decisions/0003-statistics-engine.md). The
statements are still built from ``storage.tables`` and compiled once for the dialect, and read the same on
SQLite and PostgreSQL; ECTS are fetched as whole tenths so Decimal and float cannot differ by backend.
The change token is the statistics generation (``storage.changes``), and the rows changed after a token are
the ones stamped above it, found through the ``change_generation`` indexes (decision 0038).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any, overload

from sqlalchemy import ClauseElement, Connection, Integer, Select, Table, case, cast, extract, func, select

from microcred.storage.changes import statistics_generation_now
from microcred.storage.stacking_tables import recognition_decisions
from microcred.storage.tables import editions, enrolments, learners, offerings, providers, statistics_removals

__all__ = ["SqlStatisticsSource"]

_BATCH = 100_000  # rows per fetch: a batch of columns, never the whole table as Python rows
_TABLES = {"providers": providers, "offerings": offerings, "editions": editions, "enrolments": enrolments}


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
    id: Sequence[int]
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
    enrolments.c.id,
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
    """Reads in the unit of work's transaction, so the change token and the columns see the same register.

    With ``since`` (``changes_since``) it hands over only the rows stamped after that generation."""

    def __init__(self, connection: Connection, *, batch: int = _BATCH, since: int | None = None) -> None:
        self._connection = connection
        self._batch = batch
        self._since = since

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
        """The statistics generation: every insert, update and delete of a row statistics read moves it."""
        return str(statistics_generation_now(self._connection))

    def changes_since(self, token: str) -> SqlStatisticsSource | None:
        """The rows stamped after ``token``'s generation; None for a token of another kind or from a later
        generation than the register's (a register restored from an older backup)."""
        if not token.isdigit() or int(token) > statistics_generation_now(self._connection):
            return None
        return SqlStatisticsSource(self._connection, batch=self._batch, since=int(token))

    def removed(self, kind: str) -> list[int]:
        """Ids of the rows of ``kind`` deleted after ``since`` (logged by the delete triggers)."""
        log = statistics_removals.c
        query = select(log.row_id).where(log.table_name == _TABLES[kind].name, log.generation > (self._since or 0))
        return [int(row_id) for (row_id,) in self._rows(query)]

    def rounding_secret(self) -> bytes:
        """The pseudonym of the register's first learner: a keyed hash (``pseudonym_pepper``) never published,
        which changes only if that learner is erased."""
        row = self._connection.execute(select(learners.c.pseudonym).order_by(learners.c.id).limit(1)).first()
        return b"" if row is None else str(row[0]).encode()

    def providers(self) -> Iterator[_Providers]:
        for batch in self._batches(self._changed(_PROVIDERS, providers)):
            ids, slugs, names, types = _columns(batch, 4)
            yield _Providers(ids, slugs, tuple(map(_texts, names)), types)

    def offerings(self) -> Iterator[_Offerings]:
        for batch in self._batches(self._changed(_OFFERINGS, offerings)):
            ids, provider_ids, codes, titles, *rest = _columns(batch, 11)
            yield _Offerings(ids, provider_ids, codes, tuple(map(_texts, titles)), *rest)

    def editions(self) -> Iterator[_Editions]:
        for batch in self._batches(self._changed(_EDITIONS, editions)):
            yield _Editions(*_columns(batch, 4))

    def enrolments(self) -> Iterator[_Enrolments]:
        for batch in self._batches(self._changed(_ENROLMENTS, enrolments)):
            yield _Enrolments(*_columns(batch, 8))

    def recognitions(self) -> Iterator[_Recognitions]:
        for batch in self._batches(_RECOGNITIONS):
            yield _Recognitions(*_columns(batch, 6))

    def _changed(self, statement: Select[Any], table: Table) -> Select[Any]:
        return statement if self._since is None else statement.where(table.c.change_generation > self._since)

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
