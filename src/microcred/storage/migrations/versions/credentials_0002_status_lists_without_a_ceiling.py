"""credentials: a provider's status lists are numbered, each with its own block of indexes and draw order

A provider had one list per purpose and issuing stopped at 131,072 credentials; indexes were handed out in
issue order (issue 16). Now a provider opens list 2, 3, … when one fills. Each list row gets:

- ``number`` (1 for the lists that exist), part of the unique key with provider and purpose;
- ``first_index``: where the list's block starts among the provider's positions. A credential's
  ``revocation_index`` and ``suspension_index`` stay unique per provider and are positions in these blocks
  (list 1 starts at 0, so every credential issued before keeps its index and its list), so the
  ``credentials`` table does not change;
- and, in the new table ``status_list_orders``, the order in which the list hands out its indexes, 4 bytes
  each, shuffled with the operating system's CSPRNG when the list opens (a table of its own: the list rows'
  counters change with every credential, and SQLite rewrites a whole row on update). A list that already
  handed out indexes in order gets its order on its next draw: the indexes used first, then the free ones
  shuffled.

Revision ID: credentials_0002
Revises: credentials_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "credentials_0002"
down_revision = "credentials_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite rebuilds the table (no foreign key points at status_lists, so nothing cascades).
    with op.batch_alter_table("status_lists") as batch:
        batch.add_column(sa.Column("number", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("first_index", sa.Integer(), nullable=False, server_default="0"))
        batch.drop_constraint("uq_status_lists_provider_purpose", type_="unique")
        batch.create_unique_constraint("uq_status_lists_provider_purpose_number", ["provider_id", "purpose", "number"])
    op.create_table(
        "status_list_orders",
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("draw_order", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_status_list_orders_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("provider_id", "number", name=op.f("pk_status_list_orders")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Kept uncompressed out of line, so reading 4 bytes of the order reads one TOAST chunk, not the whole.
        op.execute("ALTER TABLE status_list_orders ALTER COLUMN draw_order SET STORAGE EXTERNAL")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT COUNT(*) FROM status_lists WHERE number > 1")).scalar():
        raise RuntimeError(
            "cannot go below credentials_0002: a provider has more than one status list, and credentials "
            "point at lists 2 and up"
        )
    op.drop_table("status_list_orders")
    with op.batch_alter_table("status_lists") as batch:
        batch.drop_constraint("uq_status_lists_provider_purpose_number", type_="unique")
        batch.create_unique_constraint("uq_status_lists_provider_purpose", ["provider_id", "purpose"])
        batch.drop_column("first_index")
        batch.drop_column("number")
