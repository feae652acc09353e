"""Database engines: embedded SQLite (WAL, foreign keys on) by default, PostgreSQL in production."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, overload

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from microcred.domain.words import fold, json_forms

__all__ = ["make_engine", "register_sqlite_functions", "set_clock", "stamp", "utc"]


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url``; SQLite gets WAL mode, enforced foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("psycopg2", ""):
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False))
    return create_engine(url, echo=echo, pool_pre_ping=True)


def register_sqlite_functions(dbapi_connection: Any) -> None:
    """The register's functions on a raw ``sqlite3`` connection: its triggers call them, so a tool that writes
    the tables without SQLAlchemy (the benchmarks' generators) needs them too."""
    # SQLite's own lower() leaves non-ASCII letters alone ("É"); sort keys should fold case as PostgreSQL does
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
    # the search index's words and stems (the FTS5 triggers of search_0003) and the accent-blind title sort key
    dbapi_connection.create_function("microcred_search_forms", 1, json_forms, deterministic=True)
    dbapi_connection.create_function("microcred_fold", 1, _fold, deterministic=True)


def _tune_sqlite(dbapi_connection: Any, _record: object) -> None:
    register_sqlite_functions(dbapi_connection)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _lower(text: object) -> object:
    return text.lower() if isinstance(text, str) else text


def _fold(text: object) -> object:
    return fold(text) if isinstance(text, str) else text


_CLOCK_KEY = "microcred.clock"


def set_clock(connection: Connection, clock: Callable[[], datetime]) -> None:
    """Hand the unit of work's clock to the connection it opened, for the rows' ``created_at``/``updated_at``."""
    connection.info[_CLOCK_KEY] = clock


@overload
def utc(moment: datetime) -> datetime: ...
@overload
def utc(moment: None) -> None: ...
def utc(moment: datetime | None) -> datetime | None:
    """A timestamp as read back from storage, in UTC: SQLite hands timestamps back without a zone (everything
    is stored in UTC), PostgreSQL in the session's zone."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def stamp(connection: Connection) -> datetime:
    """The time to record on a row written through ``connection``: the register's clock (UTC without one)."""
    clock: Callable[[], datetime] | None = connection.info.get(_CLOCK_KEY)
    return clock() if clock is not None else datetime.now(UTC)
