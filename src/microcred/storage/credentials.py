"""Repositories of the credentials area: issued credentials and sealed signing keys.

The status-list half of ``work.credentials`` (counters, draw orders, signed list documents) lives in
``storage/status_lists.py``. Issuing reads and writes a batch at a time: one statement reads the
enrolments a batch needs with their learners' addresses, one ``executemany`` stores its credentials
(decision 0025).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, insert, select, update

from microcred.domain import Credential, CredentialState, Enrolment, IssuerKey, Outcome, Page, Position, StatusPurpose
from microcred.errors import NotFound
from microcred.storage import mapping
from microcred.storage.credential_tables import credentials, signing_keys, status_lists
from microcred.storage.engine import utc
from microcred.storage.keyset import ITERATE_BATCH, SortKey, each, read_page
from microcred.storage.repositories import SqlProviderRepository
from microcred.storage.status_lists import DEFAULT_STATUS_LIST_SIZE, SqlStatusLists
from microcred.storage.tables import editions, enrolments, learner_contacts, learners, offerings, providers

__all__ = ["DEFAULT_STATUS_LIST_SIZE", "SqlCredentialRepository", "SqlSigningKeyRepository"]


_in_list = status_lists.alias("in_list")  # the list whose block holds a credential's revocation position


def _required_utc(moment: datetime) -> datetime:
    found = utc(moment)
    assert found is not None
    return found


class SqlCredentialRepository(SqlStatusLists):
    """Issued credentials, and (inherited) the provider's numbered status lists they hold places in."""

    def _query(self) -> Any:
        return (
            select(
                credentials,
                providers.c.slug.label("provider_slug"),
                enrolments.c.reference.label("enrolment_reference"),
                editions.c.code.label("edition_code"),
                offerings.c.code.label("offering_code"),
                learners.c.pseudonym,
                signing_keys.c.public_key_multibase,
                _in_list.c.number.label("status_list"),
                _in_list.c.first_index.label("status_list_first"),
            )
            .join(providers, providers.c.id == credentials.c.provider_id)
            .join(
                _in_list,
                and_(
                    _in_list.c.provider_id == credentials.c.provider_id,
                    _in_list.c.purpose == StatusPurpose.REVOCATION.value,
                    credentials.c.revocation_index >= _in_list.c.first_index,
                    credentials.c.revocation_index < _in_list.c.first_index + _in_list.c.size,
                ),
            )
            .join(enrolments, enrolments.c.id == credentials.c.enrolment_id)
            .join(editions, editions.c.id == enrolments.c.edition_id)
            .join(offerings, offerings.c.id == editions.c.offering_id)
            .join(learners, learners.c.id == enrolments.c.learner_id)
            .join(signing_keys, signing_keys.c.id == credentials.c.signing_key_id)
        )

    @staticmethod
    def _from_row(row: Row[Any]) -> Credential:
        return Credential(
            id=row.id,
            uuid=row.uuid,
            provider=row.provider_slug,
            enrolment_reference=row.enrolment_reference,
            offering_code=row.offering_code,
            edition_code=row.edition_code,
            learner=row.pseudonym,
            status_indexes={
                StatusPurpose.REVOCATION: int(row.revocation_index) - int(row.status_list_first),
                StatusPurpose.SUSPENSION: int(row.suspension_index) - int(row.status_list_first),
            },
            status_list=int(row.status_list),
            issued_at=_required_utc(row.issued_at),
            valid_from=_required_utc(row.valid_from),
            valid_until=utc(row.valid_until),
            public_key_multibase=row.public_key_multibase,
            document_json=row.document,
            state=CredentialState(row.state),
            state_reason=row.state_reason,
            state_changed_at=utc(row.state_changed_at),
        )

    def get(self, uuid: str) -> Credential:
        row = self._connection.execute(self._query().where(credentials.c.uuid == uuid)).first()
        if row is None:
            raise NotFound("no-credential", uuid=uuid)
        return self._from_row(row)

    def for_enrolment(self, provider: str, reference: str) -> Credential | None:
        """The enrolment's credential, found by its id through ``uq_credentials_enrolment_id``.

        Filtering the join on slug and reference let SQLite start from the status-list join and walk every
        credential of the list's block (all the provider's credentials) to find one: issuing one credential
        grew with the register. The enrolment's id as a scalar subquery pins the plan to two index look-ups."""
        enrolment_id = (
            select(enrolments.c.id)
            .join(providers, providers.c.id == enrolments.c.provider_id)
            .where(providers.c.slug == provider, enrolments.c.reference == reference)
            .scalar_subquery()
        )
        row = self._connection.execute(self._query().where(credentials.c.enrolment_id == enrolment_id)).first()
        return None if row is None else self._from_row(row)

    def page_for_provider(
        self,
        provider: str,
        *,
        state: CredentialState | None = None,
        edition: str | None = None,
        after: Position | None = None,
        limit: int,
    ) -> Page[Credential]:
        """The provider's credentials newest first (the later issued of one moment first) after ``after``;
        filter by state or edition.

        Read backwards through ``ix_credentials_provider_issued`` from the page's key, like
        :meth:`iterate_for_provider`: no page sorts the credentials of one moment (a bulk batch of 500 share
        one ``issued_at``), let alone all the provider's."""
        query = self._of_provider(provider)
        if state is not None:
            query = query.where(credentials.c.state == state.value)
        if edition is not None:
            query = query.where(editions.c.code == edition)
        newest_first = [
            SortKey(credentials.c.issued_at, "timestamp", descending=True),
            SortKey(credentials.c.id, "integer", descending=True),
        ]
        rows, next_after = read_page(self._connection, query, newest_first, after=after, limit=limit)
        return Page([self._from_row(row) for row in rows], next_after)

    def _of_provider(self, provider: str) -> Any:
        """The provider's credentials, its id a scalar subquery rather than a filter on the joined slug:
        compared with a value known before the join, ``provider_id`` lets a page start at its key in
        ``ix_credentials_provider_issued`` and read only its rows. Filtered through the join, PostgreSQL
        sorts every credential after the key for each page."""
        provider_id = select(providers.c.id).where(providers.c.slug == provider).scalar_subquery()
        return self._query().where(credentials.c.provider_id == provider_id)

    def iterate_for_provider(self, provider: str, *, batch: int = ITERATE_BATCH) -> Iterator[Credential]:
        """Every credential of the provider in the order of issue, read ``batch`` at a time: each page starts
        at its key in ``ix_credentials_provider_issued``, so a whole walk grows with the provider's credentials,
        not their square."""
        query = self._of_provider(provider)
        in_order = [SortKey(credentials.c.issued_at, "timestamp"), SortKey(credentials.c.id, "integer")]

        def read(after: Position | None) -> Page[Credential]:
            rows, next_after = read_page(self._connection, query, in_order, after=after, limit=batch)
            return Page([self._from_row(row) for row in rows], next_after)

        return each(read)

    def passed_without_credential(self, provider: str, edition_code: str) -> list[str]:
        """References of the edition's passed enrolments that have no credential yet, in reference order."""
        provider_id = self._provider_id(provider)
        edition_id = self._connection.execute(
            select(editions.c.id).where(editions.c.provider_id == provider_id, editions.c.code == edition_code)
        ).scalar()
        if edition_id is None:
            raise NotFound("no-edition", provider=provider, code=edition_code)
        issued = select(credentials.c.enrolment_id)
        rows = self._connection.execute(
            select(enrolments.c.reference)
            .where(
                enrolments.c.edition_id == edition_id,
                enrolments.c.outcome == Outcome.PASSED.value,
                enrolments.c.id.not_in(issued),
            )
            .order_by(enrolments.c.reference)
        ).scalars()
        return list(rows)

    def awaiting(self, provider: str, references: Sequence[str]) -> list[tuple[Enrolment, str | None]]:
        """The enrolments among ``references`` that have no credential yet, each with the address the provider
        recorded for its learner: everything issuing them reads, in one statement (decision 0025).

        PostgreSQL plans this transaction's statements for each run: psycopg prepares a statement after five
        runs, and the generic plan PostgreSQL then keeps was made while the register had few credentials (a
        bulk issue grows the table within minutes, before autovacuum counts it): this read went from 20 ms a
        batch of 500 to 500-600 ms after 10,000 credentials, and the batch's other reads with it (issue 21)."""
        if self._connection.dialect.name == "postgresql":
            self._connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")
        provider_id = self._provider_id(provider)
        contact = and_(
            learner_contacts.c.learner_id == enrolments.c.learner_id, learner_contacts.c.provider_id == provider_id
        )
        rows = self._connection.execute(
            select(enrolments, editions.c.code.label("edition_code"), learners.c.pseudonym, learner_contacts.c.email)
            .join(editions, editions.c.id == enrolments.c.edition_id)
            .join(learners, learners.c.id == enrolments.c.learner_id)
            .outerjoin(learner_contacts, contact)
            .outerjoin(credentials, credentials.c.enrolment_id == enrolments.c.id)
            .where(
                enrolments.c.provider_id == provider_id,
                enrolments.c.reference.in_(list(references)),
                credentials.c.id.is_(None),
            )
            .order_by(enrolments.c.reference)
        ).all()
        return [(mapping.enrolment_from_row(row, provider, row.edition_code, row.pseudonym), row.email) for row in rows]

    def add(self, credential: Credential) -> None:
        self.add_many([credential])

    def add_many(self, issued: Sequence[Credential]) -> None:
        """Store newly issued credentials of one provider with one ``executemany``; sets their ids."""
        if not issued:
            return
        provider = issued[0].provider
        provider_id = self._provider_id(provider)
        wanted = [credential.enrolment_reference for credential in issued]
        enrolment_ids = {
            reference: int(row_id)
            for reference, row_id in self._connection.execute(
                select(enrolments.c.reference, enrolments.c.id).where(
                    enrolments.c.provider_id == provider_id, enrolments.c.reference.in_(wanted)
                )
            )
        }
        for reference in wanted:
            if reference not in enrolment_ids:
                raise NotFound("no-enrolment", provider=provider, reference=reference)
        key_ids = {
            key: int(row_id)
            for key, row_id in self._connection.execute(
                select(signing_keys.c.public_key_multibase, signing_keys.c.id).where(
                    signing_keys.c.public_key_multibase.in_({c.public_key_multibase for c in issued})
                )
            )
        }
        if len(key_ids) != len({c.public_key_multibase for c in issued}):
            raise NotFound("signing-key-unregistered")
        firsts = {number: self._block(provider, provider_id, number)[0] for number in {c.status_list for c in issued}}
        rows = [
            {
                "uuid": credential.uuid,
                "provider_id": provider_id,
                "enrolment_id": enrolment_ids[credential.enrolment_reference],
                "signing_key_id": key_ids[credential.public_key_multibase],
                "revocation_index": firsts[credential.status_list]
                + credential.status_indexes[StatusPurpose.REVOCATION],
                "suspension_index": firsts[credential.status_list]
                + credential.status_indexes[StatusPurpose.SUSPENSION],
                "issued_at": credential.issued_at,
                "valid_from": credential.valid_from,
                "valid_until": credential.valid_until,
                "document": credential.document_json,
                "state": credential.state.value,
                "state_reason": credential.state_reason,
                "state_changed_at": credential.state_changed_at,
            }
            for credential in issued
        ]
        # A plain executemany, the driver's own (psycopg pipelines it; sqlite3 loops in C), then the ids read
        # back by uuid: with RETURNING, SQLAlchemy writes one statement of 500 rows' placeholders, which psycopg
        # parsed anew for every batch (half the client's time on PostgreSQL, issue 21).
        self._connection.execute(insert(credentials), rows)
        stored = select(credentials.c.uuid, credentials.c.id).where(credentials.c.uuid.in_([c.uuid for c in issued]))
        ids = {uuid: int(row_id) for uuid, row_id in self._connection.execute(stored)}
        for credential in issued:
            credential.id = ids[credential.uuid]

    def save_state(self, credential: Credential) -> None:
        self._connection.execute(
            update(credentials)
            .where(credentials.c.uuid == credential.uuid)
            .values(
                state=credential.state.value,
                state_reason=credential.state_reason,
                state_changed_at=credential.state_changed_at,
            )
        )


