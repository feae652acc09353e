"""wallet: OpenID4VP presentation requests of the verify page and their answers

Revision ID: wallet_0003
Revises: wallet_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "wallet_0003"
down_revision = "wallet_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "presentation_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_presentation_requests"),
        sa.UniqueConstraint("state", name="uq_presentation_requests_state"),
    )


def downgrade() -> None:
    op.drop_table("presentation_requests")
