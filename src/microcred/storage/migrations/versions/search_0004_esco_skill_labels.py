"""ESCO skill labels in the search: each outcome's skill labels stored with it and indexed in English

Each learning outcome that names an ESCO skill gets the skill's English labels from the shipped vocabulary
(``esco_labels``: ``{"en": [preferred, *alternatives]}``; ``storage.mapping`` writes them from now on).
SQLite: its triggers index every text of the outcomes already (``microcred_search_forms`` stems the ``en``
labels in English), so rewriting the rows re-indexes them. PostgreSQL: the stored search document adds the
labels' ``simple`` words and ``english`` lexemes. See docs/decisions/0032-esco-skills-in-search.md.

Revision ID: s4d_search_0004
Revises: search_0003
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from microcred.domain import LangText, LearningOutcome

# search_0003 is frozen: its document is the one this revision extends, and restores on downgrade.
from microcred.storage.migrations.versions.search_0003_stemmed_search import _DOCUMENT as _PREVIOUS_DOCUMENT
from microcred.storage.migrations.versions.search_0003_stemmed_search import _replace_postgres_document

revision = "s4d_search_0004"
down_revision = "search_0003"
branch_labels = None
depends_on = None


_LABELS = (
    "jsonb_to_tsvector('simple'::regconfig, jsonb_path_query_array(learning_outcomes::jsonb, '$[*].esco_labels.en'),"
    " '[\"string\"]'::jsonb)"
    " || jsonb_to_tsvector('english'::regconfig,"
    " jsonb_path_query_array(learning_outcomes::jsonb, '$[*].esco_labels.en'), '[\"string\"]'::jsonb)"
)
#: search_0003's document (a parenthesised sum of tsvectors) plus the labels' words and English lexemes.
_DOCUMENT = _PREVIOUS_DOCUMENT[:-1] + f" || {_LABELS})"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _replace_postgres_document(_DOCUMENT)
    _rewrite_outcomes(with_labels=True)


def downgrade() -> None:
    _rewrite_outcomes(with_labels=False)
    if op.get_bind().dialect.name == "postgresql":
        _replace_postgres_document(_PREVIOUS_DOCUMENT)


def _rewrite_outcomes(*, with_labels: bool) -> None:
    """Give every outcome that names a known skill its labels, or take them all away; only changed rows are
    written (each write re-indexes the row: the SQLite triggers, the PostgreSQL generated column)."""
    connection = op.get_bind()
    offerings = sa.table("offerings", sa.column("id", sa.Integer), sa.column("learning_outcomes", sa.JSON))
    for row in connection.execute(sa.select(offerings.c.id, offerings.c.learning_outcomes)).all():
        outcomes: list[dict[str, Any]] = row.learning_outcomes or []
        changed = [_outcome(dict(outcome), with_labels=with_labels) for outcome in outcomes]
        if json.dumps(changed, sort_keys=True) != json.dumps(outcomes, sort_keys=True):
            connection.execute(offerings.update().where(offerings.c.id == row.id).values(learning_outcomes=changed))


def _outcome(outcome: dict[str, Any], *, with_labels: bool) -> dict[str, Any]:
    outcome.pop("esco_labels", None)
    labels = LearningOutcome(LangText(outcome["text"]), outcome.get("esco_skill")).skill_labels if with_labels else ()
    if labels:
        outcome["esco_labels"] = {"en": list(labels)}
    return outcome
