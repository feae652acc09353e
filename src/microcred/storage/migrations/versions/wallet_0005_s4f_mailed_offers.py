"""wallet: credential offers the desk e-mailed to learners -- when each was mailed, so a second mailing of the
same credential is known (decision 0034)

Revision ID: wallet_0005_s4f
Revises: wallet_0004_s4e
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "wallet_0005_s4f"
down_revision = "wallet_0004_s4e"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("credential_offers") as table:
        table.add_column(sa.Column("mailed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("credential_offers") as table:
        table.drop_column("mailed_at")
