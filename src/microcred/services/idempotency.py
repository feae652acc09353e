"""Idempotent creates: a request sent again with the same ``Idempotency-Key`` gets the first answer back.

Three short transactions around the request's own use case, never one shared with it
(docs/decisions/0005-composition.md, Transactions): :func:`reserve` writes (owner, key) "in progress"
before the work starts, so a concurrent duplicate meets the unique constraint and is refused with a
Conflict instead of creating twice; :func:`complete` stores the answer once the work succeeded;
:func:`release` deletes the reservation when it failed, so the client may try again with the same key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from microcred.errors import Conflict, Invalid
from microcred.services.dependencies import Dependencies
from microcred.services.ports import Clock, UnitOfWorkFactory

__all__ = ["ABANDONED_AFTER", "Idempotency", "StoredAnswer", "complete", "release", "reserve"]

ABANDONED_AFTER = timedelta(minutes=10)
"""A reservation this old belongs to a request whose process died; the same request may take it over.
Far longer than any API request runs (imports and bulk issuing answer 202 at once and work in a job)."""


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """The response the first request with a key got, replayed to its repetitions."""

    status: int
    content_type: str
    body: bytes


def reserve(owner: str, key: str, fingerprint: str, *, uow: UnitOfWorkFactory, clock: Clock) -> StoredAnswer | None:
    """Reserve ``key`` of ``owner`` for the request ``fingerprint``: None when the caller may go on,
    the stored answer when the same request was answered before.

    Invalid when the key was used for another request; Conflict while the first is still running."""
    now = clock()
    with uow() as work:
        reserved = work.idempotency.reserve(owner, key, request_hash=fingerprint, at=now) or (
            work.idempotency.take_over(
                owner, key, request_hash=fingerprint, reserved_before=now - ABANDONED_AFTER, at=now
            )
        )
        if reserved:
            work.commit()
            return None
        found = work.idempotency.get(owner, key)
    if found is not None and found.request_hash != fingerprint:
        raise Invalid.field("Idempotency-Key", "idempotency-key-reused")
    if found is None or found.state != "done" or found.status is None:
        # None: the first request failed and released the key between our insert and our read.
        raise Conflict("idempotency-key-in-progress")
    return StoredAnswer(found.status, found.content_type or "application/json", found.body or b"")


def complete(owner: str, key: str, answer: StoredAnswer, *, uow: UnitOfWorkFactory) -> None:
    """Store the answer of the reserved request, for its repetitions."""
    with uow() as work:
        work.idempotency.complete(owner, key, status=answer.status, content_type=answer.content_type, body=answer.body)
        work.commit()


def release(owner: str, key: str, *, uow: UnitOfWorkFactory) -> None:
    """Forget the reservation of a request that failed: nothing was created, the key may be used again."""
    with uow() as work:
        work.idempotency.release(owner, key)
        work.commit()


class Idempotency:
    """Reservations of ``Idempotency-Key`` values, bound to one register (built once by bootstrap)."""

    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps

    def reserve(self, owner: str, key: str, fingerprint: str) -> StoredAnswer | None:
        return reserve(owner, key, fingerprint, uow=self._deps.uow, clock=self._deps.clock)

    def complete(self, owner: str, key: str, answer: StoredAnswer) -> None:
        complete(owner, key, answer, uow=self._deps.uow)

    def release(self, owner: str, key: str) -> None:
        release(owner, key, uow=self._deps.uow)
