"""wallet: OpenID4VCI credential offers, access tokens and nonces (each secret stored as its SHA-256)

Revision ID: wallet_0002
Revises: wallet_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "wallet_0002"
down_revision = "wallet_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credential_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tx_code_attempts", sa.Integer(), nullable=False),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name="fk_credential_offers_credential_id_credentials",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_credential_offers"),
        sa.UniqueConstraint("public_id", name="uq_credential_offers_public_id"),
        sa.UniqueConstraint("code_hash", name="uq_credential_offers_code_hash"),
    )
    op.create_index("ix_credential_offers_credential_id", "credential_offers", ["credential_id"])
    op.create_table(
        "oid4vci_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["credential_offers.id"],
            name="fk_oid4vci_tokens_offer_id_credential_offers",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_oid4vci_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_oid4vci_tokens_token_hash"),
    )
    op.create_index("ix_oid4vci_tokens_offer_id", "oid4vci_tokens", ["offer_id"])
    op.create_table(
        "oid4vci_nonces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nonce_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_oid4vci_nonces"),
        sa.UniqueConstraint("nonce_hash", name="uq_oid4vci_nonces_nonce_hash"),
    )
    op.create_index("ix_oid4vci_nonces_expires_at", "oid4vci_nonces", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_oid4vci_nonces_expires_at", table_name="oid4vci_nonces")
    op.drop_table("oid4vci_nonces")
    op.drop_index("ix_oid4vci_tokens_offer_id", table_name="oid4vci_tokens")
    op.drop_table("oid4vci_tokens")
    op.drop_index("ix_credential_offers_credential_id", table_name="credential_offers")
    op.drop_table("credential_offers")
