"""wallet: the authorization code flow of OpenID4VCI -- an approved request's client, redirect URI, PKCE
challenge and credential configurations, kept with the offer row its code redeems

Revision ID: wallet_0004_s4e
Revises: wallet_0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "wallet_0004_s4e"
down_revision = "wallet_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("credential_offers") as table:
        table.add_column(sa.Column("client_id", sa.String(length=255), nullable=True))
        table.add_column(sa.Column("redirect_uri", sa.String(length=2000), nullable=True))
        table.add_column(sa.Column("code_challenge", sa.String(length=128), nullable=True))
        table.add_column(sa.Column("configurations", sa.String(length=200), nullable=True))
        table.add_column(sa.Column("with_details", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("credential_offers") as table:
        table.drop_column("with_details")
        table.drop_column("configurations")
        table.drop_column("code_challenge")
        table.drop_column("redirect_uri")
        table.drop_column("client_id")
