"""Storage: SQLAlchemy 2 tables, repositories, unit of work and Alembic migrations."""

from __future__ import annotations

from microcred.storage.engine import make_engine
from microcred.storage.migrate import downgrade, upgrade
from microcred.storage.uow import SqlUnitOfWork

__all__ = ["SqlUnitOfWork", "downgrade", "make_engine", "upgrade"]
