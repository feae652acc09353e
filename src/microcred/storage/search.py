"""Full-text search over offerings: SQLite FTS5 or PostgreSQL text search behind one repository.

The index is maintained by the database (migration ``search_0001``): FTS5 triggers on SQLite, a GIN
expression index on PostgreSQL. So offerings written by repositories, imports or bulk SQL are found at
once, and this module only reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Float,
    Integer,
    Row,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
    true,
)

from microcred.domain import Edition, Offering
from microcred.domain.words import FOLD_SQL, fold, query_forms, query_terms
from microcred.storage import mapping
from microcred.storage.tables import editions, enrolments, offerings, providers

__all__ = ["POSTGRES_DOCUMENT", "FoundOffering", "OfferingTally", "SqlOfferingSearch"]

_VERSION_KEY = "microcred.catalogue_version"  # per SQLite connection: (its writes seen, the version then)

#: The PostgreSQL search document: a stored generated tsvector column with a GIN index (migration search_0002),
#: deliberately not in ``tables.py`` because SQLite has no such column (it searches its FTS5 table).
POSTGRES_DOCUMENT = "offerings.search_document"


@dataclass(frozen=True, slots=True)
class OfferingTally:
    """Figures over all of a provider's offerings with one status, counted by the database."""

    total: int
    ects: Decimal
    by_kind: dict[str, int]
    by_level: dict[int, int]


class FoundOffering:
    """An offering found, by provider and code, read from its row on the first ``offering()``."""

    __slots__ = ("_row", "code", "provider")

    def __init__(self, row: Row[Any]) -> None:
        self._row = row
        self.provider: str = row.provider_slug
        self.code: str = row.code

    def offering(self) -> Offering:
        return mapping.offering_from_row(self._row, self.provider)


