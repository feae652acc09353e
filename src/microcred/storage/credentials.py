"""Repositories of the credentials area: issued credentials, status-list counters and sealed signing keys.

Status indexes are drawn under a lock on the provider's status-list rows (``SELECT … FOR UPDATE`` on
PostgreSQL; on SQLite the first write of the transaction takes the database write lock), each list in
the shuffled order it stores, and unique constraints on (provider, position) make a collision impossible
even if that discipline were broken. A full list makes way for the provider's next one (decision 0021).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, Table, and_, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from microcred.domain import Credential, CredentialState, IssuerKey, Outcome, Page, Position, StatusPurpose
from microcred.domain.stacking import StackedState
from microcred.errors import NotFound
from microcred.storage.credential_tables import credentials, signing_keys, status_list_orders, status_lists
from microcred.storage.engine import stamp
from microcred.storage.keyset import ITERATE_BATCH, SortKey, each, read_page
from microcred.storage.repositories import SqlProviderRepository
from microcred.storage.stacking_tables import stacked_credentials
from microcred.storage.tables import editions, enrolments, learners, offerings, providers

__all__ = ["DEFAULT_STATUS_LIST_SIZE", "SqlCredentialRepository", "SqlSigningKeyRepository"]

DEFAULT_STATUS_LIST_SIZE = 131_072  # Bitstring Status List v1.0 §6.1 minimum (group privacy)
_INDEX_BYTES = 4  # one index of a draw order: an unsigned big-endian 32-bit integer


_in_list = status_lists.alias("in_list")  # the list whose block holds a credential's revocation position


def _order_of(provider_id: int, number: int) -> Any:
    """The stored draw order of a provider's list ``number`` (a row only once the list has one)."""
    return select(status_list_orders.c.number).where(
        status_list_orders.c.provider_id == provider_id, status_list_orders.c.number == number
    )


