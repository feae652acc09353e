"""The natural keys an import has seen, with the row each first appeared on, in constant memory.

A file must not name one record twice; remembering every key in a Python set made a 2.7-million-row
import grow to half a gigabyte. Here a fixed 8 MiB Bloom filter answers "certainly not seen" for nearly
every new key without touching disk, and the keys themselves (16-byte digests, never the keys) go in
batches to throw-away files, which are asked only when the filter says "maybe". Memory stays flat
however long the file is; a file that repeats no key pays one hash per row.

Each batch is one sorted run in a file (numpy arrays), not rows in an SQLite table: a run is
written in one go and never rewritten, where inserting each batch into one growing B-tree cost 4-7 s of
CPU per million keys (plus 2 s to sort the batch in Python) on the 2-core development machine, the largest
single cost of an unchanged re-import (decision 0037, addendum). The price is one binary search per run for
each "maybe": ten runs at a million keys, 25 µs a look-up, as the SQLite table took (measured alike); it
grows with the runs (fifty at five million keys, where 0.5 % of new keys are "maybe"s), not with the pages.
"""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["SeenKeys"]

_FILTER_BITS = 1 << 26  # 8 MiB: with four probes, 0.001 % false "maybe"s at 1 million keys, 0.5 % at 5 million
_MASK = _FILTER_BITS - 1
_BATCH = 100_000  # digests held before they go to disk together (about 12 MB at most)
_PROBES = struct.Struct("<4I")  # four filter bits from a digest's first 16 bytes (two probes gave 2 % at 5 M)
_HALVES = struct.Struct(">2Q")  # a digest as two big-endian halves: their order is the bytes' order
_FENCE = 512  # one first half in memory per 512 on disk: 1.6 kB a run; a look-up reads 8 kB of a run


