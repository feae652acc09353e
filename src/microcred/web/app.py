"""Attach the server-rendered web pages to the HTTP application."""

from __future__ import annotations

from html import escape

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from microcred.bootstrap import Register
from microcred.services import catalogue

__all__ = ["attach_web"]


def attach_web(app: FastAPI, register: Register) -> None:
    """Mount the pages on ``app`` (a placeholder catalogue until the web issue lands)."""

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home() -> str:
        rows = "".join(
            f"<li>{escape(o.title.get('nl'))} — {escape(o.provider)}, {o.ects or '?'} ECTS</li>"
            for o in catalogue.list_offerings(register.uow)
        )
        return (
            "<!doctype html><html lang='nl'><head><meta charset='utf-8'><title>microcred</title></head>"
            f"<body><main><h1>microcred</h1><p>Register van microcredentials</p><ul>{rows}</ul></main></body></html>"
        )
