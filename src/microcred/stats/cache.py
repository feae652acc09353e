"""The snapshot kept between reports, brought up to date with only what changed.

Copying the register into DuckDB takes a minute at 10 million enrolments, so the API, the web UI and the CLI
share one copy: a DuckDB file next to an SQLite register (``microcred.db`` gives
``microcred.db.stats-<token hash>.duckdb``; other generations are removed), or, for PostgreSQL, a copy in
memory kept by the process. The source's change token (the register's statistics generation, one row) says
whether the copy is current; when it is not, the rows changed since the copy's own token are applied to it
(``stats.refresh``), and only when the source cannot tell what changed, or the refresh declines, is the
register copied in full (decision 0038). A file is refreshed in a copy that replaces it whole, so another
process reading the old file never sees half a refresh; a copy in memory is refreshed in one DuckDB
transaction, and each report reads in a transaction of its own.

The token is read in the caller's transaction before the changed rows, so a write that lands in between
makes the next token differ and can only cause one refresh too many, never a stale one: applying a change
twice gives the same snapshot.

A refreshed file is written without ``fsync`` (DuckDB's ``fsync_mode = NONE``, set on that file's database only):
the file is derived data, and syncing it flushed the whole copied file to disk (on ``/dev/shm`` the commit of a
100,000-row refresh at 10 million enrolments took 0.23 s against 0.62 s on disk; unsynced on disk 0.21-0.38 s
against 0.28-0.77 s synced, alternating runs at load 5). The copy
records the boot it was written in (``stat_meta.unsynced_boot``, from Linux's ``boot_id``); a process that finds
such a file from another boot (the machine may have stopped before the kernel wrote it out) reads every block of
it once, which makes DuckDB check each block's checksum, and drops the file when any is unreadable. Full copies
and systems without a boot id are synced as before.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import threading
from collections import OrderedDict
from pathlib import Path

import duckdb

from microcred.stats.load import MEMORY_LIMIT, take_snapshot
from microcred.stats.refresh import refresh_snapshot
from microcred.stats.snapshot import Snapshot, connect
from microcred.stats.source import StatisticsSource

__all__ = ["cached_snapshot", "forget", "snapshot_files", "snapshots_refreshed", "snapshots_taken"]

_KEEP_IN_MEMORY = 4  # registers whose copies one process keeps (tests open many; a server has one)
_lock = threading.Lock()
_open: OrderedDict[str, tuple[str, duckdb.DuckDBPyConnection]] = OrderedDict()
_taken = [0, 0]  # full copies and refreshes made by this process
_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")
_log = logging.getLogger(__name__)


def cached_snapshot(source: StatisticsSource) -> Snapshot:
    """A snapshot of the register as it is now, reused when nothing changed; close it after use.

    With a ``register_file`` the snapshot is a file next to it; without, it is kept in this process's memory,
    keyed by the source's ``register``.
    """
    token = source.change_token()
    path, key = source.register_file, source.register
    with _lock:
        kept = _open.get(key)
        if kept is not None and kept[0] == token:
            _open.move_to_end(key)
            return _reader(kept[1])
        if path is not None:
            target = _file(path, token)
            db = _reopen(target) or _refresh_file(source, path, target, token) or _take(source, target, token)
        else:
            db = _refresh_memory(source, kept, token) or _take(source, None, token)
        _open[key] = (token, db)
        _open.move_to_end(key)
        while len(_open) > _KEEP_IN_MEMORY:
            _open.popitem(last=False)
        return _reader(db)


def snapshot_files(source: StatisticsSource) -> list[Path]:
    """The snapshot files kept next to the source's register file (none for a register kept in memory)."""
    register = source.register_file
    return [] if register is None else _files(register)


def snapshots_taken() -> int:
    """How many times this process has copied a register in full (to see that unchanged registers are not)."""
    return _taken[0]


def snapshots_refreshed() -> int:
    """How many times this process has brought a kept snapshot up to date with only what changed."""
    return _taken[1]


def forget() -> None:
    """Drop this process's open snapshots (files stay and are reopened, or refreshed, when next asked for)."""
    with _lock:
        _open.clear()


def _reader(db: duckdb.DuckDBPyConnection) -> Snapshot:
    """A snapshot on its own connection and transaction: a refresh of a copy in memory is not seen half-way."""
    cursor = db.cursor()
    cursor.begin()
    return Snapshot(cursor)


def _files(register: Path) -> list[Path]:
    return sorted(register.parent.glob(f"{register.name}.stats-*.duckdb"))


def _file(register: Path, token: str) -> Path:
    digest = hashlib.sha256(token.encode()).hexdigest()[:16]
    return register.with_name(f"{register.name}.stats-{digest}.duckdb")


