"""Keep each credential's verdict as a component in the register, not in one process's memory

Verifying a held credential takes milliseconds; the evaluation job over 100,000 learners (300,000
credentials) could keep its verdicts only in a per-process cache of 200,000, so every run verified them all
again. A verdict kept in the register holds for every process and every run, until the token of what it
depends on moves (``storage/verdicts.py``).

Revision ID: s7a_stacking_0003
Revises: s4b_stacking_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "s7a_stacking_0003"
down_revision = "s4b_stacking_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credential_verdicts",
        sa.Column("credential_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("counts", sa.Boolean(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name="fk_credential_verdicts_credential_id_credentials",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("credential_id", name="pk_credential_verdicts"),
    )


def downgrade() -> None:
    op.drop_table("credential_verdicts")