class SqlOfferingSearch:
    """Finds offerings by words (each word, or its Dutch or English stem, as a prefix: "duurza" and "duurzaamheid"
    find "Duurzaam bouwen") and filters."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._postgres = connection.dialect.name == "postgresql"

    def _found(
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
        title_language: str = "nl",
        limit: int,
        offset: int = 0,
    ) -> tuple[int, list[FoundOffering]]:
        """The number of matching offerings and one page of them, best match first, then by the title in
        ``title_language``; each offering is read from its row when asked (the catalogue API keeps most
        offerings it lists already rendered, and reading a row into an Offering was a sixth of a search)."""
        query: Select[Any] = select(offerings, providers.c.slug.label("provider_slug")).join(
            providers, providers.c.id == offerings.c.provider_id
        )
        conditions: list[ColumnElement[bool]] = []
        terms = query_terms(text_query)
        order: list[Any] = []
        if terms:
            query, ranking = self._match(query, terms, " ".join(text_query.split()))
            order += ranking
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
        order += [self._title_key(title_language), providers.c.slug, offerings.c.code]
        rows = self._connection.execute(query.order_by(*order).limit(limit).offset(offset)).all()
        if len(rows) < limit and (rows or not offset):
            total = offset + len(rows)  # the last page: no need to count the matches again
        else:
            total = int(self._connection.execute(select(func.count()).select_from(query.subquery())).scalar_one())
        return total, [FoundOffering(row) for row in rows]

    def find(self, text_query: str = "", **filters: Any) -> tuple[int, list[Offering]]:
        """:meth:`_found` with each offering read."""
        total, found = self._found(text_query, **filters)
        return total, [each.offering() for each in found]

    def find_lazily(self, text_query: str = "", **filters: Any) -> tuple[int, list[FoundOffering]]:
        return self._found(text_query, **filters)

    def catalogue_version(self) -> str:
        """A value that moves with any insert, update or delete of an offering or provider: per table the row
        count, highest id and latest ``updated_at`` (every write stamps it). The catalogue API keeps its pages
        while this stays the same (``services/search.py``, docs/decisions/0041).

        The latest ``updated_at`` is a scan of the table (about 1 ms for the full demo register's 2,275
        offerings), so SQLite skips it while nothing was written: ``PRAGMA data_version`` moves when another
        connection commits, ``total_changes`` when this one writes, and while neither moved since this
        connection last read the version, the database is the same."""
        quiet = None if self._postgres else self._sqlite_writes()
        kept = self._connection.info.get(_VERSION_KEY)
        if quiet is not None and kept is not None and kept[0] == quiet:
            return str(kept[1])
        marks = [select(func.count(), func.max(t.c.id), func.max(t.c.updated_at)) for t in (offerings, providers)]
        if self._postgres:  # one round trip; SQLite counts faster from two plain statements
            first, second = (mark.subquery() for mark in marks)
            both = select(first, second).select_from(first.join(second, true()))
            rows = [self._connection.execute(both).one()]
        else:
            rows = [self._connection.execute(mark).one() for mark in marks]
        version = "|".join("" if value is None else str(value) for row in rows for value in row)
        if quiet is not None:
            self._connection.info[_VERSION_KEY] = (quiet, version)
        return version

    def _sqlite_writes(self) -> tuple[int, int]:
        """Where this SQLite connection stands: commits by other connections, and its own changes."""
        others = int(self._connection.exec_driver_sql("PRAGMA data_version").scalar_one())
        own = int(self._connection.connection.dbapi_connection.total_changes)  # type: ignore[union-attr]
        return others, own

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
        # The database unpacks the languages lists: reading and parsing every offering's list in Python took
        # most of a catalogue page's time on the full demo register.
        unpacked = (
            "SELECT DISTINCT language FROM offerings, jsonb_array_elements_text(offerings.languages::jsonb) AS language"
            if self._postgres
            else "SELECT DISTINCT language.value FROM offerings, json_each(offerings.languages) AS language"
        )
        languages = self._connection.execute(
            text(f"{unpacked} WHERE offerings.status = :status").bindparams(status=status)
        ).scalars()
        return {
            "providers": list(provider_slugs),
            "isced_fields": sorted(str(code) for code in fields),
            "languages": sorted(str(language) for language in languages),
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

    def seats_taken(self, edition_ids: list[int]) -> dict[int, int]:
        """How many enrolments of each edition hold a seat (every outcome but a withdrawal); editions without
        any are left out."""
        if not edition_ids:
            return {}
        rows = self._connection.execute(
            select(enrolments.c.edition_id, func.count())
            .where(enrolments.c.edition_id.in_(edition_ids), enrolments.c.outcome != "withdrawn")
            .group_by(enrolments.c.edition_id)
        ).all()
        return {int(edition): int(count) for edition, count in rows}

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

    def _match(self, query: Select[Any], terms: list[str], phrase: str) -> tuple[Select[Any], list[Any]]:
        """Offerings matching every term, ordered: the whole query as a title, every term in the title, the rest;
        within each, the engine's own relevance (bm25 on SQLite, ts_rank on PostgreSQL)."""
        exact = case((self._title_equals(phrase), 0), else_=1)
        if self._postgres:
            document: ColumnElement[Any] = literal_column(POSTGRES_DOCUMENT)
            anywhere, in_title = _tsquery(terms, ""), _tsquery(terms, "A")
            title_tier = case((document.op("@@")(in_title), 0), else_=1)
            return query.where(document.op("@@")(anywhere)), [
                exact,
                title_tier,
                func.ts_rank(document, anywhere).desc(),
            ]
        words = " AND ".join(_fts_any(term) for term in terms)
        in_title = " AND ".join(f"title : {_fts_any(term)}" for term in terms)
        fts = (
            text(
                "SELECT rowid AS offering_id, bm25(offering_search) AS score, "
                "rowid IN (SELECT rowid FROM offering_search WHERE offering_search MATCH :in_title) AS in_title "
                "FROM offering_search WHERE offering_search MATCH :match"
            )
            .bindparams(match=words, in_title=in_title)
            .columns(offering_id=Integer, score=Float, in_title=Integer)
            .subquery("fts")
        )
        title_tier = case((fts.c.in_title == 1, 0), else_=1)
        return query.join(fts, fts.c.offering_id == offerings.c.id), [exact, title_tier, fts.c.score.asc()]

    def _title_equals(self, phrase: str) -> ColumnElement[bool]:
        return or_(*(self._folded(self._title_in(code)) == fold(phrase) for code in ("nl", "en")))

    def _title_in(self, language: str) -> Any:
        if self._postgres:
            return offerings.c.title.op("->>")(language)
        return func.json_extract(offerings.c.title, f"$.{language}")

    def _has_language(self, language: str) -> ColumnElement[bool]:
        if self._postgres:
            return text("jsonb_exists(offerings.languages::jsonb, :language)").bindparams(language=language)  # type: ignore[return-value]
        return text(  # type: ignore[return-value]
            "EXISTS (SELECT 1 FROM json_each(offerings.languages) WHERE json_each.value = :language)"
        ).bindparams(language=language)

    def _title_key(self, language: str) -> Any:
        """The title in ``language`` (else the other one), lower-cased and without accents: one order on both
        backends, whatever collations the database was created with."""
        other = "en" if language == "nl" else "nl"
        return self._folded(func.coalesce(self._title_in(language), self._title_in(other)))

    def _folded(self, title: Any) -> Any:
        """``title`` lower-cased without accents, as :func:`microcred.domain.words.fold` does."""
        return func.translate(func.lower(title), *FOLD_SQL) if self._postgres else func.microcred_fold(title)


def _fts_any(term: str) -> str:
    """An FTS5 expression matching any form of ``term`` as a prefix; forms are letters and digits only."""
    return "(" + " OR ".join(f'"{form}"*' for form in query_forms(term)) + ")"


def _tsquery(terms: list[str], weight: str) -> Any:
    """A tsquery matching every term by its word or its Dutch or English stem as a prefix (PostgreSQL's own
    stemmers, the ones that built the document); ``weight`` A keeps it to the title."""
    combined: Any = None
    for number, term in enumerate(terms):
        value: Any = bindparam(f"term_{weight}_{number}", f"{term}:*{weight}")
        forms = [func.to_tsquery(literal_column(f"'{config}'::regconfig"), value) for config in _CONFIGS]
        either = forms[0].op("||")(forms[1]).op("||")(forms[2])
        combined = either if combined is None else combined.op("&&")(either)
    return combined


_CONFIGS = ("simple", "dutch", "english")


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
