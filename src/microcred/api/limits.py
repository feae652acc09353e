"""Request size limits and per-caller rate limits (an in-process token bucket)."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from microcred.api.problems import problem_response
from microcred.errors import MicrocredError

__all__ = ["BodySizeLimit", "PayloadTooLarge", "RateLimiter", "TooManyRequests"]

JSON_BODY_LIMIT = 1024 * 1024  # 1 MiB: a JSON request, even a credential to verify, is far smaller


class PayloadTooLarge(MicrocredError):
    code = "payload-too-large"
    status = 413


class TooManyRequests(MicrocredError):
    code = "rate-limited"
    status = 429

    def __init__(self, *, wait: int, retry_after: int) -> None:
        super().__init__("too-many-requests", wait=wait)
        self.headers = {"Retry-After": str(retry_after)}


class BodySizeLimit:
    """Refuse bodies over the limit: at once from Content-Length, else while the body streams in."""

    def __init__(self, app: ASGIApp, *, upload_limit: int) -> None:
        self.app = app
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        uploads = path.startswith("/api/v1/") and "/imports/" in path
        limit = self.upload_limit if uploads else JSON_BODY_LIMIT
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                refused = PayloadTooLarge("body-too-large", limit=limit)
                response = problem_response(refused.status, refused.code, refused.message, path=path)
                await response(scope, receive, send)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise PayloadTooLarge("body-too-large", limit=limit)
            return message

        await self.app(scope, limited_receive, send)


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    """``rate`` requests per second per caller on average, bursts of up to ``burst``."""

    rate: float = 20.0
    burst: int = 100
    _buckets: dict[str, _Bucket] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self, caller: str) -> None:
        """Spend one request of ``caller``'s budget; TooManyRequests (with Retry-After) when it is empty."""
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(caller)
            if bucket is None:
                bucket = self._buckets[caller] = _Bucket(float(self.burst), now)
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return
            wait = math.ceil((1 - bucket.tokens) / self.rate)
        raise TooManyRequests(wait=wait, retry_after=max(wait, 1))