def _packed(indexes: Iterable[int]) -> bytes:
    order = list(indexes)
    return struct.pack(f">{len(order)}I", *order)


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
        self._provider_ids: dict[str, int] = {}
        self._locked: dict[str, int] = {}  # providers whose lists this transaction holds: their current list
        self._locked_in: object = None  # ... and that transaction (a lock ends with it)

    # -- status lists -------------------------------------------------------------------------------------

    def _list_row(self, provider_id: int, purpose: StatusPurpose, number: int) -> Any:
        return and_(
            status_lists.c.provider_id == provider_id,
            status_lists.c.purpose == purpose.value,
            status_lists.c.number == number,
        )

    def _open_list(self, provider_id: int, number: int, *, first_index: int, size: int, order: bytes | None) -> None:
        """Create list ``number`` for every purpose (nothing when it exists), with its draw order if given."""
        make_insert = postgres_insert if self._connection.dialect.name == "postgresql" else sqlite_insert
        now = stamp(self._connection)
        for purpose in StatusPurpose:
            self._connection.execute(
                make_insert(status_lists)
                .values(
                    provider_id=provider_id,
                    purpose=purpose.value,
                    number=number,
                    size=size,
                    first_index=first_index,
                    next_index=0,
                    updated_at=now,
                )
                .on_conflict_do_nothing(index_elements=["provider_id", "purpose", "number"])
            )
        if order is not None:
            self._connection.execute(
                insert(status_list_orders).values(provider_id=provider_id, number=number, draw_order=order)
            )

    def _provider_id(self, provider: str) -> int:
        """The provider's row id, looked up once per transaction (issuing asks for it a dozen times)."""
        if provider not in self._provider_ids:
            self._provider_ids[provider] = SqlProviderRepository(self._connection).id_of(provider)
        return self._provider_ids[provider]

    def _lock(self, provider_id: int) -> list[int]:
        """Lock the provider's list rows until the transaction ends; their numbers.

        On SQLite a write comes first, so the transaction takes the database write lock before it reads a
        counter (two issuers never read the same one); PostgreSQL locks the rows it selects."""
        mine = status_lists.c.provider_id == provider_id
        if self._connection.dialect.name != "postgresql":
            self._connection.execute(update(status_lists).where(mine).values(next_index=status_lists.c.next_index))
        # In one order for everyone: PostgreSQL locks rows as it reads them, and two issuers reading them in a
        # different order (an updated row moves) would each hold one the other waits for.
        numbers = self._connection.execute(
            select(status_lists.c.number)
            .where(mine)
            .order_by(status_lists.c.number, status_lists.c.purpose)
            .with_for_update()
        ).scalars()
        return [int(number) for number in numbers]

    def lock_status_lists(self, provider: str, *, size: int = DEFAULT_STATUS_LIST_SIZE) -> int:
        """Lock the provider's status lists until the transaction ends, creating its first ones if missing.

        Returns the number of the provider's current (newest) list. A first list made here has no draw order
        yet; its first draw shuffles one."""
        held = self._held()
        if provider in held:
            return held[provider]
        provider_id = self._provider_id(provider)
        numbers = self._lock(provider_id)
        if not numbers:  # the provider's first lists (a concurrent first issuer's insert waits for ours)
            self._open_list(provider_id, 1, first_index=0, size=size, order=None)
            numbers = self._lock(provider_id)
        held[provider] = max(numbers)
        return held[provider]

    def _held(self) -> dict[str, int]:
        """The locks this transaction holds (none after a commit: the next statement begins a new one)."""
        transaction = self._connection.get_transaction()
        if transaction is None or transaction is not self._locked_in:
            self._locked_in, self._locked = transaction, {}
        return self._locked

    def allocate_index(
        self, provider: str, *, size: int, shuffled: Callable[[list[int]], Sequence[int]]
    ) -> tuple[int, int]:
        """Draw the next index of the provider's current list, opening a new list of ``size`` when it is full.

        Returns (list number, index in that list). ``shuffled`` puts a list's free indexes in the order it
        hands them out, once, when the list gets its draw order; an index is never handed out twice (and the
        unique constraints on the credentials' positions would refuse it)."""
        provider_id = self._provider_id(provider)
        number = self.lock_status_lists(provider, size=size)
        revocation = self._connection.execute(
            select(
                status_lists.c.size,
                status_lists.c.first_index,
                status_lists.c.next_index,
                _order_of(provider_id, number).exists().label("ordered"),
            ).where(self._list_row(provider_id, StatusPurpose.REVOCATION, number))
        ).one()
        drawn = int(revocation.next_index)
        if drawn >= int(revocation.size):
            number, drawn = number + 1, 0
            first = int(revocation.first_index) + int(revocation.size)
            self._open_list(
                provider_id, number, first_index=first, size=size, order=_packed(shuffled(list(range(size))))
            )
            self._held()[provider] = number  # created in this transaction: no one else sees it before commit
        elif not revocation.ordered:  # a first list, or one that handed out indexes in order before 0021
            used = self._used(provider_id, int(revocation.first_index), int(revocation.size))
            free = sorted(set(range(int(revocation.size))) - set(used))
            self._connection.execute(
                insert(status_list_orders).values(
                    provider_id=provider_id, number=number, draw_order=_packed(used) + _packed(shuffled(free))
                )
            )
        packed = self._connection.execute(
            _order_of(provider_id, number).with_only_columns(
                func.substr(status_list_orders.c.draw_order, _INDEX_BYTES * drawn + 1, _INDEX_BYTES)
            )
        ).scalar_one()
        self._connection.execute(
            update(status_lists)
            .where(
                status_lists.c.provider_id == provider_id,
                status_lists.c.number == number,
                status_lists.c.purpose.in_([StatusPurpose.REVOCATION.value, StatusPurpose.SUSPENSION.value]),
            )
            .values(next_index=drawn + 1, updated_at=stamp(self._connection))
        )
        return number, int.from_bytes(bytes(packed), "big")

    def _used(self, provider_id: int, first: int, size: int) -> list[int]:
        """The indexes of a list its credentials and stacked credentials hold, ascending."""
        found: list[int] = []
        for table in (credentials, stacked_credentials):
            found += self._connection.execute(
                select(table.c.revocation_index).where(
                    table.c.provider_id == provider_id,
                    table.c.revocation_index >= first,
                    table.c.revocation_index < first + size,
                )
            ).scalars()
        return sorted(int(position) - first for position in found)

    def status_list_numbers(self, provider: str) -> list[int]:
        """The numbers of the provider's lists, ascending (none before its first credential)."""
        provider_id = self._provider_id(provider)
        rows = self._connection.execute(
            select(status_lists.c.number)
            .where(status_lists.c.provider_id == provider_id, status_lists.c.purpose == StatusPurpose.REVOCATION.value)
            .order_by(status_lists.c.number)
        ).scalars()
        return [int(number) for number in rows]

    def _block(self, provider: str, provider_id: int, number: int) -> tuple[int, int]:
        """(first position, size) of list ``number``: its credentials' positions are first … first + size - 1."""
        row = self._connection.execute(
            select(status_lists.c.first_index, status_lists.c.size).where(
                self._list_row(provider_id, StatusPurpose.REVOCATION, number)
            )
        ).first()
        if row is None:
            raise NotFound("no-status-list-yet", provider=provider, purpose=StatusPurpose.REVOCATION.value)
        return int(row.first_index), int(row.size)

    def list_position(self, provider: str, number: int, index: int) -> int:
        """The provider-wide position of ``index`` in list ``number`` (what the credential tables store)."""
        first, _ = self._block(provider, self._provider_id(provider), number)
        return first + index

    def status_list_size(self, provider: str, number: int = 1) -> int:
        """How many credentials list ``number`` holds."""
        provider_id = self._provider_id(provider)
        size = self._connection.execute(
            select(status_lists.c.size).where(self._list_row(provider_id, StatusPurpose.REVOCATION, number))
        ).scalar()
        return DEFAULT_STATUS_LIST_SIZE if size is None else int(size)

    def set_bits(self, provider: str, purpose: StatusPurpose, number: int = 1) -> list[int]:
        """Positions whose bit is set in the provider's list ``number``: revoked, or currently suspended, credentials.

        The message list has two bits per credential at its revocation index ``i``: the high bit (``2i``)
        says revoked, the low bit (``2i + 1``) suspended. Stacked credentials take their indexes from the same
        lists; one under review reads as suspended."""
        provider_id = self._provider_id(provider)
        first, size = self._block(provider, provider_id, number)
        found: list[int] = []
        for table, suspended in (
            (credentials, CredentialState.SUSPENDED.value),
            (stacked_credentials, StackedState.REVIEW.value),
        ):
            found += self._set_bits(table, provider_id, purpose, suspended, first, size)
        return sorted(found)

    def _set_bits(
        self, table: Table, provider_id: int, purpose: StatusPurpose, suspended: str, first: int, size: int
    ) -> list[int]:
        revoked = CredentialState.REVOKED.value
        in_list = and_(
            table.c.provider_id == provider_id,
            table.c.revocation_index >= first,
            table.c.revocation_index < first + size,
        )
        if purpose is StatusPurpose.MESSAGE:
            states = self._connection.execute(
                select(table.c.revocation_index, table.c.state).where(in_list, table.c.state.in_((revoked, suspended)))
            ).all()
            return [2 * (int(index) - first) + (state == suspended) for index, state in states]
        state = revoked if purpose is StatusPurpose.REVOCATION else suspended
        column = table.c.revocation_index if purpose is StatusPurpose.REVOCATION else table.c.suspension_index
        rows = self._connection.execute(select(column).where(in_list, table.c.state == state)).scalars()
        return [int(index) - first for index in rows]

    def unsigned_status_lists(self, provider: str, number: int) -> list[StatusPurpose]:
        """The purposes of list ``number`` with no signed document yet (all three when the list just opened)."""
        rows = self._connection.execute(
            select(status_lists.c.purpose).where(
                status_lists.c.provider_id == self._provider_id(provider),
                status_lists.c.number == number,
                status_lists.c.document.is_(None),
            )
        ).scalars()
        return sorted(StatusPurpose(purpose) for purpose in rows)

    def status_list_document(self, provider: str, purpose: StatusPurpose, number: int = 1) -> str | None:
        provider_id = self._provider_id(provider)
        found: str | None = self._connection.execute(
            select(status_lists.c.document).where(self._list_row(provider_id, purpose, number))
        ).scalar()
        return found

    def store_status_list_document(
        self, provider: str, purpose: StatusPurpose, document_json: str, number: int = 1
    ) -> None:
        provider_id = self._provider_id(provider)
        self._connection.execute(
            update(status_lists)
            .where(self._list_row(provider_id, purpose, number))
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
        first, _ = self._block(credential.provider, provider_id, credential.status_list)
        credential.id = self._connection.execute(
            insert(credentials)
            .values(
                uuid=credential.uuid,
                provider_id=provider_id,
                enrolment_id=enrolment_id,
                signing_key_id=key_id,
                revocation_index=first + credential.status_indexes[StatusPurpose.REVOCATION],
                suspension_index=first + credential.status_indexes[StatusPurpose.SUSPENSION],
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
