"""The API's view of a background job (``register.jobs``, the one runner of ``services/jobs.py``, runs them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from microcred.services.jobs import Job, JobState

__all__ = ["JobOut"]


class JobOut(BaseModel):
    id: str
    kind: str
    provider: str | None
    state: JobState
    progress: float
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
            created_at=job.created_at,
            finished_at=job.finished_at,
            result=job.result,
            error=job.error,
        )
