"""PostgreSQL: keep the search document as a stored generated column

Ranking with ``ts_rank`` needs each matching row's tsvector; computed from the JSON columns on every query it
cost about 50 ms per query on the full demo register (2,274 offerings, measured with EXPLAIN ANALYZE), and
the planner preferred a sequential scan to the expression index. A stored generated column is computed once
per write by PostgreSQL itself (so it cannot drift), carries the GIN index, and ranks without recomputation.
SQLite keeps its FTS5 table: nothing changes there.

Revision ID: search_0002
Revises: search_0001
"""

from __future__ import annotations

from alembic import op

revision = "search_0002"
down_revision = "search_0001"
branch_labels = None
depends_on = None

# The same texts as search_0001's index: every string of title, description and learning-outcome texts.
_DOCUMENT = (
    "(json_to_tsvector('simple'::regconfig, title, '[\"string\"]'::jsonb)"
    " || json_to_tsvector('simple'::regconfig, description, '[\"string\"]'::jsonb)"
    " || json_to_tsvector('simple'::regconfig, learning_outcomes, '[\"string\"]'::jsonb))"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute(f"ALTER TABLE offerings ADD COLUMN search_document tsvector GENERATED ALWAYS AS {_DOCUMENT} STORED")
    op.execute("CREATE INDEX ix_offerings_search_document ON offerings USING GIN (search_document)")
    op.execute("DROP INDEX IF EXISTS ix_offerings_search")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute("DROP INDEX IF EXISTS ix_offerings_search_document")
    op.execute("ALTER TABLE offerings DROP COLUMN IF EXISTS search_document")
    op.execute(f"CREATE INDEX ix_offerings_search ON offerings USING GIN ({_DOCUMENT})")
