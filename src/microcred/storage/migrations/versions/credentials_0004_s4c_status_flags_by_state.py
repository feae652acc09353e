"""credentials: indexes on a provider's credentials and stacked credentials by state

Re-signing a status list after a revocation, suspension or unsuspension read every credential in the list's
block (through the unique ``(provider_id, revocation_index)`` index), once per purpose and table: six reads
of up to 131,072 rows each for one revocation, about 4 s at 300,000 credentials. With
``(provider_id, state, revocation_index)`` the one read of a list's flagged credentials (revoked, suspended,
under review) touches only those rows.

Revision ID: credentials_0004_s4c
Revises: credentials_0003
"""

from __future__ import annotations

from alembic import op

revision = "credentials_0004_s4c"
down_revision = "credentials_0003"
branch_labels = None
depends_on = "stacking_0001"  # the stacked credentials' table


def upgrade() -> None:
    op.create_index("ix_credentials_provider_state", "credentials", ["provider_id", "state", "revocation_index"])
    op.create_index(
        "ix_stacked_credentials_provider_state", "stacked_credentials", ["provider_id", "state", "revocation_index"]
    )


def downgrade() -> None:
    op.drop_index("ix_stacked_credentials_provider_state", table_name="stacked_credentials")
    op.drop_index("ix_credentials_provider_state", table_name="credentials")
