"""The catalogue's repositories: providers (with their quality-assurance records and the trust rule in SQL)
and their offerings, read and written through one SQLAlchemy connection.

Every write is an upsert on the natural key (:mod:`.upsert`); pages are keyset pages (:mod:`.keyset`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, exists, func, insert, or_, select, update

from microcred.domain import (
    Change,
    LangText,
    Offering,
    OfferingKind,
    OfferingOrder,
    OfferingStatus,
    Page,
    Position,
    Provider,
    ProviderOrder,
    ProviderType,
    QualityAssurance,
)
from microcred.errors import NotFound
from microcred.storage import mapping
from microcred.storage.changes import next_statistics_generation
from microcred.storage.engine import stamp
from microcred.storage.keyset import ITERATE_BATCH, SortKey, each, read_page
from microcred.storage.tables import offerings, providers, quality_assurances
from microcred.storage.upsert import upsert

__all__ = ["SqlOfferingRepository", "SqlProviderRepository"]


class SqlProviderRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def id_of(self, slug: str) -> int:
        found = self._connection.execute(select(providers.c.id).where(providers.c.slug == slug)).scalar()
        if found is None:
            raise NotFound("no-provider", slug=slug)
        return int(found)

    def get(self, slug: str) -> Provider:
        row = self._connection.execute(select(providers).where(providers.c.slug == slug)).first()
        if row is None:
            raise NotFound("no-provider", slug=slug)
        return mapping.provider_from_row(row, self._records(row.id))

    def quality_assurances(self, slug: str) -> list[QualityAssurance]:
        """The provider's quality-assurance records in one query (a verification's trust check needs these only);
        NotFound for an unknown provider."""
        rows = self._connection.execute(
            select(quality_assurances)
            .join(providers, providers.c.id == quality_assurances.c.provider_id)
            .where(providers.c.slug == slug)
            .order_by(quality_assurances.c.valid_from)
        ).all()
        if not rows:
            self.id_of(slug)
        return [mapping.qa_from_row(row) for row in rows]

    def names(self, slugs: Iterable[str]) -> dict[str, LangText]:
        """The names of these providers in one query (a wallet lists a credential per provider; reading each
        whole provider with its quality-assurance records took a fifth of the page)."""
        wanted = set(slugs)
        if not wanted:
            return {}
        rows = self._connection.execute(select(providers.c.slug, providers.c.name).where(providers.c.slug.in_(wanted)))
        return {row.slug: LangText(row.name) for row in rows}

    def all(self) -> list[Provider]:
        """Every provider by slug: a register holds tens of them, not thousands."""
        rows = self._connection.execute(select(providers).order_by(providers.c.slug)).all()
        all_records = self._connection.execute(
            select(quality_assurances).order_by(quality_assurances.c.valid_from)
        ).all()
        by_provider: dict[int, list[QualityAssurance]] = {}
        for record in all_records:
            by_provider.setdefault(record.provider_id, []).append(mapping.qa_from_row(record))
        return [mapping.provider_from_row(row, by_provider.get(row.id, [])) for row in rows]

    def page(
        self,
        *,
        type: ProviderType | None = None,
        trusted: bool | None = None,
        on: date | None = None,
        order: ProviderOrder = "slug",
        after: Position | None = None,
        limit: int,
    ) -> Page[Provider]:
        """Providers after ``after`` in ``order``; ``trusted`` keeps those (not) trusted ``on`` that day."""
        query = select(providers)
        if type is not None:
            query = query.where(providers.c.type == type.value)
        if trusted is not None:
            if on is None:
                raise ValueError("trust is judged on a day: pass on=")
            query = query.where(_trusted_on(on) if trusted else ~_trusted_on(on))
        keys = [SortKey(providers.c.slug)]
        if order == "name":
            keys.insert(0, SortKey(_dutch(providers.c.name)))
        rows, next_after = read_page(self._connection, query, keys, after=after, limit=limit)
        records = self._records_of([row.id for row in rows])
        return Page([mapping.provider_from_row(row, records.get(row.id, [])) for row in rows], next_after)

    def save(self, provider: Provider) -> Change:
        """Upsert the provider and make its quality-assurance records exactly the given ones."""
        values = mapping.provider_values(provider)
        provider_id, change = upsert(self._connection, providers, {"slug": values.pop("slug")}, values)
        provider.id = provider_id
        wanted = {(r.agency, r.kind.value, r.valid_from): r for r in provider.quality_assurances}
        stored = {
            (r.agency, r.kind, r.valid_from): r
            for r in self._connection.execute(
                select(quality_assurances).where(quality_assurances.c.provider_id == provider_id)
            ).all()
        }
        records_changed = False
        for key, row in stored.items():
            if key not in wanted:
                self._connection.execute(quality_assurances.delete().where(quality_assurances.c.id == row.id))
                records_changed = True
        for key, record in wanted.items():
            values = {"valid_until": record.valid_until, "reference": record.reference}
            if key in stored:
                row = stored[key]
                if (row.valid_until, row.reference) != (record.valid_until, record.reference):
                    self._connection.execute(
                        update(quality_assurances).where(quality_assurances.c.id == row.id).values(**values)
                    )
                    records_changed = True
            else:
                self._connection.execute(
                    insert(quality_assurances).values(
                        provider_id=provider_id, agency=key[0], kind=key[1], valid_from=key[2], **values
                    )
                )
                records_changed = True
        if records_changed and change is Change.UNCHANGED:
            self._connection.execute(
                update(providers)
                .where(providers.c.id == provider_id)
                .values(
                    updated_at=stamp(self._connection), change_generation=next_statistics_generation(self._connection)
                )
            )
            return Change.UPDATED
        return change

    def _records(self, provider_id: int) -> list[QualityAssurance]:
        return self._records_of([provider_id]).get(provider_id, [])

    def _records_of(self, provider_ids: list[int]) -> dict[int, list[QualityAssurance]]:
        rows = self._connection.execute(
            select(quality_assurances)
            .where(quality_assurances.c.provider_id.in_(provider_ids))
            .order_by(quality_assurances.c.valid_from)
        ).all()
        by_provider: dict[int, list[QualityAssurance]] = {}
        for row in rows:
            by_provider.setdefault(row.provider_id, []).append(mapping.qa_from_row(row))
        return by_provider


def _trusted_on(day: date) -> ColumnElement[bool]:
    """The provider has a quality-assurance record valid on ``day`` (the trust rule, ``domain.is_trusted``)."""
    return exists().where(
        quality_assurances.c.provider_id == providers.c.id,
        quality_assurances.c.valid_from <= day,
        or_(quality_assurances.c.valid_until.is_(None), quality_assurances.c.valid_until >= day),
    )


def _dutch(texts: Any) -> ColumnElement[str]:
    """A multilingual JSON text's sort key: its Dutch text (else English), lower-cased, as ``LangText.get``."""
    return func.lower(func.coalesce(texts["nl"].as_string(), texts["en"].as_string(), ""))


