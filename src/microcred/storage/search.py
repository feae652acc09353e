"""Full-text search over offerings: SQLite FTS5 or PostgreSQL text search behind one repository.

The index is maintained by the database (migration ``search_0001``): FTS5 triggers on SQLite, a GIN
expression index on PostgreSQL. So offerings written by repositories, imports or bulk SQL are found at
once, and this module only reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Float,
    Integer,
    Select,
    and_,
    bindparam,
    exists,
    func,
    literal_column,
    select,
    text,
)

from microcred.domain import Edition, Offering
from microcred.storage import mapping
from microcred.storage.tables import editions, offerings, providers

__all__ = ["POSTGRES_DOCUMENT", "OfferingTally", "SqlOfferingSearch", "search_terms"]

#: The PostgreSQL search document: a stored generated tsvector column with a GIN index (migration search_0002),
#: deliberately not in ``tables.py`` because SQLite has no such column (it searches its FTS5 table).
POSTGRES_DOCUMENT = "offerings.search_document"
_WORD = re.compile(r"\w+")
_MAX_TERMS = 12


@dataclass(frozen=True, slots=True)
class OfferingTally:
    """Figures over all of a provider's offerings with one status, counted by the database."""

    total: int
    ects: Decimal
    by_kind: dict[str, int]
    by_level: dict[int, int]


def search_terms(query: str) -> list[str]:
    """The words of a free-text query, lower-cased; punctuation and operators are dropped, never interpreted."""
    return [word.casefold() for word in _WORD.findall(query or "")][:_MAX_TERMS]


