"""One database transaction per request, and replay of creating POSTs sent again with an ``Idempotency-Key``.

Services open ``with uow() as work`` blocks as usual; inside a request they all share one transaction
that is committed when the handler answers with a success, and rolled back otherwise.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, cast

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from microcred.errors import Invalid
from microcred.services.ports import UnitOfWork, UnitOfWorkFactory

__all__ = ["ApiRoute", "RequestUnitOfWork", "request_uow"]

_STATE_KEY = "microcred_uow"


class RequestUnitOfWork:
    """A unit-of-work factory whose blocks share one transaction until :meth:`finish`."""

    def __init__(self, factory: UnitOfWorkFactory) -> None:
        self._factory = factory
        self._work: UnitOfWork | None = None
        self._wants_commit = False

    def __call__(self) -> UnitOfWork:
        return cast(UnitOfWork, self)

    def __enter__(self) -> RequestUnitOfWork:
        if self._work is None:
            work = self._factory()
            work.__enter__()
            self._work = work
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None  # the request, not the block, ends the transaction

    def __getattr__(self, name: str) -> Any:
        work = self.__dict__.get("_work")
        if work is None:
            raise AttributeError(name)
        return getattr(work, name)

    @property
    def is_open(self) -> bool:
        return self._work is not None

    def commit(self) -> None:
        self._wants_commit = True

    def rollback(self) -> None:
        self._wants_commit = False

    def finish(self, *, success: bool) -> None:
        """Commit if the request succeeded and a service asked to keep its changes; always release."""
        work, self._work = self._work, None
        if work is None:
            return
        try:
            if success and self._wants_commit:
                work.commit()
        finally:
            work.__exit__(None, None, None)


def request_uow(request: Request) -> RequestUnitOfWork:
    """The request's unit of work, made on first use."""
    found = getattr(request.state, _STATE_KEY, None)
    if found is None:
        found = RequestUnitOfWork(request.app.state.register.uow)
        setattr(request.state, _STATE_KEY, found)
    return cast(RequestUnitOfWork, found)


def _finish(request: Request, success: bool) -> None:
    found = getattr(request.state, _STATE_KEY, None)
    if found is not None:
        found.finish(success=success)


Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class ApiRoute(APIRoute):
    """Every API route: a transaction per request; idempotent replay on creating (201/202) POSTs."""

    def get_route_handler(self) -> Handler:
        handler: Handler = super().get_route_handler()
        creates = "POST" in (self.methods or set()) and self.status_code in (201, 202)

        async def run(request: Request) -> Response:
            key = request.headers.get("idempotency-key") if creates else None
            try:
                response = await (handler(request) if key is None else _idempotent(request, key, handler))
            except BaseException:
                await run_in_threadpool(_finish, request, False)
                raise
            opened = getattr(request.state, _STATE_KEY, None)
            if opened is not None and opened.is_open:
                await run_in_threadpool(_finish, request, response.status_code < 400)
            return response

        return run


async def _idempotent(request: Request, key: str, handler: Handler) -> Response:
    """Answer a repeated request from the stored response; refuse the same key with another body."""
    from microcred.api.deps import resolve_principal  # deps builds on this module

    if not 1 <= len(key) <= 255 or not key.isascii():
        raise Invalid.field("Idempotency-Key", "must be 1-255 ASCII characters", key[:40])
    principal = await run_in_threadpool(resolve_principal, request)
    if principal.kind not in ("provider", "admin"):
        return await handler(request)
    body = await request.body()
    fingerprint = hashlib.sha256(
        b"\n".join([request.method.encode(), str(request.url.path).encode(), request.url.query.encode(), body])
    ).hexdigest()
    work = request_uow(request)

    def lookup() -> Any:
        with work() as opened:
            return opened.idempotency.get(principal.subject, key)

    stored = await run_in_threadpool(lookup)
    if stored is not None:
        if stored.request_hash != fingerprint:
            raise Invalid.field("Idempotency-Key", "was already used for a different request")
        return Response(
            stored.body,
            status_code=stored.status,
            media_type=stored.content_type,
            headers={"Idempotency-Replayed": "true"},
        )
    response = await handler(request)
    if 200 <= response.status_code < 300:
        clock = request.app.state.register.clock

        def remember() -> None:
            with work() as opened:
                opened.idempotency.put(
                    principal.subject,
                    key,
                    request_hash=fingerprint,
                    status=response.status_code,
                    content_type=response.media_type or "application/json",
                    body=bytes(response.body),
                    created_at=clock(),
                )
                opened.commit()

        await run_in_threadpool(remember)
    return response
