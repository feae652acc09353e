"""core: each enrolment records the scheme of its learner's id (decision 0018)

Which scheme a learner id belonged to decides in which scope it was pseudonymised (INSZ, ESI and a
register-wide id across providers, a student number per provider) and so whether the learner is counted
once across providers. Existing rows keep their pseudonyms; their ids are not stored, so their scheme is
known only where the register itself proves it: a learner with enrolments at two or more providers was
pseudonymised across providers, which before this revision only an INSZ was. Every other existing enrolment
stays NULL, "not recorded", and is reported with the ones counted per provider until a re-import with the
learner ids records it. A plain ADD COLUMN: no table is rebuilt, nothing cascades.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("enrolments", sa.Column("learner_scheme", sa.String(length=16), nullable=True))
    op.execute(
        "UPDATE enrolments SET learner_scheme = 'insz' WHERE learner_id IN ("
        "SELECT learner_id FROM enrolments GROUP BY learner_id HAVING COUNT(DISTINCT provider_id) > 1)"
    )


def downgrade() -> None:
    op.drop_column("enrolments", "learner_scheme")  # SQLite 3.35+ drops a column without rebuilding the table
