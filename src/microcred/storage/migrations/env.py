"""Alembic environment: runs migrations on the engine handed over by microcred.storage.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from microcred.storage.tables import metadata

engine: Engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
