"""access: an Idempotency-Key is reserved before the request runs, its response stored after

A row is now written twice: first as a reservation (``state`` "in progress", no response yet) in its own
short transaction, so a concurrent duplicate hits the unique (owner, key) constraint and is refused; then
with the response once the request succeeded ("done"), or deleted when it failed. Rows from before are
stored responses, so they become "done".

Revision ID: auth_0002
Revises: auth_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "auth_0002"
down_revision = "auth_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.add_column(sa.Column("state", sa.String(length=16), nullable=False, server_default="done"))
        batch.alter_column("status", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("content_type", existing_type=sa.String(length=100), nullable=True)
        batch.alter_column("body", existing_type=sa.LargeBinary(), nullable=True)
    with op.batch_alter_table("idempotency_keys") as batch:  # the default was only for the rows from before
        batch.alter_column("state", existing_type=sa.String(length=16), server_default=None)


def downgrade() -> None:
    op.execute("DELETE FROM idempotency_keys WHERE state <> 'done'")  # reservations have no response to keep
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.alter_column("body", existing_type=sa.LargeBinary(), nullable=False)
        batch.alter_column("content_type", existing_type=sa.String(length=100), nullable=False)
        batch.alter_column("status", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("state")
