"""catalogue: an offering's price in whole euros, when the provider states it

Nullable: unknown for every existing offering. ``ALTER TABLE ... ADD COLUMN`` on both backends, so SQLite keeps
the search triggers on ``offerings`` (a batch rebuild would drop them; decision 0008).

Revision ID: catalogue_0001
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "catalogue_0001"
down_revision = "0001"
branch_labels = ("catalogue",)
depends_on = None


def upgrade() -> None:
    op.add_column("offerings", sa.Column("price_eur", sa.Integer(), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE offerings DROP COLUMN price_eur")  # SQLite 3.35+: no table rebuild
    else:
        op.drop_column("offerings", "price_eur")
