"""The register a page works on: the one its application was built around.

Pages look it up per request, as the API does (``api/deps.RegisterDep``), so the page routes are built once
per process and every application (a server's one, a test's many) reuses them (``web/app.py``)."""

from __future__ import annotations

from fastapi import Request

from microcred.bootstrap import Register

__all__ = ["register_of"]


def register_of(request: Request) -> Register:
    """The register of the application that received ``request``."""
    register: Register = request.app.state.register
    return register
