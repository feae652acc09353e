"""Durable jobs and shared rate-limit buckets in the database, so every process sees and serves the same.

A job is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite has one writer and ignores
the clause) followed by an update that only succeeds while the row is still claimable, so two workers
never hold one job. Every later write of a worker names the attempt it holds: once a lease has expired and
another worker took the job over, the first one's writes change nothing (docs/decisions/0020-durable-jobs.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Integer, and_, case, cast, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from microcred.domain.records import JobRecord
from microcred.storage.engine import utc
from microcred.storage.job_tables import job_items, jobs, rate_buckets

__all__ = ["SqlJobRepository", "SqlRateBuckets"]


_COLUMNS = (
    jobs.c.id,
    jobs.c.kind,
    jobs.c.owner,
    jobs.c.state,
    jobs.c.params,
    jobs.c.done,
    jobs.c.total,
    jobs.c.result,
    jobs.c.error,
    jobs.c.attempts,
    jobs.c.created_at,
    jobs.c.finished_at,
    jobs.c.input.is_not(None).label("has_input"),
)


def _row(found: Any) -> JobRecord:
    created = utc(found.created_at)
    assert created is not None
    return JobRecord(
        found.id,
        found.kind,
        found.owner,
        found.state,
        found.params,
        int(found.done),
        int(found.total),
        found.result,
        found.error,
        int(found.attempts),
        created,
        utc(found.finished_at),
        bool(found.has_input),
    )


class SqlJobRepository:
    """The ``jobs`` table: the queue, each job's lease and its outcome."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(
        self, job_id: str, *, kind: str, owner: str | None, params: str, content: bytes | None, at: datetime
    ) -> None:
        self._connection.execute(
            insert(jobs).values(
                id=job_id,
                kind=kind,
                owner=owner,
                state="queued",
                params=params,
                input=content,
                done=0,
                total=0,
                attempts=0,
                created_at=at,
            )
        )

    def get(self, job_id: str) -> JobRecord | None:
        found = self._connection.execute(select(*_COLUMNS).where(jobs.c.id == job_id)).first()
        return None if found is None else _row(found)

    def input_of(self, job_id: str) -> bytes | None:
        content: bytes | None = self._connection.execute(select(jobs.c.input).where(jobs.c.id == job_id)).scalar()
        return content

    def clear_input(self, job_id: str) -> None:
        self._connection.execute(update(jobs).where(jobs.c.id == job_id).values(input=None))

    def claim(self, worker: str, *, now: datetime, lease_until: datetime) -> JobRecord | None:
        """The oldest queued job, or one whose worker's lease ran out, now held by ``worker``; None if none."""
        claimable = or_(jobs.c.state == "queued", and_(jobs.c.state == "running", jobs.c.lease_until < now))
        candidate = self._connection.execute(
            select(jobs.c.id, jobs.c.attempts)
            .where(claimable)
            .order_by(jobs.c.created_at, jobs.c.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if candidate is None:
            return None
        taken = self._connection.execute(
            update(jobs)
            .where(jobs.c.id == candidate.id, jobs.c.attempts == candidate.attempts, claimable)
            .values(
                state="running",
                attempts=candidate.attempts + 1,
                worker=worker,
                lease_until=lease_until,
                heartbeat_at=now,
                started_at=func.coalesce(jobs.c.started_at, now),
            )
        )
        return self.get(candidate.id) if taken.rowcount == 1 else None

    def _held(self, job_id: str, attempt: int) -> Any:
        return and_(jobs.c.id == job_id, jobs.c.attempts == attempt, jobs.c.state == "running")

    def beat(self, job_id: str, attempt: int, *, now: datetime, lease_until: datetime, done: int, total: int) -> bool:
        """Extend the lease and record progress; False when this attempt no longer holds the job."""
        changed = self._connection.execute(
            update(jobs)
            .where(self._held(job_id, attempt))
            .values(lease_until=lease_until, heartbeat_at=now, done=done, total=total)
        )
        return changed.rowcount == 1

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
    ) -> bool:
        """Record the outcome; False when ``attempt`` no longer holds the job (None: whoever holds it)."""
        held = self._held(job_id, attempt) if attempt is not None else jobs.c.id == job_id
        values: dict[str, Any] = {"state": state, "result": result, "error": error, "finished_at": at}
        values.update(lease_until=None, worker=None)
        if not keep_input:
            values["input"] = None
        if state == "succeeded":
            values["done"] = jobs.c.total
        return self._connection.execute(update(jobs).where(held).values(**values)).rowcount == 1

    def add_items(self, job_id: str, items: Sequence[str], *, first_position: int) -> None:
        """Record what one step of the job made (a batch of credential ids), numbered from ``first_position``."""
        rows = [
            {"job_id": job_id, "item": item, "position": position}
            for position, item in enumerate(items, start=first_position)
        ]
        if rows:
            self._connection.execute(insert(job_items), rows)

    def items(self, job_id: str) -> list[str]:
        query = (
            select(job_items.c.item)
            .where(job_items.c.job_id == job_id)
            .order_by(job_items.c.position, job_items.c.item)
        )
        return list(self._connection.execute(query).scalars())

    def count_by_state(self) -> dict[str, int]:
        rows = self._connection.execute(select(jobs.c.state, func.count()).group_by(jobs.c.state))
        return {state: int(count) for state, count in rows}

    def prune(self, *, finished_before: datetime) -> int:
        """Forget finished jobs (and their items) that ended before the given moment."""
        old = select(jobs.c.id).where(jobs.c.finished_at < finished_before)
        self._connection.execute(delete(job_items).where(job_items.c.job_id.in_(old)))
        return self._connection.execute(delete(jobs).where(jobs.c.finished_at < finished_before)).rowcount


class SqlRateBuckets:
    """Token buckets shared by every process: refilled and spent in one atomic upsert per request (or per lease
    of several tokens, ``services/limits.py``)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def take(self, key: str, *, rate: float, burst: int, now: float, most: int = 1) -> tuple[int, float]:
        """Spend up to ``most`` whole tokens of ``key``'s bucket, as many as it holds: (tokens spent, tokens
        left). None spent when it holds less than one; ``granted`` keeps the number spent by the last take."""
        postgres = self._connection.dialect.name == "postgresql"
        least, greatest = (func.least, func.greatest) if postgres else (func.min, func.max)
        row = rate_buckets.c
        refilled = least(float(burst), row.tokens + greatest(0.0, now - row.updated) * rate)
        whole = func.floor(refilled) if postgres else cast(refilled, Integer)  # refilled >= 0: truncation floors
        spent = case((refilled >= float(most), most), (refilled >= 1.0, cast(whole, Integer)), else_=0)
        first = min(most, burst)
        initial = (postgresql.insert if postgres else sqlite.insert)(rate_buckets).values(
            key=key, tokens=float(burst - first), updated=now, granted=first
        )
        statement = initial.on_conflict_do_update(
            index_elements=[row.key],
            set_={"tokens": refilled - spent, "updated": greatest(now, row.updated), "granted": spent},
        ).returning(row.tokens, row.granted)
        tokens, granted = self._connection.execute(statement).one()
        return int(granted), float(tokens)
