"""Writing a record on its natural key: insert it, update it, or leave it untouched, and say which.

Every repository writes this way, which is what makes imports idempotent (the same file twice reports
every row unchanged). A row statistics read is stamped with a new statistics generation when it is inserted
or changed, never when it is left untouched (``storage.changes``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Connection, Table, insert, select, update

from microcred.domain import Change
from microcred.storage.changes import next_statistics_generation
from microcred.storage.engine import stamp

__all__ = ["upsert"]


def upsert(
    connection: Connection, table: Table, key: Mapping[str, Any], values: Mapping[str, Any]
) -> tuple[int, Change]:
    """Insert or update the row with natural ``key``; compare first so unchanged rows are not touched."""
    condition = [table.c[name] == value for name, value in key.items()]
    existing = connection.execute(select(table).where(*condition)).first()
    if existing is None:
        now = stamp(connection)
        stamped = {**key, **values, **_generation(connection, table), "created_at": now, "updated_at": now}
        new_id = connection.execute(insert(table).values(stamped).returning(table.c.id)).scalar_one()
        return int(new_id), Change.CREATED
    current = existing._mapping
    if all(_same(current[name], value) for name, value in values.items()):
        return int(existing.id), Change.UNCHANGED
    changed = {**values, **_generation(connection, table), "updated_at": stamp(connection)}
    connection.execute(update(table).where(table.c.id == existing.id).values(changed))
    return int(existing.id), Change.UPDATED


def _generation(connection: Connection, table: Table) -> dict[str, int]:
    """The statistics stamp of a row of ``table`` about to be written, if statistics read that table."""
    if "change_generation" not in table.c:
        return {}
    return {"change_generation": next_statistics_generation(connection)}


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
