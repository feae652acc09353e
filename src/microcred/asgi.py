"""The HTTP application: the API (``microcred.api``) and the web pages (``microcred.web``) on one server.

This is the composition root for HTTP; ``api`` and ``web`` never import each other.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from microcred import __version__
from microcred.api.app import attach_api
from microcred.bootstrap import Register, build
from microcred.security_headers import SecurityHeaders
from microcred.web.app import attach_web

__all__ = ["create_app"]


def create_app(register: Register | None = None) -> FastAPI:
    """Build the application around a wired register (built from settings when not given).

    While the application runs, its process also runs queued jobs unless ``serve_jobs`` is off."""
    wired = register or build()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Route functions run in this thread pool. Its default of 40 threads lets 16 clients' requests run at
        # once, and they spend their time handing the GIL to each other: throughput fell by a third and p99
        # passed 700 ms at 16 connections (issue 21). A few threads keep the CPU busy; the rest wait their turn.
        to_thread.current_default_thread_limiter().total_tokens = wired.settings.http_threads
        wired.start_worker()
        wired.freeze_start_up()
        yield
        # The worker this application started stops with it, before whoever owns the database removes it
        # (a test's file or throw-away server); the engine is closed here only if the register was built here.
        await run_in_threadpool(wired.stop_worker if register is not None else wired.close)

    app = FastAPI(title="microcred", version=__version__, docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.register = wired
    attach_api(app, wired)
    attach_web(app, wired)
    app.add_middleware(SecurityHeaders, https=wired.settings.public_base_url.startswith("https://"))
    return app
