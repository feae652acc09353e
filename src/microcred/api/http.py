"""Answers shared by the routers: cursor pages, and cacheable JSON with ETags (If-None-Match -> 304)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from enum import Enum
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, Request, Response
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field

from microcred.domain import Page as Listing
from microcred.domain import Position
from microcred.errors import Invalid

__all__ = [
    "CACHE_RESPONSES",
    "Page",
    "cached_bytes",
    "cached_json",
    "cached_json_route",
    "cursor_page",
    "decode_cursor",
    "encode_cursor",
    "fingerprint",
    "json_bytes",
]

T = TypeVar("T")
RouteT = TypeVar("RouteT", bound=Callable[..., Any])
ItemT = TypeVar("ItemT")

_QUERY_FIELDS = ("cursor", "limit")  # what services call the paging inputs the client sends as query parameters


class Page(BaseModel, Generic[ItemT]):
    """One page of a list; pass ``next_cursor`` back as ``cursor`` for the next page (null on the last)."""

    items: list[ItemT]
    next_cursor: str | None = Field(None, description="opaque; null when this is the last page")


def encode_cursor(position: Any, fingerprint: str) -> str:
    raw = json.dumps({"p": position, "f": fingerprint}, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, fingerprint: str) -> Any:
    """The position a cursor holds; Invalid when it is damaged or belongs to other filters or sorting."""
    if cursor is None:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        raise Invalid.field("query.cursor", "cursor-unknown") from None
    if not isinstance(data, dict) or data.get("f") != fingerprint or "p" not in data:
        raise Invalid.field("query.cursor", "cursor-other-listing")
    return data["p"]


def fingerprint(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def cursor_page(
    read: Callable[[Position | None], Listing[T]], *, cursor: str | None, filters: str
) -> tuple[list[T], str | None]:
    """The page after ``cursor``, read in the database by ``read``, and the cursor of the page after it.

    The cursor holds the position of the last record seen, not an offset, so records added meanwhile do not
    shift pages; the page size is whatever the request asked for, within the route's documented maximum.
    """
    after = _position(decode_cursor(cursor, filters))
    try:
        page = read(after)
    except Invalid as error:
        if not any(problem.field in _QUERY_FIELDS for problem in error.problems):
            raise
        raise _in_query(error) from None
    next_cursor = None if page.next_after is None else encode_cursor(list(page.next_after), filters)
    return page.items, next_cursor


def _position(value: Any) -> Position | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
        raise Invalid.field("query.cursor", "cursor-unknown")
    return tuple(value)


def _in_query(error: Invalid) -> Invalid:
    """A service's complaint about ``cursor`` or ``limit``, named as the query parameter the client sent."""
    renamed = [
        replace(problem, field=f"query.{problem.field}") if problem.field in _QUERY_FIELDS else problem
        for problem in error.problems
    ]
    return Invalid(error.reason, problems=renamed, **error.params)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(header: str | None, etag: str) -> bool:
    if header is None:
        return False
    candidates = [part.strip().removeprefix("W/") for part in header.split(",")]
    return "*" in candidates or etag in candidates


def json_bytes(content: Any) -> bytes:
    """The compact UTF-8 JSON of a model or plain data, as :func:`cached_json` answers it."""
    data = content.model_dump(mode="json") if isinstance(content, BaseModel) else jsonable_encoder(content)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def cached_json(request: Request, content: Any, *, max_age: int = 60) -> Response:
    """A public JSON answer with a strong ETag; 304 without a body when the client already has it."""
    return cached_bytes(request, json_bytes(content), media_type="application/json", max_age=max_age)


def cached_bytes(request: Request, body: bytes, *, media_type: str, max_age: int) -> Response:
    """A public answer of exact bytes (a shipped file) with a strong ETag; 304 when the client has it."""
    etag = _etag(body)
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}"}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


CACHE_RESPONSES: dict[int | str, dict[str, Any]] = {304: {"description": "Not Modified (the ETag matched)"}}


def cached_json_route(
    router: APIRouter, path: str, operation_id: str, *, tags: list[str | Enum] | None = None
) -> Callable[[RouteT], RouteT]:
    """Declare a public GET answering one JSON document through :func:`cached_json` (ETag, 304): the DID
    documents, status lists, trusted list and metadata verifiers and wallets fetch and cache."""
    return router.get(
        path, operation_id=operation_id, tags=tags, response_model=dict[str, Any], responses=CACHE_RESPONSES
    )
