"""Background jobs (imports, bulk issuing) run in this process, with a resource to follow them.

Jobs live in memory: they are lost on restart and seen only by the worker process that runs them (run
``microcred serve`` with one worker when clients follow jobs, or put a shared queue here later).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from microcred.errors import MicrocredError, NotFound
from microcred.services.ports import Clock

__all__ = ["Job", "JobOut", "JobRunner"]

JobState = Literal["queued", "running", "succeeded", "failed"]
_log = logging.getLogger("microcred.api")
_KEEP = 1000  # finished jobs remembered


@dataclass
class Job:
    id: str
    kind: str
    provider: str | None
    created_at: datetime
    state: JobState = "queued"
    progress: float = 0.0
    finished_at: datetime | None = None
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


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
            provider=job.provider,
            state=job.state,
            progress=round(job.progress, 3),
            created_at=job.created_at,
            finished_at=job.finished_at,
            result=job.result,
            error=job.error,
        )


Work = Callable[[Callable[[float], None]], dict[str, Any]]
"""A job's body: gets a progress callback (0..1), returns its result."""


class JobRunner:
    def __init__(self, clock: Clock, *, workers: int = 2) -> None:
        self._clock = clock
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="microcred-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def submit(self, kind: str, provider: str | None, work: Work) -> Job:
        job = Job(uuid.uuid4().hex, kind, provider, self._clock())
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()
        self._executor.submit(self._run, job, work)
        return job

    def get(self, job_id: str, *, provider: str | None) -> Job:
        """A job of ``provider`` (None: the operator's jobs); another's is not found."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or job.provider != provider:
            raise NotFound(f"no job {job_id!r}")
        return job

    def _run(self, job: Job, work: Work) -> None:
        job.state = "running"

        def progress(fraction: float) -> None:
            job.progress = max(0.0, min(1.0, fraction))

        try:
            job.result = work(progress)
            job.state, job.progress = "succeeded", 1.0
        except MicrocredError as error:
            job.state, job.error = "failed", str(error)
        except Exception as error:  # a job must end in a state, whatever happened
            _log.error("job failed", extra={"event": "job", "error_type": type(error).__name__})
            job.state, job.error = "failed", "the job failed unexpectedly"
        job.finished_at = self._clock()

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.finished_at is not None]
        for old in sorted(finished, key=lambda j: j.created_at)[: max(0, len(finished) - _KEEP)]:
            del self._jobs[old.id]

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)
