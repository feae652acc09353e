"""access: failed sign-ins per account and per client, shared by every process (login throttling)

Revision ID: auth_0004
Revises: auth_0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "auth_0004"
down_revision = "auth_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_attempts")),
    )


def downgrade() -> None:
    op.drop_table("login_attempts")
