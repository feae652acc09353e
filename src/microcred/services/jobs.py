"""Background jobs in this process: a small thread pool, each job with a progress fraction to follow.

Used by the web desk and the API to import files and issue an edition's credentials without holding the
request open. Jobs live in memory: they are lost on restart and seen only by the worker process that runs
them (run ``microcred serve`` with one worker when clients follow jobs, or put a shared queue here later).
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

from microcred.errors import MicrocredError, NotFound
from microcred.services.ports import Clock

__all__ = ["Job", "JobRunner", "JobState", "Work"]

JobState = Literal["queued", "running", "succeeded", "failed"]
Work = Callable[[Callable[[int, int], None]], dict[str, Any]]
"""A job's body: gets a progress callback ``(done, total)`` and returns its result."""

_log = logging.getLogger(__name__)
_KEEP = 1000  # finished jobs remembered


@dataclass
class Job:
    id: str
    kind: str
    owner: str | None  # who may look at it: a provider slug, or None for the register's operator
    created_at: datetime
    state: JobState = "queued"
    done: int = 0
    total: int = 0
    finished_at: datetime | None = None
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # why it failed, in English (the API's answer)
    failure: MicrocredError | None = None  # the same as an error, to word it in the reader's language

    @property
    def finished(self) -> bool:
        return self.state in ("succeeded", "failed")

    @property
    def fraction(self) -> float:
        """How far the job is, from 0 to 1."""
        if self.state == "succeeded":
            return 1.0
        return min(1.0, self.done / self.total) if self.total else 0.0

    @property
    def percent(self) -> int:
        return int(100 * self.fraction)


class JobRunner:
    """Runs jobs on a few worker threads and remembers the last thousand."""

    def __init__(self, clock: Clock, *, workers: int = 2) -> None:
        self._clock = clock
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="microcred-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def submit(self, kind: str, owner: str | None, work: Work) -> Job:
        job = Job(uuid.uuid4().hex, kind, owner, self._clock())
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()
        self._executor.submit(self._run, job, work)
        return job

    def get(self, job_id: str, *, owner: str | None) -> Job:
        """A job of ``owner``; anyone else's is not found."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or job.owner != owner:
            raise NotFound("no-job", job=job_id)
        return job

    def _run(self, job: Job, work: Work) -> None:
        job.state = "running"

        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        try:
            job.result = work(progress)
            job.state = "succeeded"
        except MicrocredError as error:
            job.state, job.error, job.failure = "failed", str(error), error
        except Exception as error:  # a job must end in a state, whatever happened
            _log.error("job failed", extra={"event": "job", "kind": job.kind, "error_type": type(error).__name__})
            job.failure = MicrocredError("job-failed-unexpectedly", kind=type(error).__name__)
            job.state, job.error = "failed", str(job.failure)
        job.finished_at = self._clock()

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.finished_at is not None]
        for old in sorted(finished, key=lambda j: j.created_at)[: max(0, len(finished) - _KEEP)]:
            del self._jobs[old.id]

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)
