"""Schema migrations: Alembic is the only way the schema is created or changed."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

__all__ = ["current_revisions", "downgrade", "head_revisions", "upgrade"]


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


def head_revisions(engine: Engine) -> set[str]:
    return set(ScriptDirectory.from_config(_config(engine)).get_heads())


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())
