"""Index the stacked credentials by learner

A wallet page reads the learner's stacked credentials (``stacked_of_learners``) and the evaluation job reads,
per batch of 500 learners, which rules they already hold (``issued_to``); both ask ``learner IN (…)``, which
the ``(rule_id, learner)`` unique constraint cannot serve, so each read scanned every stacked credential.

Revision ID: s4b_stacking_0002
Revises: stacking_0001
"""

from __future__ import annotations

from alembic import op

revision = "s4b_stacking_0002"
down_revision = "stacking_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_stacked_credentials_learner", "stacked_credentials", ["learner"])


def downgrade() -> None:
    op.drop_index("ix_stacked_credentials_learner", table_name="stacked_credentials")
