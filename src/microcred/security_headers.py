"""Security headers on every HTTP answer, the API's and the web pages' alike (issue 15, finding 5).

The Content-Security-Policy allows scripts and styles from the register itself only, never
``'unsafe-inline'``; the one inline block a page may carry (the statistics page's report stylesheet, the
API's Swagger start-up script) names the per-response nonce this middleware puts in
``request.state.csp_nonce``. Framing is refused twice (``frame-ancestors`` and ``X-Frame-Options``), and
HSTS is sent when the register is served over https. A page whose form answers with a redirect to another
origin (the OpenID4VCI authorization page, to the wallet app's checked redirect URI) names that one origin in
``request.state.csp_form_action``: browsers apply ``form-action`` to the redirect, too.
"""

from __future__ import annotations

import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SecurityHeaders", "content_security_policy"]


def content_security_policy(nonce: str, *, form_action: str = "") -> str:
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            f"form-action 'self' {form_action}".rstrip(),
            "frame-ancestors 'none'",
        )
    )


class SecurityHeaders:
    """Pure ASGI middleware: a fresh nonce per request, and the headers on its response."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        state = scope.setdefault("state", {})
        state["csp_nonce"] = nonce
        fixed = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
        ]
        if self.https:
            fixed.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
        names = {name for name, _ in fixed} | {b"content-security-policy"}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                policy = content_security_policy(nonce, form_action=str(state.get("csp_form_action", "")))
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message["headers"] = [*kept, (b"content-security-policy", policy.encode()), *fixed]
            await send(message)

        await self.app(scope, receive, send_with_headers)
