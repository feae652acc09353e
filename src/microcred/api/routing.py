"""The one way an API router is made: idempotent replays recorded, problem answers documented."""

from __future__ import annotations

from enum import Enum

from fastapi import APIRouter

from microcred.api.idempotency import ApiRoute
from microcred.api.problems import PROBLEM_RESPONSES

__all__ = ["api_router"]


def api_router(*, prefix: str = "", tags: list[str | Enum] | None = None) -> APIRouter:
    """A router whose routes replay Idempotency-Key answers (``ApiRoute``) and document RFC 9457 answers.

    The problem responses are given here, when each route is built, not when the router is included in
    the app: ``attach_api`` adds the built routes to the app as they are (see there), so nothing is added
    at inclusion."""
    return APIRouter(prefix=prefix, tags=tags, route_class=ApiRoute, responses=PROBLEM_RESPONSES)
