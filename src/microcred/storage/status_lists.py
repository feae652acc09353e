"""A provider's numbered status lists: their counters, draw orders and signed documents.

Status indexes are drawn under a lock on the provider's status-list rows (``SELECT … FOR UPDATE`` on
PostgreSQL; on SQLite the first write of the transaction takes the database write lock), each list in
the shuffled order it stores, and unique constraints on (provider, position) make a collision impossible
even if that discipline were broken. A full list makes way for the provider's next one (decision 0021).
A batch draws all its indexes with one read of the draw order and one counter update per list it touches,
in the transaction that stores its credentials: a rolled-back batch hands nothing out (decision 0025).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, and_, func, insert, literal, select, union_all, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from microcred.domain import CredentialState, StatusFlag, StatusPurpose
from microcred.domain.stacked import StackedState
from microcred.errors import NotFound
from microcred.storage.credential_tables import credentials, status_list_orders, status_lists
from microcred.storage.engine import stamp
from microcred.storage.repositories import SqlProviderRepository
from microcred.storage.stacking_tables import stacked_credentials
from microcred.storage.tables import providers

__all__ = ["DEFAULT_STATUS_LIST_SIZE", "SqlStatusLists"]

DEFAULT_STATUS_LIST_SIZE = 131_072  # Bitstring Status List v1.0 §6.1 minimum (group privacy)
_INDEX_BYTES = 4  # one index of a draw order: an unsigned big-endian 32-bit integer


def _order_of(provider_id: int, number: int) -> Any:
    """The stored draw order of a provider's list ``number`` (a row only once the list has one)."""
    return select(status_list_orders.c.number).where(
        status_list_orders.c.provider_id == provider_id, status_list_orders.c.number == number
    )


def _packed(indexes: Iterable[int]) -> bytes:
    order = list(indexes)
    return struct.pack(f">{len(order)}I", *order)


