"""Learners' access links and the wallet sessions they open (table ``access_links``, migration auth_0005).

A row is found by the SHA-256 of the link's secret (the URL's ``access`` value); the secret itself is never
stored. Opening is one conditional UPDATE, so of two requests racing with the same link exactly one opens it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from microcred.domain.records import AccessLinkRecord
from microcred.storage.engine import utc
from microcred.storage.tables import access_links

__all__ = ["SqlAccessLinkRepository"]


def _row(row: Row[Any]) -> AccessLinkRecord:
    created, expires = utc(row.created_at), utc(row.expires_at)
    assert created is not None
    assert expires is not None
    return AccessLinkRecord(
        int(row.id), row.address_key, tuple(row.grants), created, expires, utc(row.opened_at), utc(row.ended_at)
    )


class SqlAccessLinkRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(
        self, *, secret_hash: str, address_key: str, grants: Sequence[str], created_at: datetime, expires_at: datetime
    ) -> int:
        return int(
            self._connection.execute(
                insert(access_links)
                .values(
                    secret_hash=secret_hash,
                    address_key=address_key,
                    grants=list(grants),
                    created_at=created_at,
                    expires_at=expires_at,
                )
                .returning(access_links.c.id)
            ).scalar_one()
        )

    def by_secret_hash(self, secret_hash: str) -> AccessLinkRecord | None:
        found = self._connection.execute(select(access_links).where(access_links.c.secret_hash == secret_hash))
        row = found.first()
        return None if row is None else _row(row)

    def by_id(self, link_id: int) -> AccessLinkRecord | None:
        row = self._connection.execute(select(access_links).where(access_links.c.id == link_id)).first()
        return None if row is None else _row(row)

    def open(self, link_id: int, at: datetime) -> bool:
        """Mark the link opened; False when it was opened or ended already (someone else was first)."""
        done = self._connection.execute(
            update(access_links)
            .where(access_links.c.id == link_id, access_links.c.opened_at.is_(None), access_links.c.ended_at.is_(None))
            .values(opened_at=at)
        )
        return bool(done.rowcount)

    def end_unopened(self, address_key: str, at: datetime) -> int:
        """End the address's links that were never opened (a new link replaces them); how many."""
        done = self._connection.execute(
            update(access_links)
            .where(
                access_links.c.address_key == address_key,
                access_links.c.opened_at.is_(None),
                access_links.c.ended_at.is_(None),
            )
            .values(ended_at=at)
        )
        return int(done.rowcount)

    def end_all(self, address_key: str, at: datetime) -> int:
        """End every link of the address and every session they opened; how many."""
        done = self._connection.execute(
            update(access_links)
            .where(access_links.c.address_key == address_key, access_links.c.ended_at.is_(None))
            .values(ended_at=at)
        )
        return int(done.rowcount)
