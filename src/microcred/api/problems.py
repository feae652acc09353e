"""RFC 9457 Problem Details for every error the API returns, mapped once from ``microcred.errors``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from microcred.errors import Invalid, MicrocredError
from microcred.i18n import translate

__all__ = [
    "PROBLEM_RESPONSES",
    "Problem",
    "ProblemField",
    "install_problem_handlers",
    "problem_response",
    "problem_title",
]

MEDIA_TYPE = "application/problem+json"
_log = logging.getLogger("microcred.api")


class ProblemField(BaseModel):
    """One input that was wrong: where (``field``, dotted), why (``reason``) and its stable ``code``."""

    field: str
    reason: str
    code: str = Field(
        description="stable reason code, e.g. title-required; for a request the schema refuses, "
        "the schema's error type prefixed with schema: (schema:missing, schema:less_than_equal)"
    )


class Problem(BaseModel):
    """An RFC 9457 problem document, extended with a stable ``code`` and the ``errors`` per field."""

    type: str = Field(description="URI identifying the kind of problem")
    title: str
    status: int
    detail: str
    instance: str | None = None
    code: str = Field(description="stable machine-readable code, e.g. not-found, invalid, rate-limited")
    errors: list[ProblemField] = Field(default_factory=list)


def _problem_type(code: str) -> str:
    return f"urn:microcred:problem:{code}"


def problem_title(code: str, status: int) -> str:
    """The title of a problem type, in English, from the catalogue (``problem.<code>``).

    ``http-error`` (a status the framework answers and we never raise) is titled by the status's own phrase.
    """
    return HTTPStatus(status).phrase if code == "http-error" else translate(f"problem.{code}", "en")


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    request: Request | None = None,
    path: str | None = None,
    errors: Sequence[ProblemField] = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    problem = Problem(
        type=_problem_type(code),
        title=problem_title(code, status),
        status=status,
        detail=detail,
        instance=request.url.path if request is not None else path,
        code=code,
        errors=list(errors),
    )
    return JSONResponse(
        problem.model_dump(exclude_none=True), status_code=status, media_type=MEDIA_TYPE, headers=headers
    )


def _location(loc: Sequence[Any]) -> str:
    """``body.title.nl`` -> ``title.nl``; query, path and header locations keep their source."""
    parts = [str(part) for part in loc]
    if parts and parts[0] == "body":
        parts = parts[1:] or ["body"]
    return ".".join(parts)


def install_problem_handlers(app: FastAPI) -> None:
    """Every error — ours, FastAPI's validation, Starlette's 404/405, anything unexpected — as a problem."""

    @app.exception_handler(MicrocredError)
    async def _ours(request: Request, error: MicrocredError) -> JSONResponse:
        headers = dict(getattr(error, "headers", {}) or {})
        if error.status == 401:
            headers.setdefault("WWW-Authenticate", 'Bearer realm="microcred"')
        return problem_response(
            error.status,
            error.code,
            error.message,
            request=request,
            errors=[ProblemField(field=p.field, reason=p.reason, code=p.code) for p in error.problems],
            headers=headers or None,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            ProblemField(field=_location(item["loc"]), reason=str(item["msg"]), code=f"schema:{item['type']}")
            for item in error.errors()
        ]
        refused = Invalid("request-invalid")
        return problem_response(refused.status, refused.code, refused.message, request=request, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {404: "not-found", 405: "method-not-allowed"}.get(error.status_code, "http-error")
        detail = error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
        return problem_response(
            error.status_code, code, detail, request=request, headers=dict(error.headers or {}) or None
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        _log.error("unhandled error", extra={"event": "error", "error_type": type(error).__name__})
        return problem_response(500, "internal", MicrocredError("internal-error").message, request=request)


#: The error responses every route documents in OpenAPI.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": HTTPStatus(status).phrase, "content": {MEDIA_TYPE: {}}}
    for status in (400, 401, 403, 404, 409, 413, 422, 429)
}
