"""Deferred issuance of OpenID4VCI (migration wallet_0006_s5a, decision 0035): offers of passed enrolments whose
credential is not issued yet, and the transactions a wallet collects such a credential with.

A transaction is kept by the SHA-256 of its id, like every other wallet secret; it is delivered once, by one
conditional ``UPDATE``, so of two requests racing with the same id exactly one gets the credential.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    and_,
    insert,
    select,
)

from microcred.domain import Outcome
from microcred.domain.records import DeferredRecord, PendingEnrolmentRecord
from microcred.storage.credential_tables import credentials
from microcred.storage.engine import utc
from microcred.storage.oid4vci import credential_offers, spend_once
from microcred.storage.tables import editions, enrolments, learner_contacts, learners, metadata, offerings, providers

__all__ = ["SqlDeferredIssuanceRepository", "oid4vci_deferred"]

oid4vci_deferred = Table(
    "oid4vci_deferred",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("transaction_hash", String(64), nullable=False, unique=True),  # SHA-256 of the transaction_id
    Column("token_hash", String(64), nullable=False),  # the access token the transaction was given to
    Column("enrolment_id", ForeignKey("enrolments.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("configuration", String(64), nullable=False),
    Column("holder_jwk", Text, nullable=False),  # the public key the original key proof proved
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),
)


def _pending(row: Any) -> PendingEnrolmentRecord:
    return PendingEnrolmentRecord(
        row.id, row.slug, row.reference, row.pseudonym, row.edition_code, row.offering_code, row.outcome, row.uuid
    )


class SqlDeferredIssuanceRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def _enrolments(self) -> Any:
        return (
            select(
                enrolments.c.id,
                enrolments.c.reference,
                enrolments.c.outcome,
                providers.c.slug,
                learners.c.pseudonym,
                editions.c.code.label("edition_code"),
                offerings.c.code.label("offering_code"),
                credentials.c.uuid,
            )
            .join(providers, providers.c.id == enrolments.c.provider_id)
            .join(learners, learners.c.id == enrolments.c.learner_id)
            .join(editions, editions.c.id == enrolments.c.edition_id)
            .join(offerings, offerings.c.id == editions.c.offering_id)
            .outerjoin(credentials, credentials.c.enrolment_id == enrolments.c.id)
        )

    def enrolment(self, enrolment_id: int) -> PendingEnrolmentRecord | None:
        """The enrolment an offer or transaction is of, with its outcome now and its credential if issued."""
        row = self._connection.execute(self._enrolments().where(enrolments.c.id == enrolment_id)).first()
        return None if row is None else _pending(row)

    def pending_targets(self, provider: str, edition: str) -> list[tuple[int, str, str | None]]:
        """The edition's passed enrolments of ``provider`` without a credential, each with the address *this*
        provider recorded for its learner (None without one), as :meth:`SqlOid4vciRepository.mail_targets`."""
        contact = and_(
            learner_contacts.c.learner_id == enrolments.c.learner_id,
            learner_contacts.c.provider_id == enrolments.c.provider_id,
        )
        query = (
            select(enrolments.c.id, enrolments.c.reference, learner_contacts.c.email)
            .join(editions, editions.c.id == enrolments.c.edition_id)
            .join(providers, providers.c.id == enrolments.c.provider_id)
            .outerjoin(learner_contacts, contact)
            .outerjoin(credentials, credentials.c.enrolment_id == enrolments.c.id)
            .where(
                providers.c.slug == provider,
                editions.c.code == edition,
                enrolments.c.outcome == Outcome.PASSED.value,
                credentials.c.id.is_(None),
            )
            .order_by(enrolments.c.id)
        )
        return [(row.id, row.reference, row.email) for row in self._connection.execute(query)]

    def mailed_enrolments(self, enrolment_ids: list[int]) -> set[int]:
        """Those of these enrolments whose pending offer the desk has mailed before (open, used or expired)."""
        if not enrolment_ids:
            return set()
        query = select(credential_offers.c.enrolment_id).where(
            credential_offers.c.enrolment_id.in_(enrolment_ids), credential_offers.c.mailed_at.is_not(None)
        )
        return {int(found) for found in self._connection.execute(query).scalars()}

    def add(
        self,
        *,
        transaction_hash: str,
        token_hash: str,
        enrolment_id: int,
        configuration: str,
        holder_jwk: str,
        created_at: datetime,
        expires_at: datetime,
    ) -> None:
        self._connection.execute(
            insert(oid4vci_deferred).values(
                transaction_hash=transaction_hash,
                token_hash=token_hash,
                enrolment_id=enrolment_id,
                configuration=configuration,
                holder_jwk=holder_jwk,
                created_at=created_at,
                expires_at=expires_at,
            )
        )

    def get(self, transaction_hash: str) -> DeferredRecord | None:
        row = self._connection.execute(
            select(oid4vci_deferred).where(oid4vci_deferred.c.transaction_hash == transaction_hash)
        ).first()
        if row is None:
            return None
        delivered = None if row.delivered_at is None else utc(row.delivered_at)
        return DeferredRecord(
            row.id,
            row.token_hash,
            row.enrolment_id,
            row.configuration,
            row.holder_jwk,
            utc(row.created_at),
            utc(row.expires_at),
            delivered,
        )

    def deliver(self, transaction_id: int, at: datetime) -> bool:
        """Mark the transaction delivered unless it already is or has expired: true once."""
        return spend_once(self._connection, oid4vci_deferred, transaction_id, "delivered_at", at)
