"""Repositories: the register's records read and written through one SQLAlchemy connection.

Every write is an upsert on the natural key (provider + code/reference) and reports whether it created,
updated or left the record unchanged, which makes imports idempotent.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, exists, func, insert, or_, select, update

from microcred.domain import (
    Change,
    Edition,
    Enrolment,
    Learner,
    Offering,
    OfferingKind,
    OfferingOrder,
    OfferingStatus,
    Outcome,
    Page,
    Position,
    Provider,
    ProviderOrder,
    ProviderType,
    QualityAssurance,
)
from microcred.errors import NotFound
from microcred.storage import mapping
from microcred.storage.engine import stamp
from microcred.storage.keyset import ITERATE_BATCH, SortKey, each, read_page
from microcred.storage.tables import (
    editions,
    enrolments,
    learner_contacts,
    learners,
    offerings,
    providers,
    quality_assurances,
)

__all__ = [
    "SqlEditionRepository",
    "SqlEnrolmentRepository",
    "SqlLearnerRepository",
    "SqlOfferingRepository",
    "SqlProviderRepository",
]


def _upsert(
    connection: Connection, table: Table, key: Mapping[str, Any], values: Mapping[str, Any]
) -> tuple[int, Change]:
    """Insert or update the row with natural ``key``; compare first so unchanged rows are not touched."""
    condition = [table.c[name] == value for name, value in key.items()]
    existing = connection.execute(select(table).where(*condition)).first()
    if existing is None:
        now = stamp(connection)
        new_id = connection.execute(
            insert(table).values(**key, **values, created_at=now, updated_at=now).returning(table.c.id)
        ).scalar_one()
        return int(new_id), Change.CREATED
    current = existing._mapping
    if all(_same(current[name], value) for name, value in values.items()):
        return int(existing.id), Change.UNCHANGED
    connection.execute(update(table).where(table.c.id == existing.id).values(**values, updated_at=stamp(connection)))
    return int(existing.id), Change.UPDATED


def _same(stored: object, given: object) -> bool:
    """Equal values; numbers by value, as the database may give back ``Decimal('60.0')`` for ``60``."""
    if stored is None or given is None:
        return stored is given
    if isinstance(stored, Decimal) or isinstance(given, Decimal):
        try:
            return Decimal(str(stored)) == Decimal(str(given))
        except InvalidOperation:
            return False
    return stored == given


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
        provider_id, change = _upsert(self._connection, providers, {"slug": values.pop("slug")}, values)
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
                update(providers).where(providers.c.id == provider_id).values(updated_at=stamp(self._connection))
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
        offering.id, change = _upsert(self._connection, offerings, key, values)
        return change


class SqlEditionRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, provider: str, code: str) -> Edition:
        row = self._connection.execute(
            select(editions, offerings.c.code.label("offering_code"))
            .join(providers, providers.c.id == editions.c.provider_id)
            .join(offerings, offerings.c.id == editions.c.offering_id)
            .where(providers.c.slug == provider, editions.c.code == code)
        ).first()
        if row is None:
            raise NotFound("no-edition", provider=provider, code=code)
        return mapping.edition_from_row(row, provider, row.offering_code)

    def list_for_offering(self, provider: str, offering_code: str) -> list[Edition]:
        rows = self._connection.execute(
            select(editions, offerings.c.code.label("offering_code"))
            .join(providers, providers.c.id == editions.c.provider_id)
            .join(offerings, offerings.c.id == editions.c.offering_id)
            .where(providers.c.slug == provider, offerings.c.code == offering_code)
            .order_by(editions.c.start_date)
        ).all()
        return [mapping.edition_from_row(row, provider, row.offering_code) for row in rows]

    def save(self, edition: Edition) -> Change:
        provider_id = SqlProviderRepository(self._connection).id_of(edition.provider)
        offering_id = self._connection.execute(
            select(offerings.c.id).where(
                offerings.c.provider_id == provider_id, offerings.c.code == edition.offering_code
            )
        ).scalar()
        if offering_id is None:
            raise NotFound("no-offering", provider=edition.provider, code=edition.offering_code)
        values = {"offering_id": offering_id, **mapping.edition_values(edition)}
        key = {"provider_id": provider_id, "code": values.pop("code")}
        edition.id, change = _upsert(self._connection, editions, key, values)
        return change

    def list_for_provider(self, provider: str) -> list[Edition]:
        """Every edition of the provider, by offering code and then start date."""
        rows = self._connection.execute(
            select(editions, offerings.c.code.label("offering_code"))
            .join(providers, providers.c.id == editions.c.provider_id)
            .join(offerings, offerings.c.id == editions.c.offering_id)
            .where(providers.c.slug == provider)
            .order_by(offerings.c.code, editions.c.start_date, editions.c.code)
        ).all()
        return [mapping.edition_from_row(row, provider, row.offering_code) for row in rows]


class SqlLearnerRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def id_for(self, pseudonym: str) -> int:
        """The learner's id, registering the pseudonym on first sight."""
        found = self._connection.execute(select(learners.c.id).where(learners.c.pseudonym == pseudonym)).scalar()
        if found is not None:
            return int(found)
        return int(
            self._connection.execute(insert(learners).values(pseudonym=pseudonym).returning(learners.c.id)).scalar_one()
        )

    def save(self, learner: Learner, *, provider: str) -> Change:
        """Register the pseudonym and keep ``provider``'s own contact address for the learner (if given).

        Another provider's address for the same learner is never touched (issue 15, finding 1).
        """
        learner_id = self.id_for(learner.pseudonym)
        if learner.email is None:
            return Change.UNCHANGED
        provider_id = SqlProviderRepository(self._connection).id_of(provider)
        mine = (learner_contacts.c.learner_id == learner_id, learner_contacts.c.provider_id == provider_id)
        current = self._connection.execute(select(learner_contacts.c.email).where(*mine)).scalar()
        if current == learner.email:
            return Change.UNCHANGED
        if current is None:
            self._connection.execute(
                insert(learner_contacts).values(learner_id=learner_id, provider_id=provider_id, email=learner.email)
            )
            return Change.CREATED
        self._connection.execute(update(learner_contacts).where(*mine).values(email=learner.email))
        return Change.UPDATED

    def email_of(self, pseudonym: str, provider: str) -> str | None:
        """The address ``provider`` recorded for the learner; another provider's is not used."""
        return self._connection.execute(
            select(learner_contacts.c.email)
            .join(learners, learners.c.id == learner_contacts.c.learner_id)
            .join(providers, providers.c.id == learner_contacts.c.provider_id)
            .where(learners.c.pseudonym == pseudonym, providers.c.slug == provider)
        ).scalar()


class SqlEnrolmentRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def _query(self) -> Any:
        return (
            select(
                enrolments,
                providers.c.slug.label("provider_slug"),
                editions.c.code.label("edition_code"),
                learners.c.pseudonym,
            )
            .join(providers, providers.c.id == enrolments.c.provider_id)
            .join(editions, editions.c.id == enrolments.c.edition_id)
            .join(learners, learners.c.id == enrolments.c.learner_id)
        )

    def get(self, provider: str, reference: str) -> Enrolment:
        row = self._connection.execute(
            self._query().where(providers.c.slug == provider, enrolments.c.reference == reference)
        ).first()
        if row is None:
            raise NotFound("no-enrolment", provider=provider, reference=reference)
        return mapping.enrolment_from_row(row, provider, row.edition_code, row.pseudonym)

    def get_by_id(self, enrolment_id: int) -> Enrolment:
        row = self._connection.execute(self._query().where(enrolments.c.id == enrolment_id)).first()
        if row is None:
            raise NotFound("no-enrolment-id", id=enrolment_id)
        return mapping.enrolment_from_row(row, row.provider_slug, row.edition_code, row.pseudonym)

    def list_for_edition(self, provider: str, edition_code: str) -> Iterator[Enrolment]:
        query = self._query().where(providers.c.slug == provider, editions.c.code == edition_code)
        for row in self._connection.execute(query.order_by(enrolments.c.reference)):
            yield mapping.enrolment_from_row(row, provider, edition_code, row.pseudonym)

    def page_for_edition(
        self,
        provider: str,
        edition_code: str,
        *,
        outcome: Outcome | None = None,
        after: Position | None = None,
        limit: int,
    ) -> Page[Enrolment]:
        """The edition's enrolments by reference after ``after``, optionally only those with ``outcome``."""
        query = self._query().where(providers.c.slug == provider, editions.c.code == edition_code)
        if outcome is not None:
            query = query.where(enrolments.c.outcome == outcome.value)
        by_reference = [SortKey(enrolments.c.reference)]
        rows, next_after = read_page(self._connection, query, by_reference, after=after, limit=limit)
        found = [mapping.enrolment_from_row(row, provider, edition_code, row.pseudonym) for row in rows]
        return Page(found, next_after)

    def count(self, provider: str | None = None) -> int:
        query = select(func.count()).select_from(enrolments)
        if provider is not None:
            query = query.join(providers, providers.c.id == enrolments.c.provider_id).where(
                providers.c.slug == provider
            )
        return int(self._connection.execute(query).scalar_one())

    def save(self, enrolment: Enrolment) -> Change:
        provider_id = SqlProviderRepository(self._connection).id_of(enrolment.provider)
        edition = self._connection.execute(
            select(editions.c.id, editions.c.start_date).where(
                editions.c.provider_id == provider_id, editions.c.code == enrolment.edition_code
            )
        ).first()
        if edition is None:
            raise NotFound("no-edition", provider=enrolment.provider, code=enrolment.edition_code)
        edition_id = edition.id
        if enrolment.enrolment_date is None:  # not given: the edition's start (docs/import.md)
            enrolment.enrolment_date = edition.start_date
        learner_id = SqlLearnerRepository(self._connection).id_for(enrolment.learner)
        values = {"edition_id": edition_id, "learner_id": learner_id, **mapping.enrolment_values(enrolment)}
        if values["learner_scheme"] is None:  # not known here: keep what was recorded
            del values["learner_scheme"]
        key = {"provider_id": provider_id, "reference": values.pop("reference")}
        enrolment.id, change = _upsert(self._connection, enrolments, key, values)
        return change