def _partial(target: Path) -> Path:
    partial = target.with_name(f"{target.name}.{os.getpid()}-{threading.get_ident()}.partial")
    partial.unlink(missing_ok=True)
    return partial


def _reopen(target: Path) -> duckdb.DuckDBPyConnection | None:
    if not target.exists():
        return None
    try:
        db = connect(target, read_only=True)
    except duckdb.Error:  # removed or half-written by another process: take a new copy
        return None
    if _whole(db):
        return db
    db.close()
    target.unlink(missing_ok=True)
    return None


def _token_of(snapshot: Path) -> str | None:
    """The token a snapshot file was taken or refreshed at; None when it cannot be read."""
    try:
        db = connect(snapshot, read_only=True)
    except duckdb.Error:
        return None
    try:
        rows = db.execute("SELECT token FROM stat_meta").fetchall() if _whole(db) else []
    except duckdb.Error:
        return None
    finally:
        db.close()
    return str(rows[0][0]) if rows else None


def _boot() -> str | None:
    """This machine's boot (Linux's random boot id); None where the system does not tell."""
    try:
        return _BOOT_ID.read_text(encoding="ascii").strip() or None
    except OSError:
        return None


def _whole(db: duckdb.DuckDBPyConnection) -> bool:
    """Whether every block of a snapshot can be trusted: synced when written, written in this boot, or read whole
    now (DuckDB checks each block's checksum as it reads it) without an error."""
    try:
        meta = db.execute("SELECT * FROM stat_meta")
        names = [column[0] for column in meta.description or ()]
        written = dict(zip(names, meta.fetchone() or (), strict=False)).get("unsynced_boot")
        if written is None or written == _boot():
            return True
        tables = [
            str(name).replace('"', '""') for (name,) in db.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        ]
        for table in tables:
            db.execute(f'SELECT bit_xor(hash(t)) FROM "{table}" AS t').fetchall()
    except duckdb.Error:
        return False
    return True


def _refresh_file(
    source: StatisticsSource, register: Path, target: Path, token: str
) -> duckdb.DuckDBPyConnection | None:
    """Refresh a copy of the newest kept file into ``target``; None when there is none or it cannot be."""
    kept = [path for path in _files(register) if path != target]
    base = max(kept, key=lambda path: path.stat().st_mtime, default=None)
    known = None if base is None else _token_of(base)
    changes = None if known is None else source.changes_since(known)
    if base is None or changes is None:
        return None
    partial = _partial(target)
    try:
        shutil.copyfile(base, partial)
        db = connect(partial)
        db.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        boot = _boot()
        if boot is not None:  # unsynced, and marked so (see the module's docstring)
            db.execute("SET fsync_mode = 'NONE'")
            db.execute("ALTER TABLE stat_meta ADD COLUMN IF NOT EXISTS unsynced_boot VARCHAR")
            db.execute("UPDATE stat_meta SET unsynced_boot = $boot", {"boot": boot})
        try:
            done = refresh_snapshot(db, changes, token)
            if done:
                db.execute("CHECKPOINT")
        finally:
            db.close()
    except (OSError, duckdb.Error) as error:  # the base was replaced meanwhile, is not a snapshot, or the refresh
        # failed (DuckDB out of memory, say): copy in full, and say so, since it turns a second into a minute
        _log.warning(
            "statistics snapshot not refreshed; copying the register in full",
            extra={"event": "statistics", "error_type": type(error).__name__},
        )
        done = False
    if not done:
        partial.unlink(missing_ok=True)
        return None
    _taken[1] += 1
    return _publish(partial, target)


def _refresh_memory(
    source: StatisticsSource, kept: tuple[str, duckdb.DuckDBPyConnection] | None, token: str
) -> duckdb.DuckDBPyConnection | None:
    changes = None if kept is None else source.changes_since(kept[0])
    if kept is None or changes is None or not refresh_snapshot(kept[1], changes, token):
        return None
    _taken[1] += 1
    return kept[1]


def _take(source: StatisticsSource, target: Path | None, token: str) -> duckdb.DuckDBPyConnection:
    _taken[0] += 1
    if target is None:
        return take_snapshot(source, token=token).db
    partial = _partial(target)
    try:
        snapshot = take_snapshot(source, path=partial, token=token)
        snapshot.db.execute("CHECKPOINT")
        snapshot.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return _publish(partial, target)


def _publish(partial: Path, target: Path) -> duckdb.DuckDBPyConnection:
    """Put a finished snapshot file in place (readers see a whole file or none) and remove older ones."""
    os.replace(partial, target)
    for old in target.parent.glob(target.name.split(".stats-")[0] + ".stats-*.duckdb"):
        if old != target:
            old.unlink(missing_ok=True)
    return connect(target, read_only=True)
