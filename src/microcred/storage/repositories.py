"""Repositories: the register's records read and written through one SQLAlchemy connection.

Every write is an upsert on the natural key (provider + code/reference, :mod:`.upsert`) and reports whether
it created, updated or left the record unchanged, which makes imports idempotent. Editions, learners and
enrolments are here; providers and offerings are in :mod:`.catalogue`, re-exported.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from microcred.domain import Change, Edition, Enrolment, Learner, Outcome, Page, Position
from microcred.errors import NotFound
from microcred.storage import mapping
from microcred.storage.catalogue import SqlOfferingRepository, SqlProviderRepository
from microcred.storage.keyset import SortKey, read_page
from microcred.storage.tables import editions, enrolments, learner_contacts, learners, offerings, providers
from microcred.storage.upsert import upsert

__all__ = [
    "SqlEditionRepository",
    "SqlEnrolmentRepository",
    "SqlLearnerRepository",
    "SqlOfferingRepository",
    "SqlProviderRepository",
    "enrolments_query",
]


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

    def upcoming_of_offerings(self, keys: Sequence[tuple[str, str]], *, from_day: date) -> list[Edition]:
        """The editions of these ``(provider, offering_code)`` offerings starting on ``from_day`` or later, by
        start date, in one query (a wallet page shows them for every missing component of every rule)."""
        wanted = set(keys)
        if not wanted:
            return []
        rows = self._connection.execute(
            select(editions, offerings.c.code.label("offering_code"), providers.c.slug)
            .join(providers, providers.c.id == editions.c.provider_id)
            .join(offerings, offerings.c.id == editions.c.offering_id)
            .where(
                providers.c.slug.in_({p for p, _ in wanted}),
                offerings.c.code.in_({c for _, c in wanted}),
                editions.c.start_date >= from_day,
            )
            .order_by(editions.c.start_date, editions.c.id)
        ).all()
        return [
            mapping.edition_from_row(row, row.slug, row.offering_code)
            for row in rows
            if (row.slug, row.offering_code) in wanted
        ]

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
        edition.id, change = upsert(self._connection, editions, key, values)
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


def enrolments_query() -> Any:
    """Enrolments with what ``mapping.enrolment_from_row`` needs besides their own columns: the provider's
    slug, the edition's code and the learner's pseudonym."""
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


class SqlEnrolmentRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, provider: str, reference: str) -> Enrolment:
        row = self._connection.execute(
            enrolments_query().where(providers.c.slug == provider, enrolments.c.reference == reference)
        ).first()
        if row is None:
            raise NotFound("no-enrolment", provider=provider, reference=reference)
        return mapping.enrolment_from_row(row, provider, row.edition_code, row.pseudonym)

    def get_by_id(self, enrolment_id: int) -> Enrolment:
        row = self._connection.execute(enrolments_query().where(enrolments.c.id == enrolment_id)).first()
        if row is None:
            raise NotFound("no-enrolment-id", id=enrolment_id)
        return mapping.enrolment_from_row(row, row.provider_slug, row.edition_code, row.pseudonym)

    def list_for_edition(self, provider: str, edition_code: str) -> Iterator[Enrolment]:
        query = enrolments_query().where(providers.c.slug == provider, editions.c.code == edition_code)
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
        query = enrolments_query().where(providers.c.slug == provider, editions.c.code == edition_code)
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
        enrolment.id, change = upsert(self._connection, enrolments, key, values)
        if change is Change.UPDATED:  # the import's digest no longer describes the row (decision 0037)
            self._connection.execute(update(enrolments).where(enrolments.c.id == enrolment.id).values(row_digest=None))
        return change
