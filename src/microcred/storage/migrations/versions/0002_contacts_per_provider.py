"""core: a learner's contact address belongs to the provider that recorded it

Before, one row per learner held "the" address, and any provider enrolling the same learner (an INSZ gives
every provider the same pseudonym) overwrote it, redirecting the other providers' credentials (issue 15,
finding 1). Now each (learner, provider) pair has its own row. Existing addresses are kept for every
provider that has an enrolment of the learner.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _create(provider: bool) -> None:
    columns: list[sa.Column[object] | sa.Constraint] = [sa.Column("learner_id", sa.Integer(), nullable=False)]
    key = ["learner_id"]
    if provider:
        columns.append(sa.Column("provider_id", sa.Integer(), nullable=False))
        columns.append(
            sa.ForeignKeyConstraint(
                ["provider_id"],
                ["providers.id"],
                name=op.f("fk_learner_contacts_provider_id_providers"),
                ondelete="CASCADE",
            )
        )
        key.append("provider_id")
    columns += [
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], name=op.f("fk_learner_contacts_learner_id_learners"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint(*key, name=op.f("pk_learner_contacts")),
    ]
    op.create_table("learner_contacts", *columns)


def upgrade() -> None:
    bind = op.get_bind()
    kept = bind.execute(
        sa.text(
            "SELECT DISTINCT c.learner_id, e.provider_id, c.email FROM learner_contacts c "
            "JOIN enrolments e ON e.learner_id = c.learner_id"
        )
    ).all()
    op.drop_table("learner_contacts")
    _create(provider=True)
    if kept:
        table = sa.table("learner_contacts", sa.column("learner_id"), sa.column("provider_id"), sa.column("email"))
        op.bulk_insert(table, [{"learner_id": a, "provider_id": b, "email": c} for a, b, c in kept])
    op.create_index(op.f("ix_learner_contacts_email"), "learner_contacts", ["email"])


def downgrade() -> None:
    bind = op.get_bind()
    kept = bind.execute(sa.text("SELECT learner_id, MIN(email) FROM learner_contacts GROUP BY learner_id")).all()
    op.drop_index(op.f("ix_learner_contacts_email"), table_name="learner_contacts")
    op.drop_table("learner_contacts")
    _create(provider=False)
    if kept:
        table = sa.table("learner_contacts", sa.column("learner_id"), sa.column("email"))
        op.bulk_insert(table, [{"learner_id": a, "email": b} for a, b in kept])