class SqlSigningKeyRepository:
    """Providers' Ed25519 keys: public half in clear, private half only as the sealed bytes given."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    @staticmethod
    def _key(row: Row[Any], provider: str) -> IssuerKey:
        return IssuerKey(
            provider=provider,
            public_key_multibase=row.public_key_multibase,
            created_at=_required_utc(row.created_at),
            retired_at=utc(row.retired_at),
        )

    def all(self, provider: str) -> list[IssuerKey]:
        """Every key the provider ever had, the current one first, then retired ones newest first."""
        rows = self._connection.execute(  # one query, not the provider's id first: a verification asks for these
            select(signing_keys)
            .join(providers, providers.c.id == signing_keys.c.provider_id)
            .where(providers.c.slug == provider)
            .order_by(signing_keys.c.id.desc())
        ).all()
        if not rows:
            SqlProviderRepository(self._connection).id_of(provider)  # NotFound for an unknown provider
        keys = [self._key(row, provider) for row in rows]
        return sorted(keys, key=lambda key: not key.is_current)

    def current(self, provider: str) -> IssuerKey | None:
        return next((key for key in self.all(provider) if key.is_current), None)

    def find(self, public_key_multibase: str) -> IssuerKey:
        row = self._connection.execute(
            select(signing_keys, providers.c.slug)
            .join(providers, providers.c.id == signing_keys.c.provider_id)
            .where(signing_keys.c.public_key_multibase == public_key_multibase)
        ).first()
        if row is None:
            raise NotFound("no-signing-key", key=public_key_multibase)
        return self._key(row, row.slug)

    def sealed(self, public_key_multibase: str) -> bytes:
        found = self._connection.execute(
            select(signing_keys.c.sealed_private_key).where(signing_keys.c.public_key_multibase == public_key_multibase)
        ).scalar()
        if found is None:
            raise NotFound("no-signing-key", key=public_key_multibase)
        return bytes(found)

    def add(self, key: IssuerKey, sealed_private_key: bytes) -> None:
        provider_id = SqlProviderRepository(self._connection).id_of(key.provider)
        self._connection.execute(
            insert(signing_keys).values(
                provider_id=provider_id,
                public_key_multibase=key.public_key_multibase,
                sealed_private_key=sealed_private_key,
                created_at=key.created_at,
                retired_at=key.retired_at,
            )
        )

    def retire(self, provider: str, at: datetime) -> list[IssuerKey]:
        """Mark the provider's current key(s) retired; they stay published for older credentials."""
        provider_id = SqlProviderRepository(self._connection).id_of(provider)
        current = [key for key in self.all(provider) if key.is_current]
        self._connection.execute(
            update(signing_keys)
            .where(signing_keys.c.provider_id == provider_id, signing_keys.c.retired_at.is_(None))
            .values(retired_at=at)
        )
        return current
