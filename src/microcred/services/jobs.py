"""Durable background jobs: imports and bulk issuing, queued in the database and followed by any process.

The web desk and the API submit a job and answer at once; a worker (``microcred worker``, or the one
``microcred serve`` runs in-process, ``services/worker.py``) claims it, runs it and stores its progress,
result and error in the job's row. A job and its uploaded file therefore survive a restart, and every
process answers for every job (docs/decisions/0020-durable-jobs.md). Results hold counts, codes and
credential ids, never a learner identifier: an enrolment file's problems are stored without cell values.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from microcred.domain.fields import RECORDS
from microcred.errors import FieldProblem, Invalid, MicrocredError, NotFound
from microcred.services.dependencies import Dependencies
from microcred.services.ports import Clock, JobRecord, UnitOfWorkFactory

__all__ = [
    "EVALUATE_KIND",
    "IMPORT_KINDS",
    "ISSUE_KIND",
    "OFFER_MAIL_KIND",
    "STACK_KIND",
    "CheckedFileGone",
    "Job",
    "JobState",
    "Jobs",
    "count_jobs",
    "failure_of",
    "get_job",
    "submit_checked_import",
    "submit_import",
    "submit_issue",
    "submit_offer_mail",
    "submit_stack_evaluation",
]

JobState = Literal["queued", "running", "succeeded", "failed"]
IMPORT_KINDS = tuple(RECORDS)  # the record names files use, declared once (decision 0013)
ISSUE_KIND = "issue-credentials"
STACK_KIND = "issue-stacked-credentials"
OFFER_MAIL_KIND = "mail-credential-offers"
EVALUATE_KIND = "evaluate-stack-rules"
_FORMATS = ("csv", "xlsx", "jsonl")


class CheckedFileGone(NotFound):
    """The file a dry run checked is no longer there: imported already, refused by the check, or expired."""

    code = "gone"
    status = 410

    def __init__(self) -> None:
        super().__init__("checked-file-gone")


@dataclass(frozen=True)
class Job:
    """A job as every process sees it: its kind, owner, state, progress and outcome."""

    id: str
    kind: str
    owner: str | None  # who may look at it: a provider slug, or None for the register's operator
    created_at: datetime
    state: JobState = "queued"
    done: int = 0
    total: int = 0
    attempts: int = 0
    finished_at: datetime | None = None
    result: dict[str, Any] = field(default_factory=dict)
    failure: MicrocredError | None = None  # why it failed, to word in the reader's language

    @property
    def error(self) -> str | None:
        """Why it failed, in English (the API's answer)."""
        return None if self.failure is None else str(self.failure)

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


def _job(record: JobRecord) -> Job:
    state: JobState = record.state  # type: ignore[assignment]  # the column holds only these four
    return Job(
        id=record.id,
        kind=record.kind,
        owner=record.owner,
        created_at=record.created_at,
        state=state,
        done=record.done,
        total=record.total,
        attempts=record.attempts,
        finished_at=record.finished_at,
        result=json.loads(record.result) if record.result else {},
        failure=failure_of(record.error),
    )


def failure_of(stored: str | None) -> MicrocredError | None:
    """The error a failed job stored, rebuilt so each reader sees it in their own language."""
    if not stored:
        return None
    data = json.loads(stored)
    problems = [
        FieldProblem(p["field"], p["code"], p.get("value"), p.get("row"), p.get("params", {})) for p in data["problems"]
    ]
    return MicrocredError(data["reason"], problems=problems, **data["params"])


def _new(
    kind: str,
    owner: str | None,
    params: dict[str, Any],
    content: bytes | None,
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
) -> Job:
    job_id = uuid.uuid4().hex
    with uow() as work:
        work.jobs.add(job_id, kind=kind, owner=owner, params=json.dumps(params), content=content, at=clock())
        found = work.jobs.get(job_id)
        work.commit()
    assert found is not None
    return _job(found)


def submit_import(
    kind: str,
    content: bytes,
    *,
    provider: str | None,
    fmt: str | None,
    name: str,
    dry_run: bool,
    uow: UnitOfWorkFactory,
    clock: Clock,
) -> Job:
    """Queue the import of ``content`` as ``kind`` rows (the file is kept with the job until it ran)."""
    if kind not in IMPORT_KINDS:
        raise Invalid.field("kind", "one-of", kind, allowed=", ".join(IMPORT_KINDS))
    if fmt is not None and fmt not in _FORMATS:
        raise Invalid.field("format", "one-of", fmt, allowed=", ".join(_FORMATS))
    params = {"kind": kind, "format": fmt, "name": name, "dry_run": dry_run}
    return _new(f"import-{kind}", provider, params, content, uow=uow, clock=clock)


def submit_checked_import(check: str, *, provider: str, uow: UnitOfWorkFactory, clock: Clock) -> Job:
    """Queue the import of the file a clean dry run (job ``check``) of ``provider`` checked; once only."""
    with uow() as work:
        found = work.jobs.get(check)
        if found is None or found.owner != provider or found.state != "succeeded" or not found.has_input:
            raise CheckedFileGone()
        params = json.loads(found.params)
        result = json.loads(found.result or "{}")
        if not params.get("dry_run") or not result.get("ok"):
            raise CheckedFileGone()
        content = work.jobs.input_of(check)
        work.jobs.clear_input(check)  # the checked file is imported once
        job_id = uuid.uuid4().hex
        params["dry_run"] = False
        work.jobs.add(job_id, kind=found.kind, owner=provider, params=json.dumps(params), content=content, at=clock())
        added = work.jobs.get(job_id)
        work.commit()
    assert added is not None
    return _job(added)


def submit_issue(provider: str, edition: str, *, uow: UnitOfWorkFactory, clock: Clock) -> Job:
    """Queue issuing a credential for every passed enrolment of the edition that has none.

    An unknown edition, or another provider's, is NotFound here, before any job exists."""
    with uow() as work:
        work.editions.get(provider, edition)
    return _new(ISSUE_KIND, provider, {"edition": edition}, None, uow=uow, clock=clock)


def submit_stack_issue(provider: str, rule: str, *, uow: UnitOfWorkFactory, clock: Clock) -> Job:
    """Queue issuing the stacked credential of rule ``rule`` to every learner who meets it and has none yet.

    An unknown rule, or another provider's, is NotFound here, before any job exists."""
    with uow() as work:
        work.stacking.get_rule(provider, rule)
    return _new(STACK_KIND, provider, {"rule": rule}, None, uow=uow, clock=clock)


def submit_offer_mail(
    provider: str, edition: str, *, again: bool, pending: bool = False, uow: UnitOfWorkFactory, clock: Clock
) -> Job:
    """Queue e-mailing each learner of the edition an offer of their active credential (services/offer_mailing.py);
    with ``again``, also those mailed before; with ``pending``, also those who passed but have no credential yet
    (decision 0035). Another provider's edition is NotFound, before any job exists."""
    with uow() as work:
        work.editions.get(provider, edition)
    params = {"edition": edition, "again": again, "pending": pending}
    return _new(OFFER_MAIL_KIND, provider, params, None, uow=uow, clock=clock)


def submit_stack_evaluation(provider: str | None, *, uow: UnitOfWorkFactory, clock: Clock) -> Job:
    """Queue evaluating every rule (of ``provider``, for its own learners; of every provider when None, the
    operator's job) for every learner holding one of its components; the result counts, per rule, who
    started, who meets it and who is owed its stacked credential (services/stacking_bulk.py)."""
    if provider is not None:
        with uow() as work:
            work.providers.id_of(provider)
    return _new(EVALUATE_KIND, provider, {}, None, uow=uow, clock=clock)


def get_job(job_id: str, *, owner: str | None, uow: UnitOfWorkFactory) -> Job:
    """A job of ``owner``; anyone else's is not found."""
    with uow() as work:
        found = work.jobs.get(job_id)
    if found is None or found.owner != owner:
        raise NotFound("no-job", job=job_id)
    return _job(found)


def count_jobs(*, uow: UnitOfWorkFactory) -> dict[str, int]:
    """How many jobs are queued, running, succeeded and failed (kept 7 days): the queue's depth for /metrics."""
    with uow() as work:
        found = work.jobs.count_by_state()
    return {state: found.get(state, 0) for state in ("queued", "running", "succeeded", "failed")}


class Jobs:
    """Submitting and following jobs, bound to one register; ``wake`` nudges this process's worker."""

    def __init__(self, deps: Dependencies, *, wake: Callable[[], None] = lambda: None) -> None:
        self._deps = deps
        self._wake = wake

    def submit_import(
        self,
        kind: str,
        content: bytes,
        *,
        provider: str | None,
        fmt: str | None = None,
        name: str = "",
        dry_run: bool = False,
    ) -> Job:
        d = self._deps
        job = submit_import(
            kind,
            content,
            provider=provider,
            fmt=fmt,
            name=name or f"upload.{fmt or 'csv'}",
            dry_run=dry_run,
            uow=d.uow,
            clock=d.clock,
        )
        self._wake()
        return job

    def submit_checked_import(self, check: str, *, provider: str) -> Job:
        job = submit_checked_import(check, provider=provider, uow=self._deps.uow, clock=self._deps.clock)
        self._wake()
        return job

    def submit_issue(self, provider: str, edition: str) -> Job:
        job = submit_issue(provider, edition, uow=self._deps.uow, clock=self._deps.clock)
        self._wake()
        return job

    def submit_stack_issue(self, provider: str, rule: str) -> Job:
        job = submit_stack_issue(provider, rule, uow=self._deps.uow, clock=self._deps.clock)
        self._wake()
        return job

    def submit_offer_mail(self, provider: str, edition: str, *, again: bool = False, pending: bool = False) -> Job:
        d = self._deps
        job = submit_offer_mail(provider, edition, again=again, pending=pending, uow=d.uow, clock=d.clock)
        self._wake()
        return job

    def submit_stack_evaluation(self, provider: str | None) -> Job:
        job = submit_stack_evaluation(provider, uow=self._deps.uow, clock=self._deps.clock)
        self._wake()
        return job

    def get_job(self, job_id: str, *, owner: str | None) -> Job:
        return get_job(job_id, owner=owner, uow=self._deps.uow)

    def count_jobs(self) -> dict[str, int]:
        return count_jobs(uow=self._deps.uow)
