"""wallet: an approved authorization request remembers the offer (``issuer_state``) it came from, so a mailed
offer is marked used (``redeemed_at``) once its credential was delivered and its link starts no more approvals

Revision ID: wallet_0007_s5a
Revises: wallet_0006_s5a
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "wallet_0007_s5a"
down_revision = "wallet_0006_s5a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("credential_offers") as table:
        table.add_column(sa.Column("via_offer_id", sa.Integer(), nullable=True))
        table.create_foreign_key(
            "fk_credential_offers_via_offer_id_credential_offers",
            "credential_offers",
            ["via_offer_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("credential_offers") as table:
        table.drop_constraint("fk_credential_offers_via_offer_id_credential_offers", type_="foreignkey")
        table.drop_column("via_offer_id")
