"""credentials: an index on a provider's credentials in the order of issue

``iterate_for_provider`` reads a provider's credentials in the order of issue (``issued_at``, ``id``), a
keyset page at a time. Without an index on that order each page sorted every credential of the provider
(SQLite: a temporary B-tree over the whole provider; PostgreSQL: a sort), so reading them all grew with the
square of their number: 300,000 did not finish in 19 minutes. With ``(provider_id, issued_at, id)`` a page
starts at the last key and reads ``batch`` rows.

Revision ID: credentials_0003
Revises: credentials_0002
"""

from __future__ import annotations

from alembic import op

revision = "credentials_0003"
down_revision = "credentials_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_credentials_provider_issued", "credentials", ["provider_id", "issued_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_credentials_provider_issued", table_name="credentials")
