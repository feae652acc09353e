"""OpenID4VP presentation requests of the verify page and the answers wallets post (migration wallet_0003).

A request is found by its ``state`` (a random id the wallet echoes); answering is one conditional UPDATE, so a
request takes one answer. The stored result holds the checks and the claims the holder chose to disclose.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Connection, DateTime, Integer, String, Table, Text, insert, select, update

from microcred.domain.records import PresentationRequestRecord
from microcred.storage.engine import utc
from microcred.storage.tables import metadata

__all__ = ["SqlPresentationRepository", "presentation_requests"]

presentation_requests = Table(
    "presentation_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("state", String(64), nullable=False, unique=True),
    Column("nonce", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("answered_at", DateTime(timezone=True)),
    Column("result", Text),  # JSON: verified, checks, disclosed claims, holder key
)


def _row(row: Any) -> PresentationRequestRecord:
    created, expires = utc(row.created_at), utc(row.expires_at)
    assert created is not None
    assert expires is not None
    return PresentationRequestRecord(row.state, row.nonce, created, expires, utc(row.answered_at), row.result)


class SqlPresentationRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add_request(self, *, state: str, nonce: str, created_at: datetime, expires_at: datetime) -> None:
        self._connection.execute(
            insert(presentation_requests).values(state=state, nonce=nonce, created_at=created_at, expires_at=expires_at)
        )

    def request(self, state: str) -> PresentationRequestRecord | None:
        row = self._connection.execute(
            select(presentation_requests).where(presentation_requests.c.state == state)
        ).first()
        return None if row is None else _row(row)

    def answer(self, state: str, result: str, at: datetime) -> bool:
        """Keep the answer unless the request has one already or has expired."""
        done = self._connection.execute(
            update(presentation_requests)
            .where(
                presentation_requests.c.state == state,
                presentation_requests.c.answered_at.is_(None),
                presentation_requests.c.expires_at > at,
            )
            .values(answered_at=at, result=result)
        )
        return bool(done.rowcount)
