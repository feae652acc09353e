"""The snapshot kept between reports, refreshed only when the register changed.

Copying the register into DuckDB takes about half a minute at 10 million enrolments, so the API, the web UI
and the CLI share one copy: a DuckDB file next to an SQLite register (``microcred.db`` gives
``microcred.db.stats-<token hash>.duckdb``; other generations are removed), or, for PostgreSQL, a copy in
memory kept by the process. The copy is taken again when the source's change token differs (storage makes
it from per table the row count, the highest id and the latest ``updated_at``). The token is read in the
caller's transaction before the copy, so a write that lands in between makes the next token differ and can
only cause one copy too many, never a stale one.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from pathlib import Path

import duckdb

from microcred.stats.snapshot import Snapshot, connect, take_snapshot
from microcred.stats.source import StatisticsSource

__all__ = ["cached_snapshot", "forget", "snapshot_files", "snapshots_taken"]

_KEEP_IN_MEMORY = 4  # registers whose copies one process keeps (tests open many; a server has one)
_lock = threading.Lock()
_open: OrderedDict[str, tuple[str, duckdb.DuckDBPyConnection]] = OrderedDict()
_taken = [0]  # copies taken by this process


def cached_snapshot(source: StatisticsSource) -> Snapshot:
    """A snapshot of the register as it is now, reused when nothing changed; close it after use.

    With a ``register_file`` the snapshot is a file next to it; without, it is kept in this process's memory,
    keyed by the source's ``register``.
    """
    token = source.change_token()
    path, key = source.register_file, source.register
    with _lock:
        if key in _open and _open[key][0] == token:
            _open.move_to_end(key)
            return Snapshot(_open[key][1].cursor())
        target = _file(path, token) if path else None
        db = _reopen(target) if target else None
        if db is None:
            db = _take(source, target, token)
            _taken[0] += 1
        _open[key] = (token, db)
        _open.move_to_end(key)
        while len(_open) > _KEEP_IN_MEMORY:
            _open.popitem(last=False)
        return Snapshot(db.cursor())


def snapshot_files(source: StatisticsSource) -> list[Path]:
    """The snapshot files kept next to the source's register file (none for a register kept in memory)."""
    register = source.register_file
    return [] if register is None else sorted(register.parent.glob(f"{register.name}.stats-*.duckdb"))


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


def _take(source: StatisticsSource, target: Path | None, token: str) -> duckdb.DuckDBPyConnection:
    if target is None:
        return take_snapshot(source, token=token).db
    partial = target.with_name(f"{target.name}.{os.getpid()}-{threading.get_ident()}.partial")
    partial.unlink(missing_ok=True)
    snapshot = take_snapshot(source, path=partial, token=token)
    snapshot.db.execute("CHECKPOINT")
    snapshot.close()
    os.replace(partial, target)  # readers see a whole file or none
    for old in target.parent.glob(target.name.split(".stats-")[0] + ".stats-*.duckdb"):
        if old != target:
            old.unlink(missing_ok=True)
    return connect(target, read_only=True)
