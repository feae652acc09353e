"""stemmed search: Dutch and English stems next to the words, titles weighted apart

SQLite: the FTS5 table gets two columns, ``title`` and ``body``, filled by the triggers through the
application function ``microcred_search_forms`` (every word and its Snowball stem in the text's language,
PyStemmer; registered on each connection by ``storage.engine``).
PostgreSQL: the stored search document adds the ``dutch`` and ``english`` configurations' lexemes of the
texts in those languages to the ``simple`` words, with the title's lexemes at weight A.
See docs/decisions/0022-stemmed-search.md.

Revision ID: search_0003
Revises: search_0002
"""

from __future__ import annotations

from alembic import op

revision = "search_0003"
down_revision = "search_0002"
branch_labels = None
depends_on = None

_TRIGGERS = ("offering_search_ai", "offering_search_au", "offering_search_ad")


def _language_vector(column: str, *, outcomes: bool = False) -> str:
    """The words of a JSON language map (or of the outcomes' maps) and their stems in its Dutch and English texts."""
    if outcomes:
        texts = f"jsonb_path_query_array({column}::jsonb, '$[*].text')"
        dutch = f"jsonb_path_query_array({column}::jsonb, '$[*].text.nl')"
        english = f"jsonb_path_query_array({column}::jsonb, '$[*].text.en')"
        return (
            f"jsonb_to_tsvector('simple'::regconfig, {texts}, '[\"string\"]'::jsonb)"
            f" || jsonb_to_tsvector('dutch'::regconfig, {dutch}, '[\"string\"]'::jsonb)"
            f" || jsonb_to_tsvector('english'::regconfig, {english}, '[\"string\"]'::jsonb)"
        )
    return (
        f"json_to_tsvector('simple'::regconfig, {column}, '[\"string\"]'::jsonb)"
        f" || to_tsvector('dutch'::regconfig, coalesce({column}->>'nl', ''))"
        f" || to_tsvector('english'::regconfig, coalesce({column}->>'en', ''))"
    )


_DOCUMENT = (
    f"(setweight({_language_vector('title')}, 'A')"
    f" || {_language_vector('description')}"
    f" || {_language_vector('learning_outcomes', outcomes=True)})"
)

# search_0002's document, restored on downgrade.
_PREVIOUS_DOCUMENT = (
    "(json_to_tsvector('simple'::regconfig, title, '[\"string\"]'::jsonb)"
    " || json_to_tsvector('simple'::regconfig, description, '[\"string\"]'::jsonb)"
    " || json_to_tsvector('simple'::regconfig, learning_outcomes, '[\"string\"]'::jsonb))"
)
_PREVIOUS_SQLITE_TEXT = """
    coalesce((SELECT group_concat(value, ' ') FROM json_tree({row}.title) WHERE type = 'text'), '') || ' ' ||
    coalesce((SELECT group_concat(value, ' ') FROM json_tree({row}.description) WHERE type = 'text'), '') || ' ' ||
    coalesce((SELECT group_concat(value, ' ') FROM json_tree({row}.learning_outcomes)
              WHERE type = 'text' AND key <> 'esco_skill'), '')
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _drop_sqlite_index()
        op.execute(
            "CREATE VIRTUAL TABLE offering_search USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2')"
        )
        _sqlite_triggers(
            "(rowid, title, body) VALUES (new.id, microcred_search_forms(new.title), "
            "microcred_search_forms(new.description) || ' ' || microcred_search_forms(new.learning_outcomes))"
        )
        op.execute(
            "INSERT INTO offering_search(rowid, title, body) SELECT id, microcred_search_forms(title), "
            "microcred_search_forms(description) || ' ' || microcred_search_forms(learning_outcomes) FROM offerings"
        )
        return
    _replace_postgres_document(_DOCUMENT)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _drop_sqlite_index()
        op.execute("CREATE VIRTUAL TABLE offering_search USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')")
        _sqlite_triggers(f"(rowid, body) VALUES (new.id, {_PREVIOUS_SQLITE_TEXT.format(row='new')})")
        op.execute(
            "INSERT INTO offering_search(rowid, body) "
            f"SELECT o.id, {_PREVIOUS_SQLITE_TEXT.format(row='o')} FROM offerings o"
        )
        return
    _replace_postgres_document(_PREVIOUS_DOCUMENT)


def _drop_sqlite_index() -> None:
    for trigger in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS offering_search")


def _sqlite_triggers(values: str) -> None:
    # The delete before each insert keeps the FTS rowid unique even if a row was left behind.
    op.execute(
        "CREATE TRIGGER offering_search_ai AFTER INSERT ON offerings BEGIN "
        f"DELETE FROM offering_search WHERE rowid = new.id; INSERT INTO offering_search{values}; END"
    )
    op.execute(
        "CREATE TRIGGER offering_search_au AFTER UPDATE ON offerings BEGIN "
        f"DELETE FROM offering_search WHERE rowid = old.id; INSERT INTO offering_search{values}; END"
    )
    op.execute(
        "CREATE TRIGGER offering_search_ad AFTER DELETE ON offerings BEGIN "
        "DELETE FROM offering_search WHERE rowid = old.id; END"
    )


def _replace_postgres_document(document: str) -> None:
    op.execute("DROP INDEX IF EXISTS ix_offerings_search_document")
    op.execute("ALTER TABLE offerings DROP COLUMN IF EXISTS search_document")
    op.execute(f"ALTER TABLE offerings ADD COLUMN search_document tsvector GENERATED ALWAYS AS {document} STORED")
    op.execute("CREATE INDEX ix_offerings_search_document ON offerings USING GIN (search_document)")