class SqlOfferingSearch:
    """Finds offerings by words (prefix match on every word: "duurza" finds "duurzaamheid") and filters."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._postgres = connection.dialect.name == "postgresql"

    def find(
        self,
        text_query: str = "",
        *,
        status: str | None = "published",
        provider: str | None = None,
        isced_field: str | None = None,
        eqf_level: int | None = None,
        vks_level: int | None = None,
        ects_min: Decimal | None = None,
        ects_max: Decimal | None = None,
        language: str | None = None,
        participation_form: str | None = None,
        kind: str | None = None,
        starts_from: date | None = None,
        starts_until: date | None = None,
        limit: int,
        offset: int = 0,
    ) -> tuple[int, list[Offering]]:
        """The number of matching offerings and one page of them, best match (or title) first."""
        query: Select[Any] = select(offerings, providers.c.slug.label("provider_slug")).join(
            providers, providers.c.id == offerings.c.provider_id
        )
        conditions: list[ColumnElement[bool]] = []
        terms = search_terms(text_query)
        order: list[Any] = []
        if terms:
            query, score = self._match(query, terms)
            order.append(score)
        if status is not None:
            conditions.append(offerings.c.status == status)
        if provider:
            conditions.append(providers.c.slug == provider)
        if isced_field:
            conditions.append(offerings.c.isced_field.startswith(isced_field, autoescape=True))
        if eqf_level is not None:
            conditions.append(offerings.c.eqf_level == eqf_level)
        if vks_level is not None:
            conditions.append(offerings.c.vks_level == vks_level)
        if ects_min is not None:
            conditions.append(offerings.c.ects >= ects_min)
        if ects_max is not None:
            conditions.append(offerings.c.ects <= ects_max)
        if language:
            conditions.append(self._has_language(language))
        if participation_form:
            conditions.append(offerings.c.participation_form == participation_form)
        if kind:
            conditions.append(offerings.c.kind == kind)
        if starts_from is not None or starts_until is not None:
            conditions.append(_has_edition_starting(starts_from, starts_until))
        query = query.where(and_(*conditions)) if conditions else query
        total = int(self._connection.execute(select(func.count()).select_from(query.subquery())).scalar_one())
        order += [self._title_key(), providers.c.slug, offerings.c.code]
        rows = self._connection.execute(query.order_by(*order).limit(limit).offset(offset)).all()
        return total, [mapping.offering_from_row(row, row.provider_slug) for row in rows]

    def facets(self, *, status: str = "published") -> dict[str, list[str]]:
        """The values present among offerings with ``status``: what the catalogue's filters can offer."""
        base = offerings.c.status == status
        provider_slugs = self._connection.execute(
            select(providers.c.slug)
            .distinct()
            .join(offerings, offerings.c.provider_id == providers.c.id)
            .where(base)
            .order_by(providers.c.slug)
        ).scalars()
        fields = self._connection.execute(
            select(func.substr(offerings.c.isced_field, 1, 2))
            .distinct()
            .where(base, offerings.c.isced_field.isnot(None))
        ).scalars()
        languages: set[str] = set()
        for row_languages in self._connection.execute(select(offerings.c.languages).where(base)).scalars():
            languages.update(row_languages or [])
        return {
            "providers": list(provider_slugs),
            "isced_fields": sorted(str(code) for code in fields),
            "languages": sorted(languages),
        }

    def counts_by_provider(self, *, status: str = "published") -> dict[str, int]:
        """How many offerings with ``status`` each provider has (providers with none are left out)."""
        rows = self._connection.execute(
            select(providers.c.slug, func.count(offerings.c.id))
            .join(offerings, offerings.c.provider_id == providers.c.id)
            .where(offerings.c.status == status)
            .group_by(providers.c.slug)
        ).all()
        return {str(slug): int(count) for slug, count in rows}

    def next_editions(self, offering_ids: list[int], *, on: date) -> dict[int, Edition]:
        """For each offering, its first edition starting on or after ``on``: one query for a result page."""
        if not offering_ids:
            return {}
        rows = self._connection.execute(
            select(editions, offerings.c.code.label("offering_code"), providers.c.slug.label("provider_slug"))
            .join(offerings, offerings.c.id == editions.c.offering_id)
            .join(providers, providers.c.id == editions.c.provider_id)
            .where(editions.c.offering_id.in_(offering_ids), editions.c.start_date >= on)
            .order_by(editions.c.offering_id, editions.c.start_date, editions.c.id)
        ).all()
        first: dict[int, Edition] = {}
        for row in rows:
            if row.offering_id not in first:
                first[row.offering_id] = mapping.edition_from_row(row, row.provider_slug, row.offering_code)
        return first

    def editions_count(self, provider: str, *, status: str = "published") -> int:
        """How many editions the provider's offerings with ``status`` have."""
        return int(
            self._connection.execute(
                select(func.count(editions.c.id))
                .join(offerings, offerings.c.id == editions.c.offering_id)
                .join(providers, providers.c.id == offerings.c.provider_id)
                .where(providers.c.slug == provider, offerings.c.status == status)
            ).scalar_one()
        )

    def tally(self, provider: str, *, status: str = "published") -> OfferingTally:
        """How many offerings with ``status`` the provider has, their ECTS credits, and counts by kind and level."""
        chosen = (providers.c.slug == provider, offerings.c.status == status)

        def grouped(column: Any) -> dict[Any, int]:
            rows = self._connection.execute(
                select(column, func.count())
                .join(providers, providers.c.id == offerings.c.provider_id)
                .where(*chosen, column.isnot(None))
                .group_by(column)
            ).all()
            return {value: int(count) for value, count in rows}

        total, ects = self._connection.execute(
            select(func.count(), func.sum(offerings.c.ects))
            .select_from(offerings)
            .join(providers, providers.c.id == offerings.c.provider_id)
            .where(*chosen)
        ).one()
        return OfferingTally(
            total=int(total),
            ects=_tenths(ects),
            by_kind={str(kind): count for kind, count in grouped(offerings.c.kind).items()},
            by_level={int(level): count for level, count in grouped(offerings.c.eqf_level).items()},
        )

    def _match(self, query: Select[Any], terms: list[str]) -> tuple[Select[Any], Any]:
        if self._postgres:
            document: ColumnElement[Any] = literal_column(POSTGRES_DOCUMENT)
            tsquery = func.to_tsquery(
                literal_column("'simple'::regconfig"), bindparam("tsquery", " & ".join(f"{t}:*" for t in terms))
            )
            return query.where(document.op("@@")(tsquery)), func.ts_rank(document, tsquery).desc()
        fts = (
            text(
                "SELECT rowid AS offering_id, bm25(offering_search) AS score "
                "FROM offering_search WHERE offering_search MATCH :match"
            )
            .bindparams(match=" ".join(f'"{t}"*' for t in terms))
            .columns(offering_id=Integer, score=Float)
            .subquery("fts")
        )
        return query.join(fts, fts.c.offering_id == offerings.c.id), fts.c.score.asc()

    def _has_language(self, language: str) -> ColumnElement[bool]:
        if self._postgres:
            return text("jsonb_exists(offerings.languages::jsonb, :language)").bindparams(language=language)  # type: ignore[return-value]
        return text(  # type: ignore[return-value]
            "EXISTS (SELECT 1 FROM json_each(offerings.languages) WHERE json_each.value = :language)"
        ).bindparams(language=language)

    def _title_key(self) -> Any:
        if self._postgres:
            return func.lower(func.coalesce(offerings.c.title.op("->>")("nl"), offerings.c.title.op("->>")("en")))
        return func.lower(
            func.coalesce(func.json_extract(offerings.c.title, "$.nl"), func.json_extract(offerings.c.title, "$.en"))
        )


def _tenths(total: object) -> Decimal:
    """A sum of ECTS credits (one decimal each) exact again: SQLite adds them as binary floats."""
    if total is None:
        return Decimal(0)
    exact = Decimal(str(total)).quantize(Decimal("0.1"))
    return Decimal(int(exact)) if exact == exact.to_integral_value() else exact


def _has_edition_starting(starts_from: date | None, starts_until: date | None) -> ColumnElement[bool]:
    conditions = [editions.c.offering_id == offerings.c.id]
    if starts_from is not None:
        conditions.append(editions.c.start_date >= starts_from)
    if starts_until is not None:
        conditions.append(editions.c.start_date <= starts_until)
    return exists().where(*conditions)