class SeenKeys:
    """A set of keys, each with the row it was first seen on; close it (or use ``with``) to delete its files."""

    def __init__(self) -> None:
        self._filter = bytearray(_FILTER_BITS // 8)
        self._pending: dict[bytes, int] = {}
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._runs: list[tuple[Any, int, int]] = []  # (its fence, its offset in the file, its size)
        self._file = -1
        self._end = 0
        self._last: tuple[str, bytes, tuple[int, ...]] | None = None

    def _located(self, key: str) -> tuple[bytes, tuple[int, ...]]:
        """The key's digest and filter bits; the last key is remembered, as ``add`` follows ``first_row``."""
        if self._last is not None and self._last[0] == key:
            return self._last[1:]
        # surrogatepass: a key is only hashed here, and a lone surrogate must not crash the check of its row
        digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        self._last = (key, digest, tuple(probe & _MASK for probe in _PROBES.unpack(digest)))
        return self._last[1:]

    def first_row(self, key: str) -> int | None:
        """The row ``key`` was first seen on, or None."""
        digest, probes = self._located(key)
        bits = self._filter
        if not all(bits[probe >> 3] >> (probe & 7) & 1 for probe in probes):
            return None  # certainly not seen: the common case, answered without disk
        if digest in self._pending:
            return self._pending[digest]
        if not self._runs:
            return None
        import numpy as np

        # numpy scalars, not Python ints: a search for a Python int converts the whole run first (130 µs, not 1)
        high, low = (np.uint64(half) for half in _HALVES.unpack(digest))
        for run in self._runs:
            found = self._row_in(run, high, low)
            if found is not None:
                return found
        return None

    def _row_in(self, run: tuple[Any, int, int], high: Any, low: Any) -> int | None:
        """The row of the digest (``high``, ``low``) in one run, or None: its fence says which stretch of first
        halves to read from the file (read, not memory-mapped, so the pages stay out of the process's memory)."""
        import numpy as np

        fence, offset, size = run
        start = max(int(fence.searchsorted(high)) - 1, 0) * _FENCE  # the first equal half is after fence[i - 1]
        while start < size:
            count = min(2 * _FENCE, size - start)
            highs = np.frombuffer(os.pread(self._file, count * 8, offset + start * 8), dtype="<u8")
            at = int(highs.searchsorted(high))
            while at < count and highs[at] == high:
                where = offset + (size + start + at) * 8
                if np.frombuffer(os.pread(self._file, 8, where), dtype="<u8")[0] == low:
                    return int(np.frombuffer(os.pread(self._file, 8, where + size * 8), dtype="<i8")[0])
                at += 1
            if at < count:
                return None
            start += count
        return None

    def add(self, key: str, row: int) -> None:
        """Remember ``key`` as seen on ``row`` (callers add a key only after ``first_row`` found none)."""
        digest, probes = self._located(key)
        bits = self._filter
        for probe in probes:
            bits[probe >> 3] |= 1 << (probe & 7)
        self._pending.setdefault(digest, row)
        if len(self._pending) >= _BATCH:
            self._flush()

    def add_new(self, keys: Sequence[str], rows: Sequence[int]) -> list[int | None]:
        """Add each key not seen before (on its row), in order; for a key seen before, the row it was first seen on.

        The same as ``first_row`` then ``add`` for each key in turn, but the filter is asked for all keys at
        once: a key the filter has certainly not seen, and that is not repeated among ``keys``, is added
        without a Python step of its own; only the rest (filter "maybe"s, repeats) go one by one.
        """
        import numpy as np

        digests = [hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).digest() for key in keys]
        probes = np.frombuffer(b"".join(digests), dtype="<u4").reshape(-1, 4) & _MASK
        bits = np.frombuffer(self._filter, dtype=np.uint8)
        maybe = ((bits[probes >> 3] >> (probes & 7).astype(np.uint8)) & 1).all(axis=1)
        first_index: dict[bytes, int] = {}
        one_by_one = set(np.flatnonzero(maybe).tolist())
        for index, digest in enumerate(digests):
            if first_index.setdefault(digest, index) != index:
                one_by_one.update((first_index[digest], index))
        fresh = np.array([index not in one_by_one for index in range(len(keys))], dtype=bool)
        chosen = probes[fresh]
        for probe in chosen.T:
            np.bitwise_or.at(bits, probe >> 3, np.left_shift(1, probe & 7).astype(np.uint8))
        self._pending.update((digests[index], rows[index]) for index in np.flatnonzero(fresh).tolist())
        found: list[int | None] = [None] * len(keys)
        for index in sorted(one_by_one):
            found[index] = self.first_row(keys[index])
            if found[index] is None:
                self.add(keys[index], rows[index])
        if len(self._pending) >= _BATCH:
            self._flush()
        return found

    def _flush(self) -> None:
        """Append the pending digests to the file as one more sorted run (first halves, second halves, rows),
        keep every ``_FENCE``-th first half in memory, and forget them."""
        import numpy as np

        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="microcred-keys-")
            self._file = os.open(Path(self._folder.name) / "runs", os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        halves = np.frombuffer(b"".join(self._pending), dtype=">u8").reshape(-1, 2).astype("<u8")
        rows = np.fromiter(self._pending.values(), dtype="<i8", count=len(self._pending))
        order = np.lexsort((halves[:, 1], halves[:, 0]))
        highs = np.ascontiguousarray(halves[order, 0])
        data = highs.tobytes() + np.ascontiguousarray(halves[order, 1]).tobytes() + rows[order].tobytes()
        os.pwrite(self._file, data, self._end)
        self._runs.append((highs[::_FENCE].copy(), self._end, len(highs)))
        self._end += len(data)
        self._pending.clear()

    def close(self) -> None:
        self._runs.clear()
        if self._file >= 0:
            os.close(self._file)
            self._file = -1
        if self._folder is not None:
            self._folder.cleanup()

    def __enter__(self) -> SeenKeys:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
