"""access: learners' access links are rows, so a link opens once, can be revoked and ends its sessions

Before, an access link was a signed, self-contained value that stayed reusable for 24 hours and could not
be revoked (issue 15, finding 7). Now the URL carries a random secret and this table holds its SHA-256, the
grants it opens, when it expires, when it was opened (once) and when it (and the session it started) ended.

Revision ID: auth_0005
Revises: auth_0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "auth_0005"
down_revision = "auth_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("address_key", sa.String(length=64), nullable=False),
        sa.Column("grants", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_links")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_access_links_secret_hash")),
    )
    op.create_index(op.f("ix_access_links_address_key"), "access_links", ["address_key"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_access_links_address_key"), table_name="access_links")
    op.drop_table("access_links")
