"""core: each enrolment keeps the digest of the import row that last wrote it (decision 0037)

An import compares a row's digest with the stored one and writes nothing when they are equal, so the
nightly re-import of an unchanged file reads one short column instead of every column of every row.
Existing rows get NULL, "no digest": the next import compares them value by value, as before, and
records their digest. A plain ADD COLUMN: no table is rebuilt, nothing cascades.

Revision ID: core_0004_s5c
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "core_0004_s5c"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("enrolments", sa.Column("row_digest", sa.String(length=32), nullable=True))


def downgrade() -> None:
    op.drop_column("enrolments", "row_digest")  # SQLite 3.35+ drops a column without rebuilding the table
