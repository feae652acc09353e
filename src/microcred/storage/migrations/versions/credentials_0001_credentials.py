"""credentials: issued credentials, sealed signing keys, status lists

Revision ID: credentials_0001
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "credentials_0001"
down_revision = "0001"
branch_labels = ("credentials",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signing_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("public_key_multibase", sa.String(length=64), nullable=False),
        sa.Column("sealed_private_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name="fk_signing_keys_provider_id_providers", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_signing_keys"),
        sa.UniqueConstraint("public_key_multibase", name="uq_signing_keys_public_key_multibase"),
    )
    op.create_index("ix_signing_keys_provider_id", "signing_keys", ["provider_id"])
    op.create_table(
        "status_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("next_index", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name="fk_status_lists_provider_id_providers", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_status_lists"),
        sa.UniqueConstraint("provider_id", "purpose", name="uq_status_lists_provider_purpose"),
    )
    op.create_table(
        "credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=45), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("signing_key_id", sa.Integer(), nullable=False),
        sa.Column("revocation_index", sa.Integer(), nullable=False),
        sa.Column("suspension_index", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("state_reason", sa.String(length=500), nullable=True),
        sa.Column("state_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name="fk_credentials_provider_id_providers", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["enrolment_id"], ["enrolments.id"], name="fk_credentials_enrolment_id_enrolments", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["signing_key_id"], ["signing_keys.id"], name="fk_credentials_signing_key_id_signing_keys"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_credentials"),
        sa.UniqueConstraint("uuid", name="uq_credentials_uuid"),
        sa.UniqueConstraint("enrolment_id", name="uq_credentials_enrolment_id"),
        sa.UniqueConstraint("provider_id", "revocation_index", name="uq_credentials_provider_revocation_index"),
        sa.UniqueConstraint("provider_id", "suspension_index", name="uq_credentials_provider_suspension_index"),
    )


def downgrade() -> None:
    op.drop_table("credentials")
    op.drop_table("status_lists")
    op.drop_index("ix_signing_keys_provider_id", table_name="signing_keys")
    op.drop_table("signing_keys")
