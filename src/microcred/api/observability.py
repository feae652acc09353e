"""Structured JSON request logs without personal data, Prometheus metrics, and health/readiness checks."""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from microcred.api.deps import PublicDep, RegisterDep
from microcred.api.routing import ApiRoute

__all__ = ["JsonFormatter", "Metrics", "RequestLog", "configure_logging", "router"]

_log = logging.getLogger("microcred.api")
# The only record attributes that reach the log: none can hold an e-mail address, a token or a learner.
_FIELDS = ("event", "method", "route", "status", "duration_ms", "caller", "provider", "error_type", "kind", "attempt")


class JsonFormatter(logging.Formatter):
    """One JSON object per line, UTC timestamps; only whitelisted fields, never the request's content."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({name: getattr(record, name) for name in _FIELDS if hasattr(record, name)})
        return json.dumps(entry, ensure_ascii=False)


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to ``sys.stderr`` as it is when a record is logged, not as it was at set-up: the CLI and the
    tests swap stderr, and a handler holding an old, closed stream prints "Logging error" tracebacks."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def configure_logging(level: str) -> None:
    """Send microcred's logs as JSON lines to stderr (once per process)."""
    logger = logging.getLogger("microcred")
    if any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        return
    handler = _Stderr()
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False


class Metrics:
    """The app's own Prometheus registry (one per app, so tests can build many apps)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "microcred_http_requests", "HTTP requests answered", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "microcred_http_request_duration_seconds",
            "Time to answer an HTTP request",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.jobs = Gauge(
            "microcred_jobs", "Jobs in the register's queue by state (all processes)", ["state"], registry=self.registry
        )


class RequestLog:
    """Pure ASGI middleware: one log line and metric sample per request, labelled by route template."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope["method"]
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency.labels(method, template).observe(elapsed)
            principal = scope.get("state", {}).get("principal")
            _log.info(
                "request",
                extra={
                    "event": "request",
                    "method": method,
                    "route": template,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "caller": getattr(principal, "kind", "anonymous"),
                    "provider": getattr(principal, "provider", None),
                },
            )


router = APIRouter(tags=["operations"], route_class=ApiRoute)


@router.get("/healthz", operation_id="healthz", include_in_schema=False)
def healthz(_: PublicDep) -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", operation_id="readyz", include_in_schema=False)
def readyz(_: PublicDep, register: RegisterDep) -> Response:
    """The database answers and its schema is at every migration head."""
    try:
        migrated = register.is_migrated()
    except Exception as error:  # any driver error means: not ready
        _log.warning("database not reachable", extra={"event": "readyz", "error_type": type(error).__name__})
        return Response('{"status":"database unreachable"}', status_code=503, media_type="application/json")
    if not migrated:
        return Response('{"status":"database not migrated"}', status_code=503, media_type="application/json")
    return Response('{"status":"ready"}', media_type="application/json")


@router.get("/metrics", operation_id="metrics", include_in_schema=False)
def metrics(request: Request, _: PublicDep, register: RegisterDep) -> Response:
    """Prometheus text exposition of the request counters and latencies, and the job queue by state."""
    metrics: Metrics = request.app.state.metrics
    for state, count in register.jobs.count_jobs().items():
        metrics.jobs.labels(state).set(count)
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
