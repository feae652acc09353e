"""wallet: deferred issuance of OpenID4VCI -- offers of a passed enrolment whose credential is not issued yet,
and the deferred transactions a wallet collects its credential with once it is (decision 0035)

An offer is now of a credential *or* of an enrolment (``credential_id`` nullable, ``enrolment_id`` new);
``oid4vci_deferred`` keeps each transaction by the SHA-256 of its id, with the access token's hash, the asked
configuration and the wallet's public key from the original key proof.

Revision ID: wallet_0006_s5a
Revises: wallet_0005_s4f
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "wallet_0006_s5a"
down_revision = "wallet_0005_s4f"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("credential_offers") as table:
        table.alter_column("credential_id", existing_type=sa.Integer(), nullable=True)
        table.add_column(sa.Column("enrolment_id", sa.Integer(), nullable=True))
        table.create_foreign_key(
            "fk_credential_offers_enrolment_id_enrolments", "enrolments", ["enrolment_id"], ["id"], ondelete="CASCADE"
        )
        table.create_index("ix_credential_offers_enrolment_id", ["enrolment_id"])
    op.create_table(
        "oid4vci_deferred",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transaction_hash", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("configuration", sa.String(length=64), nullable=False),
        sa.Column("holder_jwk", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["enrolment_id"], ["enrolments.id"], name="fk_oid4vci_deferred_enrolment_id_enrolments", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_oid4vci_deferred"),
        sa.UniqueConstraint("transaction_hash", name="uq_oid4vci_deferred_transaction_hash"),
    )
    op.create_index("ix_oid4vci_deferred_enrolment_id", "oid4vci_deferred", ["enrolment_id"])


def downgrade() -> None:
    op.drop_index("ix_oid4vci_deferred_enrolment_id", table_name="oid4vci_deferred")
    op.drop_table("oid4vci_deferred")
    op.execute("DELETE FROM credential_offers WHERE credential_id IS NULL")
    with op.batch_alter_table("credential_offers") as table:
        table.drop_index("ix_credential_offers_enrolment_id")
        table.drop_constraint("fk_credential_offers_enrolment_id_enrolments", type_="foreignkey")
        table.drop_column("enrolment_id")
        table.alter_column("credential_id", existing_type=sa.Integer(), nullable=False)