class SqlStatusLists:
    """The status-list half of the credential repository (``work.credentials``), on one connection."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._provider_ids: dict[str, int] = {}
        self._locked: dict[str, int] = {}  # providers whose lists this transaction holds: their current list
        self._locked_in: object = None  # ... and that transaction (a lock ends with it)

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

    def allocate_indexes(
        self, provider: str, count: int, *, size: int, shuffled: Callable[[list[int]], Sequence[int]]
    ) -> list[tuple[int, int]]:
        """Draw ``count`` indexes from the provider's current list, opening new lists of ``size`` as they fill.

        Returns (list number, index in that list) in drawing order. ``shuffled`` puts a list's free indexes
        in the order it hands them out, once, when the list gets its draw order; an index is never handed
        out twice (and the unique constraints on the credentials' positions would refuse it)."""
        provider_id = self._provider_id(provider)
        number = self.lock_status_lists(provider, size=size)
        drawn: list[tuple[int, int]] = []
        while len(drawn) < count:
            number, start, size_of_list = self._drawable(provider, provider_id, number, size, shuffled)
            take = min(count - len(drawn), size_of_list - start)
            packed = self._connection.execute(
                _order_of(provider_id, number).with_only_columns(
                    func.substr(status_list_orders.c.draw_order, _INDEX_BYTES * start + 1, _INDEX_BYTES * take)
                )
            ).scalar_one()
            self._connection.execute(
                update(status_lists)
                .where(
                    status_lists.c.provider_id == provider_id,
                    status_lists.c.number == number,
                    status_lists.c.purpose.in_([StatusPurpose.REVOCATION.value, StatusPurpose.SUSPENSION.value]),
                )
                .values(next_index=start + take, updated_at=stamp(self._connection))
            )
            drawn += [(number, index) for index in struct.unpack(f">{take}I", bytes(packed))]
        return drawn

    def _drawable(
        self, provider: str, provider_id: int, number: int, size: int, shuffled: Callable[[list[int]], Sequence[int]]
    ) -> tuple[int, int, int]:
        """(list number, next position in its draw order, its size) of a list with a free index and a draw
        order: list ``number``, or the next one, opened here when ``number`` is full."""
        revocation = self._connection.execute(
            select(
                status_lists.c.size,
                status_lists.c.first_index,
                status_lists.c.next_index,
                _order_of(provider_id, number).exists().label("ordered"),
            ).where(self._list_row(provider_id, StatusPurpose.REVOCATION, number))
        ).one()
        start, list_size = int(revocation.next_index), int(revocation.size)
        if start >= list_size:
            first = int(revocation.first_index) + list_size
            self._open_list(
                provider_id, number + 1, first_index=first, size=size, order=_packed(shuffled(list(range(size))))
            )
            self._held()[provider] = number + 1  # created in this transaction: no one else sees it before commit
            return number + 1, 0, size
        if not revocation.ordered:  # a first list, or one that handed out indexes in order before 0021
            used = self._used(provider_id, int(revocation.first_index), list_size)
            free = sorted(set(range(list_size)) - set(used))
            self._connection.execute(
                insert(status_list_orders).values(
                    provider_id=provider_id, number=number, draw_order=_packed(used) + _packed(shuffled(free))
                )
            )
        return number, start, list_size

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

    def list_of_position(self, provider: str, position: int) -> int:
        """The number of the provider's list whose block holds provider-wide ``position``."""
        provider_id = self._provider_id(provider)
        found = self._connection.execute(
            select(status_lists.c.number).where(
                status_lists.c.provider_id == provider_id,
                status_lists.c.purpose == StatusPurpose.REVOCATION.value,
                status_lists.c.first_index <= position,
                status_lists.c.first_index + status_lists.c.size > position,
            )
        ).scalar()
        if found is None:
            raise NotFound("no-status-list-yet", provider=provider, purpose=StatusPurpose.REVOCATION.value)
        return int(found)

    def status_list_size(self, provider: str, number: int = 1) -> int:
        """How many credentials list ``number`` holds."""
        provider_id = self._provider_id(provider)
        size = self._connection.execute(
            select(status_lists.c.size).where(self._list_row(provider_id, StatusPurpose.REVOCATION, number))
        ).scalar()
        return DEFAULT_STATUS_LIST_SIZE if size is None else int(size)

    def status_flags(self, provider: str, number: int = 1) -> list[StatusFlag]:
        """The credentials and stacked credentials of the provider's list ``number`` whose bits are set:
        revoked, or suspended (a stacked one under review), with their indexes in the list.

        One statement, through the ``(provider_id, state, revocation_index)`` indexes (migration
        credentials_0004): it reads the flagged rows only, never the list's other credentials."""
        provider_id = self._provider_id(provider)
        first, size = self._block(provider, provider_id, number)
        revoked = CredentialState.REVOKED.value
        # One equality per state, not ``state IN (…)``: PostgreSQL then searches the index by state too,
        # instead of filtering every entry of the provider in the list's range.
        reads = [
            select(table.c.revocation_index, table.c.suspension_index, literal(state == revoked)).where(
                table.c.provider_id == provider_id,
                table.c.state == state,
                table.c.revocation_index >= first,
                table.c.revocation_index < first + size,
            )
            for table, suspended in (
                (credentials, CredentialState.SUSPENDED.value),
                (stacked_credentials, StackedState.REVIEW.value),
            )
            for state in (revoked, suspended)
        ]
        rows = self._connection.execute(union_all(*reads)).all()
        return [
            StatusFlag(int(revocation) - first, int(suspension) - first, bool(is_revoked))
            for revocation, suspension, is_revoked in rows
        ]

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
        if provider not in self._provider_ids:  # one query with the provider's slug (each verification asks)
            joined: str | None = self._connection.execute(
                select(status_lists.c.document)
                .join(providers, providers.c.id == status_lists.c.provider_id)
                .where(providers.c.slug == provider, status_lists.c.purpose == purpose.value)
                .where(status_lists.c.number == number)
            ).scalar()
            if joined is not None:
                return joined
        provider_id = self._provider_id(provider)  # NotFound for an unknown provider
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
