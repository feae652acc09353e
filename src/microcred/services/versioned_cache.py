"""Answers kept while the data they were made from is unchanged: one version of the data, a bounded number of
answers to it (issue 21, docs/decisions/0041-http-throughput.md).

The caller reads the version in the same unit of work as the data, so an answer is never kept under a version
older than the data it was made from: a write between the two makes the answer newer than its version says,
and the next reader, seeing the new version, makes it again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from threading import Lock
from typing import Generic, TypeVar

__all__ = ["VersionedCache"]

V = TypeVar("V")


class VersionedCache(Generic[V]):
    """Up to ``size`` answers for one version of the data; a new version drops them all; ``size`` 0 keeps none.

    Shared by the threads of one process, so every read and write holds a lock (held for a dictionary step
    only, never while an answer is made)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._version: str | None = None
        self._answers: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = Lock()

    def get(self, version: str, key: Hashable) -> V | None:
        """The answer kept for ``key`` at ``version``, or None (the least recently used goes first when full)."""
        with self._lock:
            if version != self._version:
                return None
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
            return found

    def put(self, version: str, key: Hashable, answer: V) -> None:
        if self.size <= 0:
            return
        with self._lock:
            if version != self._version:
                self._answers.clear()
                self._version = version
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)

    def __len__(self) -> int:
        return len(self._answers)
