"""Every API route's class, and the replay of creating POSTs sent again with an ``Idempotency-Key``.

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
from fastapi.dependencies.models import Dependant
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from microcred.api.deps import resolve_principal
from microcred.api.jobs import JobOut, job_location
from microcred.bootstrap import Register
from microcred.errors import Invalid
from microcred.services.idempotency import StoredAnswer

__all__ = ["ApiRoute"]

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class ApiRoute(APIRoute):
    """Every API route; creating (201/202) POSTs replay their first answer to a repeated Idempotency-Key.

    A REST route (``/api/...``) also refuses query parameters it does not declare: ``?limt=10`` or
    ``?fromat=csv`` silently ignored would answer a different question than the one asked. The OAuth and
    OpenID for VC routes are left lenient on purpose, since RFC 6749 §3.1 says unknown parameters MUST be
    ignored there."""

    def get_route_handler(self) -> Handler:
        handler: Handler = self._strict_query(super().get_route_handler())
        if "POST" not in (self.methods or set()) or self.status_code not in (201, 202):
            return handler

        async def run(request: Request) -> Response:
            key = request.headers.get("idempotency-key")
            return await (handler(request) if key is None else _idempotent(request, key, handler))

        return run

    def _strict_query(self, handler: Handler) -> Handler:
        if not self.path.startswith("/api/"):
            return handler
        declared = _declared_query_parameters(self.dependant)

        async def checked(request: Request) -> Response:
            unknown = sorted(set(request.query_params) - declared)
            if unknown:
                known = ", ".join(sorted(declared)) or "-"
                raise Invalid.field("query." + unknown[0][:80], "query-parameter-unknown", None, known=known)
            return await handler(request)

        return checked


def _declared_query_parameters(dependant: Dependant) -> frozenset[str]:
    """The query names a route reads, through all its dependencies (a pydantic model stands for its fields)."""
    names: set[str] = set()
    pending = [dependant]
    while pending:
        current = pending.pop()
        pending.extend(current.dependencies)
        for param in current.query_params:
            model = param.field_info.annotation
            if isinstance(model, type) and issubclass(model, BaseModel):
                names.update(field.alias or name for name, field in model.model_fields.items())
            else:
                names.add(param.alias)
    return frozenset(names)


async def _fingerprint(request: Request) -> str:
    body = await request.body()  # kept by the request, so the handler reads it again
    parts = [request.method.encode(), str(request.url.path).encode(), request.url.query.encode(), body]
    return hashlib.sha256(b"\n".join(parts)).hexdigest()


async def _idempotent(request: Request, key: str, handler: Handler) -> Response:
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
