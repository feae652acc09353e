"""The learner wallet's storage: credentials by learner pseudonym, and share links.

A share link row holds a random ``public_id``; the URL a learner hands out carries that id *signed* with
the session secret (services/wallet.py), so a copy of this table alone opens nothing.
Migration ``wallet_0001`` creates the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Connection, DateTime, ForeignKey, Integer, String, Table, insert, select, update

from microcred.domain import Credential
from microcred.domain.records import ShareLinkRecord
from microcred.storage.credential_tables import credentials
from microcred.storage.credentials import SqlCredentialRepository
from microcred.storage.engine import utc
from microcred.storage.tables import learners, metadata

__all__ = ["SqlWalletRepository", "share_links"]

share_links = Table(
    "share_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("public_id", String(32), nullable=False, unique=True),
    Column("credential_id", ForeignKey("credentials.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)


class SqlWalletRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._credentials = SqlCredentialRepository(connection)

    def credentials_of_learners(self, pseudonyms: Sequence[str]) -> list[Credential]:
        """Every credential issued on an enrolment of one of these learners, newest first."""
        if not pseudonyms:
            return []
        query = (
            self._credentials._query()  # the one credential query, so the mapping stays in one place
            .where(learners.c.pseudonym.in_(list(pseudonyms)))
            .order_by(credentials.c.issued_at.desc(), credentials.c.id.desc())
        )
        return [self._credentials._from_row(row) for row in self._connection.execute(query)]

    def _select(self) -> Any:
        return select(share_links, credentials.c.uuid).join(
            credentials, credentials.c.id == share_links.c.credential_id
        )

    @staticmethod
    def _row(row: Any) -> ShareLinkRecord:
        created, expires = utc(row.created_at), utc(row.expires_at)
        assert created is not None
        assert expires is not None
        return ShareLinkRecord(row.public_id, row.uuid, created, expires, utc(row.revoked_at))

    def add_share_link(
        self, credential_uuid: str, *, public_id: str, created_at: datetime, expires_at: datetime
    ) -> None:
        credential_id = self._connection.execute(
            select(credentials.c.id).where(credentials.c.uuid == credential_uuid)
        ).scalar_one()
        self._connection.execute(
            insert(share_links).values(
                public_id=public_id, credential_id=credential_id, created_at=created_at, expires_at=expires_at
            )
        )

    def share_link(self, public_id: str) -> ShareLinkRecord | None:
        row = self._connection.execute(self._select().where(share_links.c.public_id == public_id)).first()
        return None if row is None else self._row(row)

    def share_links_of(self, credential_uuids: Sequence[str]) -> list[ShareLinkRecord]:
        if not credential_uuids:
            return []
        rows = self._connection.execute(
            self._select()
            .where(credentials.c.uuid.in_(list(credential_uuids)))
            .order_by(share_links.c.created_at.desc(), share_links.c.id.desc())
        )
        return [self._row(row) for row in rows]

    def revoke_share_link(self, public_id: str, at: datetime) -> bool:
        done = self._connection.execute(
            update(share_links)
            .where(share_links.c.public_id == public_id, share_links.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return bool(done.rowcount)
