"""Tables of the credentials area: issued credentials, providers' sealed signing keys, status lists.

They share :data:`microcred.storage.tables.metadata`; migration ``credentials_0001`` creates them and
``credentials_0002`` numbers the status lists. A credential's ``revocation_index`` and ``suspension_index``
are positions in the provider's blocks of list indexes: list ``n`` holds ``first_index`` to
``first_index + size - 1`` (docs/decisions/0021-status-lists-without-a-ceiling.md).
Private keys are stored only sealed (AES-256-GCM under a key derived from the configured secret).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from microcred.storage.tables import metadata

__all__ = ["credentials", "signing_keys", "status_list_orders", "status_lists"]

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("provider_id", ForeignKey("providers.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("public_key_multibase", String(64), nullable=False, unique=True),
    Column("sealed_private_key", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("retired_at", DateTime(timezone=True)),
)

status_lists = Table(
    "status_lists",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("provider_id", ForeignKey("providers.id", ondelete="CASCADE"), nullable=False),
    Column("purpose", String(16), nullable=False),
    Column("number", Integer, nullable=False, server_default="1"),  # a provider's lists are 1, 2, … (0021)
    Column("size", Integer, nullable=False),  # how many credentials the list holds
    Column("first_index", Integer, nullable=False, server_default="0"),  # its block of the provider's positions
    Column("next_index", Integer, nullable=False),  # how many indexes it handed out
    Column("document", Text),  # the signed list credential, regenerated on every state change
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("provider_id", "purpose", "number", name="uq_status_lists_provider_purpose_number"),
)

# A list's indexes in the order it hands them out, 4 bytes each, shuffled when the list opens (decision 0021).
# Apart from ``status_lists``, whose counters change with every credential: SQLite rewrites a whole row on
# update, and this one is 512 KiB for a list of 131,072.
status_list_orders = Table(
    "status_list_orders",
    metadata,
    Column("provider_id", ForeignKey("providers.id", ondelete="CASCADE"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("draw_order", LargeBinary, nullable=False),
)

credentials = Table(
    "credentials",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(45), nullable=False, unique=True),  # urn:uuid:…
    Column("provider_id", ForeignKey("providers.id", ondelete="CASCADE"), nullable=False),
    Column("enrolment_id", ForeignKey("enrolments.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("signing_key_id", ForeignKey("signing_keys.id"), nullable=False),
    Column("revocation_index", Integer, nullable=False),
    Column("suspension_index", Integer, nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("valid_from", DateTime(timezone=True), nullable=False),
    Column("valid_until", DateTime(timezone=True)),
    Column("document", Text, nullable=False),  # exactly as signed
    Column("state", String(16), nullable=False),
    Column("state_reason", String(500)),
    Column("state_changed_at", DateTime(timezone=True)),
    UniqueConstraint("provider_id", "revocation_index", name="uq_credentials_provider_revocation_index"),
    UniqueConstraint("provider_id", "suspension_index", name="uq_credentials_provider_suspension_index"),
)
# A provider's credentials in the order of issue (migration credentials_0003): a page of
# ``iterate_for_provider`` reads its rows after the last key from here instead of sorting them all.
Index("ix_credentials_provider_issued", credentials.c.provider_id, credentials.c.issued_at, credentials.c.id)
# A provider's credentials by state (migration credentials_0004): re-signing a status list reads only its
# revoked and suspended credentials, not every credential in the list's block.
Index(
    "ix_credentials_provider_state",
    credentials.c.provider_id,
    credentials.c.state,
    credentials.c.revocation_index,
)
