"""Tables of durable jobs and shared rate limits (migration ``jobs_0001``).

They share :data:`microcred.storage.tables.metadata`. A job row is the queue entry, its lease and its
outcome at once, so any process may claim it (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL) and any
process may answer for it (docs/decisions/0020-durable-jobs.md).
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, String, Table, Text

from microcred.storage.tables import metadata

__all__ = ["job_items", "jobs", "rate_buckets"]

jobs = Table(
    "jobs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("owner", String(64)),  # a provider slug, or NULL for the register's operator
    Column("state", String(16), nullable=False),  # queued, running, succeeded, failed
    Column("params", Text, nullable=False),  # JSON: what to do (kind of rows, format, edition, dry run)
    Column("input", LargeBinary),  # the uploaded file, until the job no longer needs it
    Column("done", Integer, nullable=False),
    Column("total", Integer, nullable=False),
    Column("result", Text),  # JSON, without learner identifiers
    Column("error", Text),  # JSON: the reason code and its parameters
    Column("attempts", Integer, nullable=False),
    Column("worker", String(100)),  # who holds the lease
    Column("lease_until", DateTime(timezone=True)),
    Column("heartbeat_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Index("ix_jobs_state_created_at", "state", "created_at"),
)

# What a job made that must be counted once across attempts: the credentials an issuing job issued,
# written in the same transaction as each credential.
job_items = Table(
    "job_items",
    metadata,
    Column("job_id", ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True),
    Column("item", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
)

# A token bucket per limited caller (SHA-256 of "kind:caller"), refilled and spent in one statement.
rate_buckets = Table(
    "rate_buckets",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("updated", Float, nullable=False),  # seconds since the epoch
    Column("granted", Integer, nullable=False),  # the tokens the last take spent (0: refused)
)
