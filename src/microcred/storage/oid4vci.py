"""OpenID for Verifiable Credential Issuance: credential offers, access tokens and nonces (migration wallet_0002).

Every secret a wallet holds -- the pre-authorized code, the access token, the nonce -- is stored only as its
SHA-256 (``*_hash``). Redeeming a code, spending a nonce and counting a transaction-code attempt are each one
conditional statement, so of two requests racing with the same value exactly one wins (services/oid4vci.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from microcred.domain import CredentialState
from microcred.domain.records import AuthorizationBinding, OfferRecord
from microcred.storage.credential_tables import credentials
from microcred.storage.engine import utc
from microcred.storage.tables import editions, enrolments, learner_contacts, metadata, providers

__all__ = ["SqlOid4vciRepository", "credential_offers", "oid4vci_nonces", "oid4vci_tokens"]

credential_offers = Table(
    "credential_offers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("public_id", String(32), nullable=False, unique=True),  # the offer-by-reference URL's id
    Column("code_hash", String(64), nullable=False, unique=True),  # SHA-256 of the pre-authorized code
    # an offer is of an issued credential, or of a passed enrolment whose credential is not issued yet
    # (``enrolment_id``, migration wallet_0006_s5a: the wallet's credential request is deferred, decision 0035)
    Column("credential_id", ForeignKey("credentials.id", ondelete="CASCADE"), index=True),
    Column("enrolment_id", ForeignKey("enrolments.id", ondelete="CASCADE"), index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("tx_code_attempts", Integer, nullable=False, default=0),  # transaction codes tried so far
    Column("redeemed_at", DateTime(timezone=True)),  # a code is exchanged for a token once
    # The authorization code flow (migration wallet_0004_s4e): set when a learner approved a wallet's request,
    # and then ``code_hash`` is that of the authorization code; null for the wallet page's offers.
    Column("client_id", String(255)),
    Column("redirect_uri", String(2000)),
    Column("code_challenge", String(128)),  # PKCE S256: BASE64URL(SHA256(code_verifier))
    Column("configurations", String(200)),  # the approved credential configuration ids, space-separated
    Column("with_details", Boolean),
    # Offers the desk e-mailed to learners (migration wallet_0005_s4f): when, so a second mailing of the same
    # credential is known; such an offer carries only the authorization code grant (decision 0034).
    Column("mailed_at", DateTime(timezone=True)),
    # An approved authorization request made from an offer's ``issuer_state`` (migration wallet_0007_s5a): that
    # offer, marked redeemed once a credential is delivered through the request, if it was a mailed one.
    Column("via_offer_id", ForeignKey("credential_offers.id", ondelete="SET NULL")),
)

oid4vci_tokens = Table(
    "oid4vci_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("offer_id", ForeignKey("credential_offers.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

oid4vci_nonces = Table(
    "oid4vci_nonces",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("nonce_hash", String(64), nullable=False, unique=True),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)


def _offer(row: Any) -> OfferRecord:
    redeemed = None if row.redeemed_at is None else utc(row.redeemed_at)
    binding = None
    if row.client_id is not None:
        configurations = tuple(row.configurations.split())
        binding = AuthorizationBinding(
            row.client_id, row.redirect_uri, row.code_challenge, configurations, bool(row.with_details)
        )
    return OfferRecord(
        row.id,
        row.public_id,
        row.uuid,  # None while a pending enrolment's credential is not issued
        utc(row.created_at),
        utc(row.expires_at),
        row.tx_code_attempts,
        redeemed,
        binding,
        None if row.mailed_at is None else utc(row.mailed_at),
        row.offered_enrolment,
        row.via_offer_id,
    )


def spend_once(connection: Connection, table: Table, row_id: int, spent: str, at: datetime) -> bool:
    """Stamp ``spent`` on a single-use row unless it already carries it or ``expires_at`` has passed: true once
    (the check and the stamp are one statement, so two requests at the same moment cannot both win)."""
    column = table.c[spent]
    done = connection.execute(
        update(table).where(table.c.id == row_id, column.is_(None), table.c.expires_at > at).values({spent: at})
    )
    return bool(done.rowcount)


class SqlOid4vciRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def _offers(self) -> Any:
        """Offers with their credential's id: the offered one, or the credential an offered enrolment got since
        (so a pending offer whose credential was issued meanwhile works like any offer)."""
        issued = or_(
            credentials.c.id == credential_offers.c.credential_id,
            and_(
                credential_offers.c.credential_id.is_(None),
                credentials.c.enrolment_id == credential_offers.c.enrolment_id,
            ),
        )
        enrolment = func.coalesce(credential_offers.c.enrolment_id, credentials.c.enrolment_id)
        return select(credential_offers, credentials.c.uuid, enrolment.label("offered_enrolment")).outerjoin(
            credentials, issued
        )

    def add_offer(
        self,
        credential_uuid: str | None,
        *,
        public_id: str,
        code_hash: str,
        created_at: datetime,
        expires_at: datetime,
        mailed_at: datetime | None = None,
        enrolment_id: int | None = None,
    ) -> None:
        """An offer of the credential, or (``credential_uuid`` None) of the passed ``enrolment_id``'s credential
        that is not issued yet."""
        credential_id = None
        if credential_uuid is not None:
            credential_id = self._connection.execute(
                select(credentials.c.id).where(credentials.c.uuid == credential_uuid)
            ).scalar_one()
        self._connection.execute(
            insert(credential_offers).values(
                public_id=public_id,
                code_hash=code_hash,
                credential_id=credential_id,
                enrolment_id=None if credential_id is not None else enrolment_id,
                created_at=created_at,
                expires_at=expires_at,
                tx_code_attempts=0,
                mailed_at=mailed_at,
            )
        )

    def add_authorization(
        self,
        credential_uuid: str | None,
        binding: AuthorizationBinding,
        *,
        public_id: str,
        code_hash: str,
        created_at: datetime,
        expires_at: datetime,
        enrolment_id: int | None = None,
        via_offer: str | None = None,
    ) -> None:
        """An approved authorization request: its code redeems like an offer's, but only for its binding;
        ``via_offer`` is the public id of the offer whose ``issuer_state`` it came with."""
        self.add_offer(
            credential_uuid,
            public_id=public_id,
            code_hash=code_hash,
            created_at=created_at,
            expires_at=expires_at,
            enrolment_id=enrolment_id,
        )
        self._connection.execute(
            update(credential_offers)
            .where(credential_offers.c.public_id == public_id)
            .values(
                client_id=binding.client_id,
                redirect_uri=binding.redirect_uri,
                code_challenge=binding.code_challenge,
                configurations=" ".join(binding.configurations),
                with_details=binding.with_details,
                via_offer_id=None
                if via_offer is None
                else select(credential_offers.c.id).where(credential_offers.c.public_id == via_offer).scalar_subquery(),
            )
        )

    def offer(self, public_id: str) -> OfferRecord | None:
        row = self._connection.execute(self._offers().where(credential_offers.c.public_id == public_id)).first()
        return None if row is None else _offer(row)

    def offer_by_code(self, code_hash: str) -> OfferRecord | None:
        row = self._connection.execute(self._offers().where(credential_offers.c.code_hash == code_hash)).first()
        return None if row is None else _offer(row)

    def latest_offers(self, credential_uuids: list[str], now: datetime) -> list[OfferRecord]:
        """The offers of these credentials still open at ``now`` (unredeemed, unexpired), newest first."""
        if not credential_uuids:
            return []
        query = (
            self._offers()
            .where(
                credentials.c.uuid.in_(credential_uuids),
                credential_offers.c.client_id.is_(None),  # the wallet page's offers, not approved requests
                credential_offers.c.mailed_at.is_(None),  # nor the desk's mailed ones (they have no PIN)
                credential_offers.c.redeemed_at.is_(None),
                credential_offers.c.expires_at > now,
            )
            .order_by(credential_offers.c.created_at.desc(), credential_offers.c.id.desc())
        )
        return [_offer(row) for row in self._connection.execute(query)]

    def mail_targets(self, provider: str, edition: str) -> list[tuple[str, str | None]]:
        """The edition's active credentials of ``provider``, each with the address *this* provider recorded for
        its learner (None without one): another provider's address is never read (decision 0034)."""
        contact = and_(
            learner_contacts.c.learner_id == enrolments.c.learner_id,
            learner_contacts.c.provider_id == credentials.c.provider_id,
        )
        query = (
            select(credentials.c.uuid, learner_contacts.c.email)
            .join(enrolments, enrolments.c.id == credentials.c.enrolment_id)
            .join(editions, editions.c.id == enrolments.c.edition_id)
            .join(providers, providers.c.id == credentials.c.provider_id)
            .outerjoin(learner_contacts, contact)
            .where(
                providers.c.slug == provider,
                editions.c.code == edition,
                credentials.c.state == CredentialState.ACTIVE.value,
            )
            .order_by(credentials.c.id)
        )
        return [(row.uuid, row.email) for row in self._connection.execute(query)]

    def hold_for_mailing(self, *, credential_uuid: str | None = None, enrolment_id: int | None = None) -> None:
        """Lock the enrolment an offer to be mailed is of (the credential's, or ``enrolment_id``) until the
        transaction ends, as its first statement: two mailings of one learner at the same moment take turns,
        and the second sees the first's offer (decision 0034). SQLite: a write takes the database write lock
        first; PostgreSQL locks the row it selects."""
        if credential_uuid is not None:
            enrolment = select(credentials.c.enrolment_id).where(credentials.c.uuid == credential_uuid)
            held = enrolments.c.id == enrolment.scalar_subquery()
        else:
            held = enrolments.c.id == enrolment_id
        if self._connection.dialect.name != "postgresql":
            self._connection.execute(update(enrolments).where(held).values(id=enrolments.c.id))
        else:
            self._connection.execute(select(enrolments.c.id).where(held).with_for_update())

    def mailed_credentials(self, credential_uuids: list[str]) -> set[str]:
        """Those of these credentials whose offer the desk has mailed before (open, used or expired)."""
        if not credential_uuids:
            return set()
        query = (
            select(credentials.c.uuid)
            .join(credential_offers, credential_offers.c.credential_id == credentials.c.id)
            .where(credentials.c.uuid.in_(credential_uuids), credential_offers.c.mailed_at.is_not(None))
        )
        return set(self._connection.execute(query).scalars())

    def take_attempt(self, offer_id: int, at: datetime, *, max_attempts: int) -> bool:
        """Count one transaction-code attempt, if the offer is still open and has attempts left: one
        conditional UPDATE, so parallel guesses can never try more than ``max_attempts`` codes."""
        done = self._connection.execute(
            update(credential_offers)
            .where(
                credential_offers.c.id == offer_id,
                credential_offers.c.redeemed_at.is_(None),
                credential_offers.c.expires_at > at,
                credential_offers.c.tx_code_attempts < max_attempts,
            )
            .values(tx_code_attempts=credential_offers.c.tx_code_attempts + 1)
        )
        return bool(done.rowcount)

    def use_mailed_offer(self, offer_id: int, at: datetime) -> None:
        """Mark a mailed offer used (its credential was delivered): its link then starts no more approvals."""
        self._connection.execute(
            update(credential_offers)
            .where(
                credential_offers.c.id == offer_id,
                credential_offers.c.mailed_at.is_not(None),
                credential_offers.c.redeemed_at.is_(None),
            )
            .values(redeemed_at=at)
        )

    def redeem_offer(self, offer_id: int, at: datetime) -> bool:
        """Mark the offer redeemed unless it already is or has expired."""
        return spend_once(self._connection, credential_offers, offer_id, "redeemed_at", at)

    def add_token(self, offer_id: int, *, token_hash: str, expires_at: datetime) -> None:
        self._connection.execute(
            insert(oid4vci_tokens).values(token_hash=token_hash, offer_id=offer_id, expires_at=expires_at)
        )

    def end_tokens(self, offer_id: int) -> None:
        """End every access token this offer's code gave (a reused authorization code, RFC 6749 §4.1.2)."""
        self._connection.execute(delete(oid4vci_tokens).where(oid4vci_tokens.c.offer_id == offer_id))

    def offer_of_token(self, token_hash: str, now: datetime) -> OfferRecord | None:
        """The offer an unexpired access token was issued for."""
        query = (
            self._offers()
            .join(oid4vci_tokens, oid4vci_tokens.c.offer_id == credential_offers.c.id)
            .where(oid4vci_tokens.c.token_hash == token_hash, oid4vci_tokens.c.expires_at > now)
        )
        row = self._connection.execute(query).first()
        return None if row is None else _offer(row)

    def add_nonce(self, nonce_hash: str, *, expires_at: datetime, now: datetime) -> None:
        """Keep one more nonce; expired ones are swept on the way, so the table stays small."""
        self._connection.execute(delete(oid4vci_nonces).where(oid4vci_nonces.c.expires_at <= now))
        self._connection.execute(insert(oid4vci_nonces).values(nonce_hash=nonce_hash, expires_at=expires_at))

    def spend_nonce(self, nonce_hash: str, now: datetime) -> bool:
        """Delete the nonce if it is there and unexpired: true once, false for a replay or an unknown nonce."""
        done = self._connection.execute(
            delete(oid4vci_nonces).where(oid4vci_nonces.c.nonce_hash == nonce_hash, oid4vci_nonces.c.expires_at > now)
        )
        return bool(done.rowcount)
