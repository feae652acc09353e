"""Running durable jobs: claim one, hold its lease with heartbeats, run it, record its outcome exactly once.

A worker claims the oldest queued job, or one whose worker stopped heartbeating (its lease ran out), and
resumes it: an import is one transaction, so an interrupted one stored nothing and runs again; issuing
is idempotent per enrolment, so it issues what is still missing. What makes the outcome exactly-once is
that it is written in the same transaction as the work, and only while this attempt still holds the job:
the import's rows commit together with the job's result, and each batch of issued credentials with its
job items (docs/decisions/0020-durable-jobs.md, 0025). After ``MAX_ATTEMPTS`` interrupted runs a job ends as failed.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import tempfile
import threading
import uuid
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from microcred.errors import MicrocredError
from microcred.services.dependencies import Dependencies
from microcred.services.imports import ImportReport, import_file
from microcred.services.issuance import issue_for_edition
from microcred.services.jobs import EVALUATE_KIND, IMPORT_KINDS, ISSUE_KIND, OFFER_MAIL_KIND, STACK_KIND
from microcred.services.ports import JobRecord, UnitOfWork

__all__ = ["JOBS_KEPT_FOR", "MAX_ATTEMPTS", "JobWorker", "import_result"]

MAX_ATTEMPTS = 3
JOBS_KEPT_FOR = timedelta(days=7)
"""Finished jobs are answered for this long, then forgotten (with any file a dry run kept)."""
_PRUNE_EVERY = 600.0  # seconds between two clean-ups by one worker

_log = logging.getLogger(__name__)


class _LeaseLost(Exception):
    """Another worker took the job over (this one stalled past its lease): stop without writing."""


def import_result(report: ImportReport) -> dict[str, Any]:
    """A job's result for an import: counts, the sheet read, and every listed problem and warning by row,
    column and reason code.

    Enrolment files carry learner identifiers, so their problems are stored without the cell's value;
    in the other files a value is a code, a date or a number, shown to help fix the row. A warning's value
    read is a date, code or number, never a learner identifier."""
    with_values = report.kind != "enrolments"
    problems = [
        {
            "row": p.row,
            "column": p.column,
            "value": p.value if with_values else None,
            "code": p.code,
            "params": {k: str(v) for k, v in p.params.items()},
            "reason": p.reason("en"),
        }
        for p in report.problems
    ]
    warnings = [
        {
            "row": w.row,
            "column": w.column,
            "read": w.read,
            "stored": w.stored,
            "code": w.code,
            "params": {k: str(v) for k, v in w.params.items()},
            "reason": w.reason("en"),
        }
        for w in report.warnings
    ]
    counts = ("rows", "valid", "created", "updated", "unchanged", "rejected", "unlisted_problems", "unlisted_warnings")
    shown = {"kind": report.kind, "dry_run": report.dry_run, "ok": report.ok, "committed": report.committed}
    sheets = {"sheet": report.sheet, "other_sheets": list(report.other_sheets)}
    return {
        **shown,
        **sheets,
        **{name: getattr(report, name) for name in counts},
        "problems": problems,
        "warnings": warnings,
    }


def _error_json(error: MicrocredError) -> str:
    problems = [
        {
            "field": p.field,
            "code": p.code,
            "value": None if p.value is None else str(p.value),
            "row": p.row,
            "params": {k: str(v) for k, v in p.params.items()},
        }
        for p in error.problems
    ]
    return json.dumps(
        {"reason": error.reason, "params": {k: str(v) for k, v in error.params.items()}, "problems": problems}
    )


class _Lease:
    """This worker's hold on one job: progress kept in memory and written with each heartbeat."""

    def __init__(self, worker: JobWorker, job: JobRecord) -> None:
        self.job = job
        self.attempt = job.attempts
        self.done, self.total = job.done, job.total
        self._worker = worker
        self._stop = threading.Event()
        self._beating = threading.Thread(target=self._beat_until_stopped, name=f"job-beat-{job.id[:8]}", daemon=True)

    def __enter__(self) -> _Lease:
        self._beating.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._beating.join()

    def progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    def hold(self, work: UnitOfWork) -> None:
        """In ``work``'s transaction: renew the lease, or raise when another worker holds the job now."""
        if not work.jobs.beat(
            self.job.id, self.attempt, **self._worker.lease_times(), done=self.done, total=self.total
        ):
            raise _LeaseLost()

    def _beat_until_stopped(self) -> None:
        while not self._stop.wait(self._worker.lease_seconds / 3):
            try:
                with self._worker.deps.uow() as work:
                    held = work.jobs.beat(
                        self.job.id, self.attempt, **self._worker.lease_times(), done=self.done, total=self.total
                    )
                    work.commit()
            except Exception as error:  # the next beat tries again; the lease outlives two missed beats
                _log.warning("job heartbeat failed", extra={"event": "job", "error_type": type(error).__name__})
                continue
            if not held:
                return

    def end(
        self, state: str, *, result: dict[str, Any] | None = None, error: str | None = None, keep_input: bool = False
    ) -> None:
        deps = self._worker.deps
        with deps.uow() as work:
            ended = work.jobs.end(
                self.job.id,
                self.attempt,
                state=state,
                at=deps.clock(),
                keep_input=keep_input,
                result=None if result is None else json.dumps(result),
                error=error,
            )
            if not ended:
                raise _LeaseLost()
            work.commit()


