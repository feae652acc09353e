"""Set-based reads and writes for imports, exports and the demo register: many rows per statement.

Per-row repository calls cost a few round trips each; a million enrolments need batches instead. A
batch resolves its learners' pseudonyms in one go (inserting new ones with ON CONFLICT DO NOTHING),
reads the stored versions of its enrolments by natural key, and then inserts the new ones and updates
the changed ones with one executemany each. The change of every row is reported, as the repositories do.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from microcred.domain import Change, Edition, Enrolment
from microcred.storage import mapping
from microcred.storage.tables import editions, enrolments, learners, offerings, providers

__all__ = ["SqlBulkStore"]

_CHUNK = 500  # keys per IN (...) list: well under SQLite's and PostgreSQL's parameter limits
_COMPARED = (
    "edition_id",
    "learner_id",
    "enrolment_date",
    "contract_type",
    "employment_status",
    "age_band",
    "outcome",
    "grade",
    "outcome_date",
)


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

    def learner_ids(self, pseudonyms: Sequence[str]) -> dict[str, int]:
        """Ids of the given pseudonyms, registering the ones seen for the first time."""
        wanted = list(dict.fromkeys(pseudonyms))
        found = self._find_learners(wanted)
        missing = [{"pseudonym": p} for p in wanted if p not in found]
        if missing:
            dialect_insert = postgresql.insert if self._dialect == "postgresql" else sqlite.insert
            self._connection.execute(dialect_insert(learners).on_conflict_do_nothing(), missing)
            found.update(self._find_learners([row["pseudonym"] for row in missing]))
        return found

    def _find_learners(self, pseudonyms: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in _chunks(pseudonyms):
            query = select(learners.c.pseudonym, learners.c.id).where(learners.c.pseudonym.in_(chunk))
            found.update((row.pseudonym, int(row.id)) for row in self._connection.execute(query))
        return found

    def save_enrolments(self, batch: Sequence[tuple[int, int, Enrolment]]) -> list[Change]:
        """Upsert ``(provider id, edition id, enrolment)`` rows on provider + reference; one change per row."""
        learner_ids = self.learner_ids([enrolment.learner for _, _, enrolment in batch])
        stored = self._stored_enrolments(batch)
        now = datetime.now(UTC)
        new: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        changes: list[Change] = []
        for provider_id, edition_id, enrolment in batch:
            values = {
                "edition_id": edition_id,
                "learner_id": learner_ids[enrolment.learner],
                **mapping.enrolment_values(enrolment),
            }
            current = stored.get((provider_id, enrolment.reference))
            if current is None:
                new.append({"provider_id": provider_id, **values, "created_at": now, "updated_at": now})
                changes.append(Change.CREATED)
            elif all(current[name] == values[name] for name in _COMPARED):
                changes.append(Change.UNCHANGED)
            else:
                changed.append({"_id": current["id"], **values, "updated_at": now})
                changes.append(Change.UPDATED)
        if new:
            self._connection.execute(insert(enrolments), new)
        if changed:
            columns: dict[str, Any] = {n: bindparam(n) for n in (*_COMPARED, "reference", "updated_at")}
            statement = update(enrolments).where(enrolments.c.id == bindparam("_id")).values(columns)
            self._connection.execute(statement, changed)
        return changes

    def _stored_enrolments(self, batch: Sequence[tuple[int, int, Enrolment]]) -> dict[tuple[int, str], Any]:
        by_provider: dict[int, list[str]] = {}
        for provider_id, _, enrolment in batch:
            by_provider.setdefault(provider_id, []).append(enrolment.reference)
        stored: dict[tuple[int, str], Any] = {}
        columns: list[Any] = [enrolments.c.id, enrolments.c.reference, *(enrolments.c[name] for name in _COMPARED)]
        for provider_id, references in by_provider.items():
            for chunk in _chunks(references):
                query = select(*columns).where(
                    enrolments.c.provider_id == provider_id, enrolments.c.reference.in_(chunk)
                )
                for row in self._connection.execute(query):
                    stored[(provider_id, row.reference)] = row._mapping
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
        query = (
            select(
                enrolments,
                providers.c.slug.label("provider_slug"),
                editions.c.code.label("edition_code"),
                learners.c.pseudonym,
            )
            .join(providers, providers.c.id == enrolments.c.provider_id)
            .join(editions, editions.c.id == enrolments.c.edition_id)
            .join(learners, learners.c.id == enrolments.c.learner_id)
            .order_by(providers.c.slug, enrolments.c.reference)
        )
        if provider is not None:
            query = query.where(providers.c.slug == provider)
        result = self._connection.execution_options(yield_per=5_000).execute(query)
        for row in result:
            yield mapping.enrolment_from_row(row, row.provider_slug, row.edition_code, row.pseudonym)
