"""Attach the API to the HTTP application."""

from __future__ import annotations

from fastapi import FastAPI

from microcred.bootstrap import Register

__all__ = ["attach_api"]


def attach_api(app: FastAPI, register: Register) -> None:
    """Mount /api/v1 and the operational endpoints on ``app``."""

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}
