"""``create_app()``: the HTTP application served by ``microcred serve``."""

from __future__ import annotations

from html import escape

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from microcred import __version__
from microcred.bootstrap import Register, build
from microcred.services import catalogue

__all__ = ["create_app"]


def create_app(register: Register | None = None) -> FastAPI:
    """Build the application around a wired register (built from settings when not given)."""
    wired = register or build()
    app = FastAPI(title="microcred", version=__version__)
    app.state.register = wired

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home() -> str:
        rows = "".join(
            f"<li>{escape(o.title.get('nl'))} — {escape(o.provider)}, {o.ects or '?'} ECTS</li>"
            for o in catalogue.list_offerings(wired.uow)
        )
        return (
            "<!doctype html><html lang='nl'><head><meta charset='utf-8'><title>microcred</title></head>"
            f"<body><main><h1>microcred</h1><p>Register van microcredentials</p><ul>{rows}</ul></main></body></html>"
        )

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
