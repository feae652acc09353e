"""The snapshot kept between reports, refreshed only when the register changed.

Copying the register into DuckDB takes about half a minute at 10 million enrolments, so the API, the web UI
and the CLI share one copy: a DuckDB file next to an SQLite register (``microcred.db`` gives
``microcred.db.stats-<token hash>.duckdb``; other generations are removed), or, for PostgreSQL, a copy in
memory kept by the process. The copy is taken again when the change token differs: per table the row count,
the highest id and the latest ``updated_at``, read in the caller's transaction before the copy, so a write
that lands in between makes the next token differ and can only cause one copy too many, never a stale one.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import duckdb

from microcred.stats.snapshot import Snapshot, connect, take_snapshot

__all__ = ["cached_snapshot", "change_token", "forget", "snapshot_path", "snapshots_taken"]

_TABLES = ("providers", "offerings", "editions", "enrolments")
_KEEP_IN_MEMORY = 4  # registers whose copies one process keeps (tests open many; a server has one)
_lock = threading.Lock()
_open: OrderedDict[str, tuple[str, duckdb.DuckDBPyConnection]] = OrderedDict()
_taken = [0]  # copies taken by this process


def change_token(connection: Any) -> str:
    """What changes whenever a row the statistics read is added, changed or removed."""
    cursor = connection.connection.cursor()
    try:
        found = []
        for table in _TABLES:
            cursor.execute(f"SELECT COUNT(*), MAX(id), MAX(updated_at) FROM {table}")
            found.append([None if v is None else str(v) for v in cursor.fetchone()])
    finally:
        cursor.close()
    return json.dumps(found)


def snapshot_path(connection: Any) -> Path | None:
    """Where an SQLite register's snapshot file lives (its token hash is added); None keeps it in memory."""
    url = connection.engine.url
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).resolve()


def cached_snapshot(connection: Any, *, path: Path | None = None) -> Snapshot:
    """A snapshot of the register as it is now, reused when nothing changed; close it after use.

    ``path`` is the register's file (``snapshot_path``); the snapshot goes next to it. Without it the
    snapshot is kept in this process's memory, keyed by the database URL.
    """
    token = change_token(connection)
    key = str(path) if path else connection.engine.url.render_as_string(hide_password=True)
    with _lock:
        if key in _open and _open[key][0] == token:
            _open.move_to_end(key)
            return Snapshot(_open[key][1].cursor())
        target = _file(path, token) if path else None
        db = _reopen(target) if target else None
        if db is None:
            db = _take(connection, target, token)
            _taken[0] += 1
        _open[key] = (token, db)
        _open.move_to_end(key)
        while len(_open) > _KEEP_IN_MEMORY:
            _open.popitem(last=False)
        return Snapshot(db.cursor())


def snapshots_taken() -> int:
    """How many times this process has copied a register (to see that unchanged registers are not)."""
    return _taken[0]


def forget() -> None:
    """Drop this process's open snapshots (files stay and are reopened when still current)."""
    with _lock:
        _open.clear()


def _file(register: Path, token: str) -> Path:
    digest = hashlib.sha256(token.encode()).hexdigest()[:16]
    return register.with_name(f"{register.name}.stats-{digest}.duckdb")


def _reopen(target: Path) -> duckdb.DuckDBPyConnection | None:
    if not target.exists():
        return None
    try:
        return connect(target, read_only=True)
    except duckdb.Error:  # removed or half-written by another process: take a new copy
        return None


def _take(connection: Any, target: Path | None, token: str) -> duckdb.DuckDBPyConnection:
    if target is None:
        return take_snapshot(connection, token=token).db
    partial = target.with_name(f"{target.name}.{os.getpid()}-{threading.get_ident()}.partial")
    partial.unlink(missing_ok=True)
    snapshot = take_snapshot(connection, path=partial, token=token)
    snapshot.db.execute("CHECKPOINT")
    snapshot.close()
    os.replace(partial, target)  # readers see a whole file or none
    for old in target.parent.glob(target.name.split(".stats-")[0] + ".stats-*.duckdb"):
        if old != target:
            old.unlink(missing_ok=True)
    return connect(target, read_only=True)
