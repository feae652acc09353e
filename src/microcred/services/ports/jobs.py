"""The durable job queue and the rate buckets every process shares."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from microcred.domain.records import JobRecord

__all__ = ["JobRecord", "JobRepository", "RateBuckets"]


class JobRepository(Protocol):
    """Durable jobs: any process adds, claims (with a lease), advances and ends them."""

    def add(
        self, job_id: str, *, kind: str, owner: str | None, params: str, content: bytes | None, at: datetime
    ) -> None: ...
    def get(self, job_id: str) -> JobRecord | None: ...
    def input_of(self, job_id: str) -> bytes | None: ...
    def clear_input(self, job_id: str) -> None: ...
    def claim(self, worker: str, *, now: datetime, lease_until: datetime) -> JobRecord | None: ...
    def beat(
        self, job_id: str, attempt: int, *, now: datetime, lease_until: datetime, done: int, total: int
    ) -> bool: ...
    def end(
        self,
        job_id: str,
        attempt: int | None,
        *,
        state: str,
        at: datetime,
        result: str | None = None,
        error: str | None = None,
        keep_input: bool = False,
    ) -> bool: ...
    def add_items(self, job_id: str, items: Sequence[str], *, first_position: int) -> None: ...
    def items(self, job_id: str) -> list[str]: ...
    def count_by_state(self) -> dict[str, int]: ...
    def prune(self, *, finished_before: datetime) -> int: ...


class RateBuckets(Protocol):
    """Token buckets every process shares (``storage/jobs.py``)."""

    def take(self, key: str, *, rate: float, burst: int, now: float, most: int = 1) -> tuple[int, float]: ...
