"""full-text search over offerings

SQLite: an FTS5 table kept in sync by triggers on ``offerings`` (inserts, updates, deletes, whoever writes).
PostgreSQL: a GIN expression index over the same texts; the row itself is the source, so nothing can drift.
Both use no stemming ('simple' / unicode61) so a query finds the same offerings on either backend.
See docs/decisions/0008-catalogue-search.md.

Revision ID: search_0001
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "search_0001"
down_revision = "0001"
branch_labels = ("search",)
depends_on = None

# The searchable text of an offering row: every string of title, description and learning-outcome texts.
_SQLITE_TEXT = """
    coalesce((SELECT group_concat(value, ' ') FROM json_tree({row}.title) WHERE type = 'text'), '') || ' ' ||
    coalesce((SELECT group_concat(value, ' ') FROM json_tree({row}.description) WHERE type = 'text'), '') || ' ' ||
    coalesce((SELECT group_concat(value, ' ') FROM json_tree({row}.learning_outcomes)
              WHERE type = 'text' AND key <> 'esco_skill'), '')
"""

#: search_0002 replaces this expression index by a stored generated column with the same expression.
_POSTGRES_DOCUMENT = (
    "(json_to_tsvector('simple'::regconfig, title, '[\"string\"]'::jsonb)"
    " || json_to_tsvector('simple'::regconfig, description, '[\"string\"]'::jsonb)"
    " || json_to_tsvector('simple'::regconfig, learning_outcomes, '[\"string\"]'::jsonb))"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_upgrade()
    else:
        op.execute(f"CREATE INDEX ix_offerings_search ON offerings USING GIN ({_POSTGRES_DOCUMENT})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("offering_search_ai", "offering_search_au", "offering_search_ad"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS offering_search")
    else:
        op.execute("DROP INDEX IF EXISTS ix_offerings_search")


def _sqlite_upgrade() -> None:
    op.execute("CREATE VIRTUAL TABLE offering_search USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')")
    new_text = _SQLITE_TEXT.format(row="new")
    # The delete before each insert keeps the FTS rowid unique even if a row was left behind.
    op.execute(
        "CREATE TRIGGER offering_search_ai AFTER INSERT ON offerings BEGIN "
        "DELETE FROM offering_search WHERE rowid = new.id; "
        f"INSERT INTO offering_search(rowid, body) VALUES (new.id, {new_text}); END"
    )
    op.execute(
        "CREATE TRIGGER offering_search_au AFTER UPDATE ON offerings BEGIN "
        "DELETE FROM offering_search WHERE rowid = old.id; "
        f"INSERT INTO offering_search(rowid, body) VALUES (new.id, {new_text}); END"
    )
    op.execute(
        "CREATE TRIGGER offering_search_ad AFTER DELETE ON offerings BEGIN "
        "DELETE FROM offering_search WHERE rowid = old.id; END"
    )
    op.execute(f"INSERT INTO offering_search(rowid, body) SELECT o.id, {_SQLITE_TEXT.format(row='o')} FROM offerings o")
