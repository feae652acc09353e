"""wallet: learners' share links to one credential (expiring, revocable)

Revision ID: wallet_0001
Revises: 0001
Depends on: credentials_0001 (the foreign key to ``credentials``)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "wallet_0001"
down_revision = "0001"
branch_labels = ("wallet",)
depends_on = ("credentials_0001",)


def upgrade() -> None:
    op.create_table(
        "share_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["credential_id"], ["credentials.id"], name="fk_share_links_credential_id_credentials", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_share_links"),
        sa.UniqueConstraint("public_id", name="uq_share_links_public_id"),
    )
    op.create_index("ix_share_links_credential_id", "share_links", ["credential_id"])


def downgrade() -> None:
    op.drop_index("ix_share_links_credential_id", table_name="share_links")
    op.drop_table("share_links")
