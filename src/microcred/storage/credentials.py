"""Repositories of the credentials area: issued credentials, status-list counters and sealed signing keys.

Status indexes are allocated under a lock on the provider's status-list rows (``SELECT … FOR UPDATE`` on
PostgreSQL; on SQLite the first write of the transaction takes the database write lock), and unique
constraints on (provider, index) make a collision impossible even if that discipline were broken.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from microcred.domain import Credential, CredentialState, IssuerKey, Outcome, Page, Position, StatusPurpose
from microcred.errors import Conflict, NotFound
from microcred.storage.credential_tables import credentials, signing_keys, status_lists
from microcred.storage.engine import stamp
from microcred.storage.keyset import ITERATE_BATCH, SortKey, each, read_page
from microcred.storage.repositories import SqlProviderRepository
from microcred.storage.tables import editions, enrolments, learners, offerings, providers

__all__ = ["DEFAULT_STATUS_LIST_SIZE", "SqlCredentialRepository", "SqlSigningKeyRepository"]

DEFAULT_STATUS_LIST_SIZE = 131_072  # Bitstring Status List v1.0 §6.1 minimum (group privacy)


def _utc(moment: datetime | None) -> datetime | None:
    """SQLite hands timestamps back without a zone; everything is stored in UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _required_utc(moment: datetime) -> datetime:
    found = _utc(moment)
    assert found is not None
    return found


class SqlCredentialRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    # -- status lists -------------------------------------------------------------------------------------

    def lock_status_lists(self, provider: str) -> dict[StatusPurpose, int]:
        """Create the provider's status-list rows if missing and lock them until the transaction ends.

        Returns the next free index per purpose. The insert comes first on purpose: on SQLite it takes the
        write lock, so two issuers never read the same counter.
        """
        provider_id = SqlProviderRepository(self._connection).id_of(provider)
        make_insert = postgres_insert if self._connection.dialect.name == "postgresql" else sqlite_insert
        now = stamp(self._connection)
        for purpose in StatusPurpose:
            self._connection.execute(
                make_insert(status_lists)
                .values(
                    provider_id=provider_id,
                    purpose=purpose.value,
                    size=DEFAULT_STATUS_LIST_SIZE,
                    next_index=0,
                    updated_at=now,
                )
                .on_conflict_do_nothing(index_elements=["provider_id", "purpose"])
            )
        rows = self._connection.execute(
            select(status_lists.c.purpose, status_lists.c.next_index)
            .where(status_lists.c.provider_id == provider_id)
            .order_by(status_lists.c.purpose)
            .with_for_update()
        ).all()
        found = {StatusPurpose(row.purpose): int(row.next_index) for row in rows}
        return {purpose: index for purpose, index in found.items() if purpose.indexed}

    def allocate_indexes(self, provider: str) -> dict[StatusPurpose, int]:
        """Take the next index of each of the provider's lists; an index is never handed out twice."""
        provider_id = SqlProviderRepository(self._connection).id_of(provider)
        taken = self.lock_status_lists(provider)
        sizes = dict(
            self._connection.execute(
                select(status_lists.c.purpose, status_lists.c.size).where(status_lists.c.provider_id == provider_id)
            ).all()
        )
        for purpose, index in taken.items():
            if index >= int(sizes[purpose.value]):
                raise Conflict("status-list-full", provider=provider, purpose=purpose.value, size=index)
            self._connection.execute(
                update(status_lists)
                .where(status_lists.c.provider_id == provider_id, status_lists.c.purpose == purpose.value)
                .values(next_index=index + 1, updated_at=stamp(self._connection))
            )
        return taken

    def status_list_size(self, provider: str, purpose: StatusPurpose) -> int:
        provider_id = SqlProviderRepository(self._connection).id_of(provider)
        size = self._connection.execute(
            select(status_lists.c.size).where(
                status_lists.c.provider_id == provider_id, status_lists.c.purpose == purpose.value
            )
        ).scalar()
        return DEFAULT_STATUS_LIST_SIZE if size is None else int(size)

    def set_bits(self, provider: str, purpose: StatusPurpose) -> list[int]:
        """Positions whose bit is set in the provider's list: revoked, or currently suspended, credentials.

        The message list has two bits per credential at its revocation index: the high bit (``2i``) says
        revoked, the low bit (``2i + 1``) suspended."""
        provider_id = SqlProviderRepository(self._connection).id_of(provider)
        if purpose is StatusPurpose.MESSAGE:
            states = self._connection.execute(
                select(credentials.c.revocation_index, credentials.c.state).where(
                    credentials.c.provider_id == provider_id, credentials.c.state != CredentialState.ACTIVE.value
                )
            ).all()
            return sorted(2 * int(index) + (state == CredentialState.SUSPENDED.value) for index, state in states)
        state = CredentialState.REVOKED if purpose is StatusPurpose.REVOCATION else CredentialState.SUSPENDED
        column = (
            credentials.c.revocation_index if purpose is StatusPurpose.REVOCATION else credentials.c.suspension_index
        )
        rows = self._connection.execute(
            select(column).where(credentials.c.provider_id == provider_id, credentials.c.state == state.value)
        ).scalars()
        return sorted(int(index) for index in rows)

    def status_list_document(self, provider: str, purpose: StatusPurpose) -> str | None:
        provider_id = SqlProviderRepository(self._connection).id_of(provider)
        found: str | None = self._connection.execute(
            select(status_lists.c.document).where(
                status_lists.c.provider_id == provider_id, status_lists.c.purpose == purpose.value
            )
        ).scalar()
        return found

    def store_status_list_document(self, provider: str, purpose: StatusPurpose, document_json: str) -> None:
        self.lock_status_lists(provider)
        provider_id = SqlProviderRepository(self._connection).id_of(provider)
        self._connection.execute(
            update(status_lists)
            .where(status_lists.c.provider_id == provider_id, status_lists.c.purpose == purpose.value)
            .values(document=document_json, updated_at=stamp(self._connection))
        )

    # -- credentials --------------------------------------------------------------------------------------

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
            )
            .join(providers, providers.c.id == credentials.c.provider_id)
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
                StatusPurpose.REVOCATION: int(row.revocation_index),
                StatusPurpose.SUSPENSION: int(row.suspension_index),
            },
            issued_at=_required_utc(row.issued_at),
            valid_from=_required_utc(row.valid_from),
            valid_until=_utc(row.valid_until),
            public_key_multibase=row.public_key_multibase,
            document_json=row.document,
            state=CredentialState(row.state),
            state_reason=row.state_reason,
            state_changed_at=_utc(row.state_changed_at),
        )

    def get(self, uuid: str) -> Credential:
        row = self._connection.execute(self._query().where(credentials.c.uuid == uuid)).first()
        if row is None:
            raise NotFound("no-credential", uuid=uuid)
        return self._from_row(row)

    def for_enrolment(self, provider: str, reference: str) -> Credential | None:
        row = self._connection.execute(
            self._query().where(providers.c.slug == provider, enrolments.c.reference == reference)
        ).first()
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
        """The provider's credentials newest first (uuid breaks ties) after ``after``; filter by state or edition."""
        query = self._query().where(providers.c.slug == provider)
        if state is not None:
            query = query.where(credentials.c.state == state.value)
        if edition is not None:
            query = query.where(editions.c.code == edition)
        newest_first = [SortKey(credentials.c.issued_at, "timestamp", descending=True), SortKey(credentials.c.uuid)]
        rows, next_after = read_page(self._connection, query, newest_first, after=after, limit=limit)
        return Page([self._from_row(row) for row in rows], next_after)

    def iterate_for_provider(self, provider: str, *, batch: int = ITERATE_BATCH) -> Iterator[Credential]:
        """Every credential of the provider in the order of issue, read ``batch`` at a time."""
        query = self._query().where(providers.c.slug == provider)
        in_order = [SortKey(credentials.c.issued_at, "timestamp"), SortKey(credentials.c.id, "integer")]

        def read(after: Position | None) -> Page[Credential]:
            rows, next_after = read_page(self._connection, query, in_order, after=after, limit=batch)
            return Page([self._from_row(row) for row in rows], next_after)

        return each(read)

    def passed_without_credential(self, provider: str, edition_code: str) -> list[str]:
        """References of the edition's passed enrolments that have no credential yet, in reference order."""
        provider_id = SqlProviderRepository(self._connection).id_of(provider)
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

    def add(self, credential: Credential) -> None:
        provider_id = SqlProviderRepository(self._connection).id_of(credential.provider)
        enrolment_id = self._connection.execute(
            select(enrolments.c.id).where(
                enrolments.c.provider_id == provider_id, enrolments.c.reference == credential.enrolment_reference
            )
        ).scalar()
        if enrolment_id is None:
            raise NotFound("no-enrolment", provider=credential.provider, reference=credential.enrolment_reference)
        key_id = self._connection.execute(
            select(signing_keys.c.id).where(signing_keys.c.public_key_multibase == credential.public_key_multibase)
        ).scalar()
        if key_id is None:
            raise NotFound("signing-key-unregistered")
        credential.id = self._connection.execute(
            insert(credentials)
            .values(
                uuid=credential.uuid,
                provider_id=provider_id,
                enrolment_id=enrolment_id,
                signing_key_id=key_id,
                revocation_index=credential.status_indexes[StatusPurpose.REVOCATION],
                suspension_index=credential.status_indexes[StatusPurpose.SUSPENSION],
                issued_at=credential.issued_at,
                valid_from=credential.valid_from,
                valid_until=credential.valid_until,
                document=credential.document_json,
                state=credential.state.value,
                state_reason=credential.state_reason,
                state_changed_at=credential.state_changed_at,
            )
            .returning(credentials.c.id)
        ).scalar_one()

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
            retired_at=_utc(row.retired_at),
        )

    def all(self, provider: str) -> list[IssuerKey]:
        """Every key the provider ever had, the current one first, then retired ones newest first."""
        provider_id = SqlProviderRepository(self._connection).id_of(provider)
        rows = self._connection.execute(
            select(signing_keys).where(signing_keys.c.provider_id == provider_id).order_by(signing_keys.c.id.desc())
        ).all()
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