class JobWorker:
    """Claims and runs jobs, one at a time, in a thread of this process or as ``microcred worker``."""

    def __init__(self, deps: Dependencies, *, poll_seconds: float = 1.0) -> None:
        self.deps = deps
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"[:100]
        self.lease_seconds = float(deps.settings.job_lease_seconds)
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_prune = 0.0
        self.jobs_run = 0

    def lease_times(self) -> dict[str, Any]:
        now = self.deps.clock()
        return {"now": now, "lease_until": now + timedelta(seconds=self.lease_seconds)}

    def run_once(self) -> bool:
        """Claim one job and run it to its end; False when there was nothing to do."""
        with self.deps.uow() as work:
            claimed = work.jobs.claim(self.name, **self.lease_times())
            work.commit()
        if claimed is None:
            return False
        _log.info("job claimed", extra={"event": "job", "kind": claimed.kind, "attempt": claimed.attempts})
        with _Lease(self, claimed) as lease:
            try:
                self._run(lease)
            except _LeaseLost:
                _log.warning("job taken over by another worker", extra={"event": "job", "kind": claimed.kind})
        return True

    def _run(self, lease: _Lease) -> None:
        job = lease.job
        if job.attempts > MAX_ATTEMPTS:
            lease.end("failed", error=_error_json(MicrocredError("job-interrupted", attempts=job.attempts - 1)))
            return
        try:
            if job.kind == ISSUE_KIND:
                self._issue(lease)
            elif job.kind == STACK_KIND:
                self._issue_stacked(lease)
            elif job.kind == OFFER_MAIL_KIND:
                self._mail_offers(lease)
            elif job.kind == EVALUATE_KIND:
                self._evaluate_stacks(lease)
            elif job.kind.removeprefix("import-") in IMPORT_KINDS:
                self._import(lease)
            else:
                lease.end("failed", error=_error_json(MicrocredError("job-kind-unknown", kind=job.kind)))
        except MicrocredError as error:
            lease.end("failed", error=_error_json(error))
        except _LeaseLost:
            raise
        except Exception as error:  # a job must end in a state, whatever happened
            _log.error("job failed", extra={"event": "job", "kind": job.kind, "error_type": type(error).__name__})
            lease.end("failed", error=_error_json(MicrocredError("job-failed-unexpectedly", kind=type(error).__name__)))

    def _import(self, lease: _Lease) -> None:
        job, deps = lease.job, self.deps
        params = json.loads(job.params)
        with deps.uow() as work:
            content = work.jobs.input_of(job.id) or b""

        def finish_with_rows(work: UnitOfWork, report: ImportReport) -> None:
            # In the import's own transaction: the rows and the job's result commit together or not at all.
            lease.hold(work)
            ended = work.jobs.end(
                job.id, lease.attempt, state="succeeded", at=deps.clock(), result=json.dumps(import_result(report))
            )
            if not ended:
                raise _LeaseLost()

        with tempfile.TemporaryDirectory(prefix="microcred-job-") as folder:
            path = Path(folder) / (Path(str(params.get("name") or "upload.csv")).name or "upload.csv")
            path.write_bytes(content)
            report = import_file(
                params["kind"],
                path,
                deps.uow,
                pepper=deps.pepper,
                max_bytes=deps.settings.max_upload_bytes,
                today=deps.clock().date(),
                provider=job.owner,
                fmt=params.get("format"),
                dry_run=bool(params.get("dry_run")),
                progress=lambda fraction: lease.progress(round(fraction * 1000), 1000),
                before_commit=finish_with_rows,
            )
        if not report.committed:  # a dry run or a refused file stored nothing: its result alone is the outcome
            lease.end("succeeded", result=import_result(report), keep_input=report.dry_run and report.ok)

    def _issue(self, lease: _Lease) -> None:
        job, deps = lease.job, self.deps
        edition = json.loads(job.params)["edition"]
        with deps.uow() as work:
            before = len(work.jobs.items(job.id))
        position = before

        def record(work: UnitOfWork, credential_ids: Sequence[str]) -> None:
            nonlocal position
            lease.hold(work)  # in the batch's own transaction: issued and counted once, by this attempt
            work.jobs.add_items(job.id, credential_ids, first_position=position)
            position += len(credential_ids)

        issue_for_edition(
            job.owner or "",
            edition,
            uow=deps.uow,
            keys=deps.keys,
            settings=deps.settings,
            clock=deps.clock,
            progress=lambda done, total: lease.progress(before + done, before + total),
            within=record,
        )
        with deps.uow() as work:
            issued = work.jobs.items(job.id)
        lease.end("succeeded", result={"edition": edition, "issued": len(issued), "credentials": issued})

    def _issue_stacked(self, lease: _Lease) -> None:
        """A rule's stacked credentials: one transaction per learner, each issued once (a learner who already
        holds it is returned, not issued again), so a job resumed after a crash ends with the same result."""
        from microcred.services.stacking import Stacking  # only this kind of job needs it

        job = lease.job
        rule = json.loads(job.params)["rule"]
        issued = Stacking(self.deps).issue_all(job.owner or "", rule, progress=lease.progress)
        lease.end("succeeded", result={"rule": rule, "issued": len(issued), "credentials": issued})

    def _mail_offers(self, lease: _Lease) -> None:
        """Offers by e-mail, one transaction per learner that also records the job's item: a job resumed after
        a crash skips whom it mailed already, even when staff asked to send again."""
        from microcred.services.offer_mailing import mail_offers  # only this kind of job needs it

        job = lease.job
        params = json.loads(job.params)
        with self.deps.uow() as work:
            done = work.jobs.items(job.id)

        def record(work: UnitOfWork, credential: str) -> None:
            lease.hold(work)
            work.jobs.add_items(job.id, [credential], first_position=len(done) + lease.done)

        result = mail_offers(
            self.deps,
            job.owner or "",
            params["edition"],
            again=bool(params.get("again")),
            pending=bool(params.get("pending")),
            done_before=frozenset(done),
            progress=lease.progress,
            within=record,
        )
        lease.end("succeeded", result=result)

    def _evaluate_stacks(self, lease: _Lease) -> None:
        """Every rule for every learner: it writes nothing but its result, so a resumed job starts over."""
        from microcred.services.stacking_bulk import evaluate_all  # only this kind of job needs it

        looked, tallies = evaluate_all(self.deps, provider=lease.job.owner, progress=lease.progress)
        lease.end("succeeded", result={"learners": looked, "rules": [tally.as_dict() for tally in tallies]})

    def prune(self) -> None:
        """Forget jobs finished longer than :data:`JOBS_KEPT_FOR` ago."""
        with self.deps.uow() as work:
            work.jobs.prune(finished_before=self.deps.clock() - JOBS_KEPT_FOR)
            work.commit()

    # --- running in the background ------------------------------------------------------------------

    def run(self, *, until_idle: bool = False) -> None:
        """Run jobs until :meth:`stop` (or, with ``until_idle``, until none is left), polling when idle."""
        while not self._stop.is_set():
            try:
                if self._should_prune():
                    self.prune()
                ran = self.run_once()
                self.jobs_run += ran
            except Exception as error:  # the database away for a moment: wait, then try again
                _log.error("job worker error", extra={"event": "job", "error_type": type(error).__name__})
                ran = False
            if not ran and until_idle:
                return
            if not ran:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()

    def _should_prune(self) -> bool:
        now = self.deps.clock().timestamp()
        if now - self._last_prune < _PRUNE_EVERY:
            return False
        self._last_prune = now
        return True

    def start(self) -> None:
        """Run in a daemon thread of this process (``microcred serve``'s in-process worker); again after
        :meth:`stop`, once the stopped thread has ended."""
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self.run, name="microcred-jobs", daemon=True)
            self._thread.start()

    @property
    def running(self) -> bool:
        """Whether this worker's thread runs (started and not yet stopped)."""
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def wake(self) -> None:
        """Look for work now rather than after the poll interval (a job was just submitted here)."""
        self._wake.set()

    def stop(self, *, wait: bool = True) -> None:
        """Finish the job in hand, then stop (safe to call from a signal handler with ``wait=False``)."""
        self._stop.set()
        self._wake.set()
        if wait and self._thread is not None:
            self._thread.join()
            self._thread = None
