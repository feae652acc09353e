"""Set-based reads and writes for imports, exports and the demo register: many rows per statement.

Per-row repository calls cost a few round trips each; a million enrolments need batches instead. A
batch resolves its learners' pseudonyms in one go (inserting new ones with ON CONFLICT DO NOTHING),
reads the stored versions of its enrolments by natural key, and then inserts the new ones and updates
the changed ones with one executemany each. The change of every row is reported, as the repositories do.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from microcred.domain import Change, Edition, Enrolment
from microcred.storage import mapping
from microcred.storage.changes import next_statistics_generation
from microcred.storage.engine import stamp
from microcred.storage.repositories import enrolments_query
from microcred.storage.tables import editions, enrolments, offerings, providers

__all__ = ["SqlBulkStore"]

_CHUNK = 5_000  # keys per IN (...) list: under SQLite's (32766) and PostgreSQL's (65535) parameter limits
_COMPARED = (
    "edition_id",
    "learner_id",
    "learner_scheme",
    "enrolment_date",
    "contract_type",
    "employment_status",
    "age_band",
    "outcome",
    "grade",
    "outcome_date",
)


def _text(value: object) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _compared(edition_id: int, learner_id: int, enrolment: Enrolment) -> tuple[Any, ...]:
    """The stored values of an enrolment in _COMPARED order, dates as ISO text (how SQLite keeps them)."""
    return (
        edition_id,
        learner_id,
        None if enrolment.learner_scheme is None else enrolment.learner_scheme.value,
        enrolment.enrolment_date.isoformat() if enrolment.enrolment_date else None,
        enrolment.contract_type.value,
        enrolment.employment_status.value,
        enrolment.age_band.value,
        enrolment.outcome.value,
        enrolment.grade,
        enrolment.outcome_date.isoformat() if enrolment.outcome_date else None,
    )


def _typed(compared: tuple[Any, ...], enrolment: Enrolment) -> tuple[Any, ...]:
    """``compared`` with real dates again, for drivers (and SQLAlchemy) that want date objects."""
    return (*compared[:3], enrolment.enrolment_date, *compared[4:9], enrolment.outcome_date)


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class SqlBulkStore:
    """Bulk access on the unit of work's connection (and so inside its transaction)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._dialect = connection.dialect.name

    def provider_ids(self) -> dict[str, int]:
        """Every provider's id by slug."""
        return {row.slug: int(row.id) for row in self._connection.execute(select(providers.c.slug, providers.c.id))}

    def offering_ids(self, provider_id: int) -> dict[str, int]:
        """The provider's offerings' ids by code."""
        query = select(offerings.c.code, offerings.c.id).where(offerings.c.provider_id == provider_id)
        return {row.code: int(row.id) for row in self._connection.execute(query)}

    def edition_ids(self, provider_id: int) -> dict[str, int]:
        """The provider's editions' ids by code."""
        query = select(editions.c.code, editions.c.id).where(editions.c.provider_id == provider_id)
        return {row.code: int(row.id) for row in self._connection.execute(query)}

    def edition_starts(self, provider_id: int) -> dict[str, date]:
        """The first day of each of the provider's editions, by code."""
        query = select(editions.c.code, editions.c.start_date).where(editions.c.provider_id == provider_id)
        return {row.code: row.start_date for row in self._connection.execute(query)}

    def learner_ids(self, pseudonyms: Sequence[str]) -> dict[str, int]:
        """Ids of the given pseudonyms, registering the ones seen for the first time."""
        wanted = list(dict.fromkeys(pseudonyms))
        found = self._find_learners(wanted)
        missing = [(p,) for p in wanted if p not in found]
        if missing:
            self._connection.exec_driver_sql(
                f"INSERT INTO learners (pseudonym) VALUES ({self._mark}) ON CONFLICT (pseudonym) DO NOTHING", missing
            )
            found.update(self._find_learners([row[0] for row in missing]))
        return found

    @property
    def _mark(self) -> str:
        return "?" if self._connection.dialect.paramstyle == "qmark" else "%s"

    def _in_list(self, count: int) -> str:
        return ", ".join([self._mark] * count)

    def _find_learners(self, pseudonyms: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in _chunks(pseudonyms):
            sql = f"SELECT pseudonym, id FROM learners WHERE pseudonym IN ({self._in_list(len(chunk))})"
            found.update((row[0], int(row[1])) for row in self._connection.exec_driver_sql(sql, tuple(chunk)))
        return found

    def save_enrolments(self, batch: Sequence[tuple[int, int, Enrolment]]) -> list[Change]:
        """Upsert ``(provider id, edition id, enrolment)`` rows on provider + reference; one change per row.

        Statements go straight to the driver (no per-value SQLAlchemy processing): dates travel as ISO text
        on SQLite, which is how SQLAlchemy's Date type stores them there, and as dates on PostgreSQL.
        """
        learner_ids = self.learner_ids([enrolment.learner for _, _, enrolment in batch])
        stored = self._stored_enrolments(batch)
        sqlite = self._dialect == "sqlite"
        now: Any = stamp(self._connection)
        if sqlite:
            now = now.strftime("%Y-%m-%d %H:%M:%S.%f")
        new: list[tuple[Any, ...]] = []
        changed: list[dict[str, Any]] = []
        changes: list[Change] = []
        for provider_id, edition_id, enrolment in batch:
            compared = _compared(edition_id, learner_ids[enrolment.learner], enrolment)
            current = stored.get((provider_id, enrolment.reference))
            if current is not None and compared[2] is None:  # a row by pseudonym alone keeps the recorded scheme
                compared = (*compared[:2], current[3], *compared[3:])
            if current is None:
                values = compared if sqlite else _typed(compared, enrolment)
                new.append((provider_id, enrolment.reference, *values, now, now))
                changes.append(Change.CREATED)
            elif current[1:] == compared:
                changes.append(Change.UNCHANGED)
            else:
                update_values = dict(zip(_COMPARED, _typed(compared, enrolment), strict=True))
                changed.append({"_id": current[0], **update_values, "updated_at": stamp(self._connection)})
                changes.append(Change.UPDATED)
        if new:  # one statistics generation for the whole batch (storage.changes)
            generation = next_statistics_generation(self._connection)
            names = ", ".join(("provider_id", "reference", *_COMPARED, "created_at", "updated_at", "change_generation"))
            sql = f"INSERT INTO enrolments ({names}) VALUES ({self._in_list(len(_COMPARED) + 5)})"
            self._connection.exec_driver_sql(sql, [(*row, generation) for row in new])
        if changed:
            columns: dict[str, Any] = {n: bindparam(n) for n in (*_COMPARED, "updated_at")}
            columns["change_generation"] = next_statistics_generation(self._connection)
            statement = update(enrolments).where(enrolments.c.id == bindparam("_id")).values(columns)
            self._connection.execute(statement, changed)
        return changes

    def _stored_enrolments(self, batch: Sequence[tuple[int, int, Enrolment]]) -> dict[tuple[int, str], tuple[Any, ...]]:
        """The stored versions (id, then the compared values as text) of the batch's enrolments."""
        by_provider: dict[int, list[str]] = {}
        for provider_id, _, enrolment in batch:
            by_provider.setdefault(provider_id, []).append(enrolment.reference)
        stored: dict[tuple[int, str], tuple[Any, ...]] = {}
        names = ", ".join(_COMPARED)
        for provider_id, references in by_provider.items():
            for chunk in _chunks(references):
                sql = (
                    f"SELECT id, reference, {names} FROM enrolments "
                    f"WHERE provider_id = {self._mark} AND reference IN ({self._in_list(len(chunk))})"
                )
                for row in self._connection.exec_driver_sql(sql, (provider_id, *chunk)):
                    stored[(provider_id, row[1])] = (row[0], *(_text(value) for value in row[2:]))
        return stored

    def iter_editions(self, provider: str | None = None) -> Iterator[Edition]:
        """Every edition (of one provider), ordered by provider and code."""
        query = (
            select(editions, providers.c.slug.label("provider_slug"), offerings.c.code.label("offering_code"))
            .join(providers, providers.c.id == editions.c.provider_id)
            .join(offerings, offerings.c.id == editions.c.offering_id)
            .order_by(providers.c.slug, editions.c.code)
        )
        if provider is not None:
            query = query.where(providers.c.slug == provider)
        for row in self._connection.execute(query):
            yield mapping.edition_from_row(row, row.provider_slug, row.offering_code)

    def iter_enrolments(self, provider: str | None = None) -> Iterator[Enrolment]:
        """Every enrolment (of one provider), streamed in batches, ordered by provider and reference."""
        query = enrolments_query().order_by(providers.c.slug, enrolments.c.reference)
        if provider is not None:
            query = query.where(providers.c.slug == provider)
        result = self._connection.execution_options(yield_per=5_000).execute(query)
        for row in result:
            yield mapping.enrolment_from_row(row, row.provider_slug, row.edition_code, row.pseudonym)
