"""stacking: stack rules and their components, stacked credentials, recognition decisions

Revision ID: stacking_0001
Revises: 0001
Depends on: credentials_0001 (stacked credentials take indexes in the providers' status lists)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "stacking_0001"
down_revision = "0001"
branch_labels = ("stacking",)
depends_on = ("credentials_0001",)


def _provider_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["provider_id"], ["providers.id"], name=f"fk_{table}_provider_id_providers", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "stack_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("required_count", sa.Integer(), nullable=True),
        sa.Column("min_ects", sa.Numeric(4, 1), nullable=True),
        sa.Column("min_eqf_level", sa.Integer(), nullable=True),
        sa.Column("max_age_months", sa.Integer(), nullable=True),
        sa.Column("other_providers", sa.Boolean(), nullable=False),
        sa.Column("ects", sa.Numeric(4, 1), nullable=True),
        sa.Column("eqf_level", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _provider_fk("stack_rules"),
        sa.PrimaryKeyConstraint("id", name="pk_stack_rules"),
        sa.UniqueConstraint("provider_id", "code", name="uq_stack_rules_provider_code"),
    )
    op.create_table(
        "stack_rule_components",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("offering_code", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["stack_rules.id"], name="fk_stack_rule_components_rule_id_stack_rules", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_stack_rule_components"),
        sa.UniqueConstraint("rule_id", "provider", "offering_code", name="uq_stack_rule_components_offering"),
    )
    op.create_table(
        "stacked_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=45), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("learner", sa.String(length=64), nullable=False),
        sa.Column("revocation_index", sa.Integer(), nullable=False),
        sa.Column("suspension_index", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("state_reason", sa.String(length=500), nullable=True),
        sa.Column("state_changed_at", sa.DateTime(timezone=True), nullable=True),
        _provider_fk("stacked_credentials"),
        sa.ForeignKeyConstraint(["rule_id"], ["stack_rules.id"], name="fk_stacked_credentials_rule_id_stack_rules"),
        sa.PrimaryKeyConstraint("id", name="pk_stacked_credentials"),
        sa.UniqueConstraint("uuid", name="uq_stacked_credentials_uuid"),
        sa.UniqueConstraint("rule_id", "learner", name="uq_stacked_credentials_rule_learner"),
        sa.UniqueConstraint("provider_id", "revocation_index", name="uq_stacked_credentials_provider_revocation_index"),
        sa.UniqueConstraint("provider_id", "suspension_index", name="uq_stacked_credentials_provider_suspension_index"),
    )
    op.create_table(
        "stacked_components",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stacked_id", sa.Integer(), nullable=False),
        sa.Column("credential_uuid", sa.String(length=45), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("digest", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["stacked_id"],
            ["stacked_credentials.id"],
            name="fk_stacked_components_stacked_id_stacked_credentials",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_stacked_components"),
    )
    op.create_index("ix_stacked_components_credential_uuid", "stacked_components", ["credential_uuid"])
    op.create_table(
        "recognition_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("learner", sa.String(length=64), nullable=False),
        sa.Column("credential_id", sa.String(length=500), nullable=False),
        sa.Column("credential_digest", sa.String(length=100), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("recognised_for", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=True),
        sa.Column("ects", sa.Numeric(4, 1), nullable=True),
        sa.Column("basis", sa.JSON(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _provider_fk("recognition_decisions"),
        sa.PrimaryKeyConstraint("id", name="pk_recognition_decisions"),
        sa.UniqueConstraint("public_id", name="uq_recognition_decisions_public_id"),
        sa.UniqueConstraint(
            "provider_id", "learner", "credential_digest", "recognised_for", name="uq_recognition_decisions_once"
        ),
    )
    op.create_index("ix_recognition_decisions_learner", "recognition_decisions", ["learner"])


def downgrade() -> None:
    op.drop_index("ix_recognition_decisions_learner", table_name="recognition_decisions")
    op.drop_table("recognition_decisions")
    op.drop_index("ix_stacked_components_credential_uuid", table_name="stacked_components")
    op.drop_table("stacked_components")
    op.drop_table("stacked_credentials")
    op.drop_table("stack_rule_components")
    op.drop_table("stack_rules")
