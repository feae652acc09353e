"""The natural keys an import has seen, with the row each first appeared on, kept on disk.

A file must not name one record twice; remembering every key in memory made a 2.7-million-row import
grow to half a gigabyte. The keys go to a throw-away SQLite file instead (a B-tree with a small page
cache), so memory stays flat however long the file is. Only digests are kept, never the keys themselves.
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from pathlib import Path
from types import TracebackType

__all__ = ["SeenKeys"]


class SeenKeys:
    """A set of keys, each with the row it was first seen on; close it (or use ``with``) to delete the file."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="microcred-keys-")
        self._db = sqlite3.connect(Path(self._folder.name) / "keys.db", isolation_level=None)
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("CREATE TABLE seen (digest BLOB PRIMARY KEY, first_row INTEGER NOT NULL) WITHOUT ROWID")

    @staticmethod
    def _digest(key: str) -> bytes:
        # surrogatepass: a key is only hashed here, and a lone surrogate must not crash the check of its row
        return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def first_row(self, key: str) -> int | None:
        """The row ``key`` was first seen on, or None."""
        found = self._db.execute("SELECT first_row FROM seen WHERE digest = ?", (self._digest(key),)).fetchone()
        return None if found is None else int(found[0])

    def add(self, key: str, row: int) -> None:
        """Remember ``key`` as seen on ``row`` (the first row stays when it was seen before)."""
        self._db.execute("INSERT OR IGNORE INTO seen VALUES (?, ?)", (self._digest(key), row))

    def close(self) -> None:
        self._db.close()
        self._folder.cleanup()

    def __enter__(self) -> SeenKeys:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
