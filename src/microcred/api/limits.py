"""Request size limits; rate limits are the register's, shared by every process (``services/limits.py``)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from microcred.api.problems import problem_response
from microcred.errors import MicrocredError

__all__ = ["BodySizeLimit", "PayloadTooLarge"]

JSON_BODY_LIMIT = 1024 * 1024  # 1 MiB: a JSON request, even a credential to verify, is far smaller


class PayloadTooLarge(MicrocredError):
    code = "payload-too-large"
    status = 413


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
