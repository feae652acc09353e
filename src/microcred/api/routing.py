"""Every API route's class, and the one way an API router is made: idempotent replays recorded, unknown query
parameters refused, problem answers documented."""

from __future__ import annotations

from enum import Enum

from fastapi import APIRouter, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

from microcred.api.idempotency import Handler, idempotent
from microcred.api.problems import PROBLEM_RESPONSES
from microcred.errors import Invalid

__all__ = ["ApiRoute", "api_router"]


def api_router(*, prefix: str = "", tags: list[str | Enum] | None = None) -> APIRouter:
    """A router whose routes replay Idempotency-Key answers (``ApiRoute``) and document RFC 9457 answers.

    The problem responses are given here, when each route is built, not when the router is included in
    the app: ``attach_api`` adds the built routes to the app as they are (see there), so nothing is added
    at inclusion."""
    return APIRouter(prefix=prefix, tags=tags, route_class=ApiRoute, responses=PROBLEM_RESPONSES)


class ApiRoute(APIRoute):
    """Every API route; creating (201/202) POSTs replay their first answer to a repeated Idempotency-Key.

    A REST route (``/api/...``) also refuses query parameters it does not declare: ``?limt=10`` or
    ``?fromat=csv`` silently ignored would answer a different question than the one asked. The OAuth and
    OpenID for VC routes are left lenient on purpose, since RFC 6749 §3.1 says unknown parameters MUST be
    ignored there."""

    def get_route_handler(self) -> Handler:
        handler: Handler = self._strict_query(super().get_route_handler())
        if "POST" not in (self.methods or set()) or self.status_code not in (201, 202):
            return handler

        async def run(request: Request) -> Response:
            key = request.headers.get("idempotency-key")
            return await (handler(request) if key is None else idempotent(request, key, handler))

        return run

    def _strict_query(self, handler: Handler) -> Handler:
        if not self.path.startswith("/api/"):
            return handler
        declared = _declared_query_parameters(self.dependant)

        async def checked(request: Request) -> Response:
            unknown = sorted(set(request.query_params) - declared)
            if unknown:
                known = ", ".join(sorted(declared)) or "-"
                raise Invalid.field("query." + unknown[0][:80], "query-parameter-unknown", None, known=known)
            return await handler(request)

        return checked


def _declared_query_parameters(dependant: Dependant) -> frozenset[str]:
    """The query names a route reads, through all its dependencies (a pydantic model stands for its fields)."""
    names: set[str] = set()
    pending = [dependant]
    while pending:
        current = pending.pop()
        pending.extend(current.dependencies)
        for param in current.query_params:
            model = param.field_info.annotation
            if isinstance(model, type) and issubclass(model, BaseModel):
                names.update(field.alias or name for name, field in model.model_fields.items())
            else:
                names.add(param.alias)
    return frozenset(names)
