"""The replay of creating POSTs sent again with an ``Idempotency-Key`` (``api.routing.ApiRoute`` calls it).

A request has no transaction of its own: each use case a route calls is one transaction, exactly as in
the CLI and jobs (docs/decisions/0005-composition.md, Transactions). A creating POST with a key runs
between a reservation of the key and the storing of its answer, each a short transaction of its own
(``services/idempotency.py``), so a concurrent duplicate is refused with 409 instead of creating twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Coroutine
from typing import Any

import anyio
from fastapi import Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from microcred.api.deps import resolve_principal
from microcred.api.jobs import JobOut, job_location
from microcred.bootstrap import Register
from microcred.errors import Invalid
from microcred.services.idempotency import StoredAnswer

__all__ = ["Handler", "idempotent"]

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


async def _fingerprint(request: Request) -> str:
    body = await request.body()  # kept by the request, so the handler reads it again
    parts = [request.method.encode(), str(request.url.path).encode(), request.url.query.encode(), body]
    return hashlib.sha256(b"\n".join(parts)).hexdigest()


async def idempotent(request: Request, key: str, handler: Handler) -> Response:
    """Reserve the key, run the handler, then store its answer, or release the key when it failed."""
    if not 1 <= len(key) <= 255 or not key.isascii():
        raise Invalid.field("Idempotency-Key", "idempotency-key-format", key[:40])
    principal = await run_in_threadpool(resolve_principal, request)
    if principal.kind not in ("provider", "admin"):
        return await handler(request)
    register: Register = request.app.state.register
    keys, owner = register.idempotency, principal.subject
    stored = await run_in_threadpool(keys.reserve, owner, key, await _fingerprint(request))
    if stored is not None:
        if stored.status == 202 and _queued_job(stored) is not None:  # its Location and state now
            return await run_in_threadpool(_replayed_job, register, stored)
        return Response(
            stored.body,
            status_code=stored.status,
            media_type=stored.content_type,
            headers={"Idempotency-Replayed": "true"},
        )
    try:
        response = await handler(request)
    except BaseException:
        with anyio.CancelScope(shield=True):  # a client that hung up must not leave the key reserved
            await run_in_threadpool(keys.release, owner, key)
        raise
    if not 200 <= response.status_code < 300:
        await run_in_threadpool(keys.release, owner, key)
        return response
    answer = StoredAnswer(response.status_code, response.media_type or "application/json", bytes(response.body))
    await run_in_threadpool(keys.complete, owner, key, answer)
    return response


def _replayed_job(register: Register, stored: StoredAnswer) -> Response:
    """The replay of a 202: the job the first request queued, as it stands now, and where to follow it."""
    first = _queued_job(stored) or {}
    job = register.jobs.get_job(str(first["id"]), owner=first.get("provider"))
    headers = {"Idempotency-Replayed": "true", "Location": job_location(job)}
    return JSONResponse(JobOut.of(job).model_dump(mode="json"), status_code=202, headers=headers)


def _queued_job(stored: StoredAnswer) -> dict[str, Any] | None:
    """The job a stored 202 answer described (imports and bulk issuing), or None for another 202."""
    try:
        first = json.loads(stored.body)
    except ValueError:
        return None
    return first if isinstance(first, dict) and {"id", "kind", "state"} <= first.keys() else None
