"""The API's view of a background job (durable, ``services/jobs.py``; any process answers for any job)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from microcred.services.jobs import Job, JobState

__all__ = ["JobOut", "job_location"]


class JobOut(BaseModel):
    id: str
    kind: str
    provider: str | None
    state: JobState
    progress: float
    attempts: int
    created_at: datetime
    finished_at: datetime | None
    result: dict[str, Any]
    error: str | None

    @classmethod
    def of(cls, job: Job) -> JobOut:
        return cls(
            id=job.id,
            kind=job.kind,
            provider=job.owner,
            state=job.state,
            progress=round(job.fraction, 3),
            attempts=job.attempts,
            created_at=job.created_at,
            finished_at=job.finished_at,
            result=job.result,
            error=job.error,
        )


def job_location(job: Job) -> str:
    """Where the job is followed: under its provider, or the operator's jobs."""
    base = f"/api/v1/providers/{job.owner}/jobs" if job.owner else "/api/v1/jobs"
    return f"{base}/{job.id}"