def _offering_keys(order: OfferingOrder) -> list[SortKey]:
    unique = [SortKey(providers.c.slug), SortKey(offerings.c.code)]
    if order == "title":
        return [SortKey(_dutch(offerings.c.title)), *unique]
    if order == "-ects":
        return [SortKey(func.coalesce(offerings.c.ects, 0), "decimal", descending=True), *unique]
    return unique


class SqlOfferingRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, provider: str, code: str) -> Offering:
        row = self._connection.execute(
            select(offerings)
            .join(providers, providers.c.id == offerings.c.provider_id)
            .where(providers.c.slug == provider, offerings.c.code == code)
        ).first()
        if row is None:
            raise NotFound("no-offering", provider=provider, code=code)
        return mapping.offering_from_row(row, provider)

    def get_by_id(self, offering_id: int) -> Offering:
        row = self._connection.execute(
            select(offerings, providers.c.slug.label("provider_slug"))
            .join(providers, providers.c.id == offerings.c.provider_id)
            .where(offerings.c.id == offering_id)
        ).first()
        if row is None:
            raise NotFound("no-offering-id", id=offering_id)
        return mapping.offering_from_row(row, row.provider_slug)

    def page(
        self,
        provider: str | None = None,
        *,
        status: OfferingStatus | None = None,
        kind: OfferingKind | None = None,
        order: OfferingOrder = "code",
        after: Position | None = None,
        limit: int,
    ) -> Page[Offering]:
        """Offerings (of one provider) after ``after`` in ``order``; provider slug and code break ties."""
        query = select(offerings, providers.c.slug.label("provider_slug")).join(
            providers, providers.c.id == offerings.c.provider_id
        )
        if provider is not None:
            query = query.where(providers.c.slug == provider)
        if status is not None:
            query = query.where(offerings.c.status == status.value)
        if kind is not None:
            query = query.where(offerings.c.kind == kind.value)
        rows, next_after = read_page(self._connection, query, _offering_keys(order), after=after, limit=limit)
        return Page([mapping.offering_from_row(row, row.provider_slug) for row in rows], next_after)

    def iterate(self, provider: str | None = None, *, batch: int = ITERATE_BATCH) -> Iterator[Offering]:
        """Every offering (of one provider) by provider and code, read ``batch`` at a time."""
        return each(lambda after: self.page(provider, after=after, limit=batch))

    def count(self, provider: str | None = None) -> int:
        query = select(func.count()).select_from(offerings)
        if provider is not None:
            query = query.join(providers, providers.c.id == offerings.c.provider_id).where(providers.c.slug == provider)
        return int(self._connection.execute(query).scalar_one())

    def save(self, offering: Offering) -> Change:
        provider_id = SqlProviderRepository(self._connection).id_of(offering.provider)
        values = mapping.offering_values(offering)
        key = {"provider_id": provider_id, "code": values.pop("code")}
        offering.id, change = upsert(self._connection, offerings, key, values)
        return change
