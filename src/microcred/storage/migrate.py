"""Schema migrations: Alembic is the only way the schema is created or changed."""

from __future__ import annotations

from collections.abc import Sequence
from importlib.resources import files
from typing import TYPE_CHECKING

from sqlalchemy import Engine

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported inside each function: it costs about half a second, and only `migrate`, `serve`'s
# start-up check and the tests that build databases need it, not every command of the CLI.

__all__ = ["current_revisions", "downgrade", "is_up_to_date", "upgrade"]


def _config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(files("microcred.storage") / "migrations"))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the schema to ``revision`` (all heads by default: each area owns a migration branch)."""
    from alembic import command

    command.upgrade(_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    from alembic import command

    command.downgrade(_config(engine), revision)


def current_revisions(engine: Engine) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def is_up_to_date(engine: Engine) -> bool:
    """Every head revision is applied. Alembic's version table keeps only the current heads, and a head
    that another branch ``depends_on`` is not one of them, so compare what the current heads imply."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config(engine))
    applied: set[str] = set()
    pending = list(script.get_revisions(tuple(current_revisions(engine))))
    while pending:
        revision = pending.pop()
        if revision is None or revision.revision in applied:
            continue
        applied.add(revision.revision)
        below = [*_names(revision.down_revision), *_names(revision.dependencies)]
        pending.extend(script.get_revisions(tuple(below)))
    return set(script.get_heads()) <= applied


def _names(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)
