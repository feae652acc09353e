"""Schema migrations: Alembic is the only way the schema is created or changed."""

from __future__ import annotations

from collections.abc import Sequence
from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

__all__ = ["current_revisions", "downgrade", "is_up_to_date", "upgrade"]


def _config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("microcred.storage") / "migrations"))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the schema to ``revision`` (all heads by default: each area owns a migration branch)."""
    command.upgrade(_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    command.downgrade(_config(engine), revision)


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def is_up_to_date(engine: Engine) -> bool:
    """Every head revision is applied. Alembic's version table keeps only the current heads, and a head
    that another branch ``depends_on`` is not one of them, so compare what the current heads imply."""
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
