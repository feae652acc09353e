"""Answers shared by the routers: cursor pages, and cacheable JSON with ETags (If-None-Match -> 304)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from fastapi import Request, Response
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field

from microcred.errors import Invalid

__all__ = ["CACHE_RESPONSES", "Page", "cached_json", "decode_cursor", "encode_cursor", "fingerprint", "keyset_page"]

T = TypeVar("T")
ItemT = TypeVar("ItemT")

MAX_LIMIT = 100


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


def keyset_page(
    items: Sequence[T], *, key: Callable[[T], list[Any]], cursor: str | None, limit: int, filters: str
) -> tuple[list[T], str | None]:
    """Sort ``items`` by ``key`` and return those after the cursor's key, with the next cursor.

    The cursor holds the last key seen, not an offset, so records added meanwhile do not shift pages.
    """
    after = decode_cursor(cursor, filters)
    ordered = sorted(items, key=key)
    if after is not None:
        ordered = [item for item in ordered if json.loads(json.dumps(key(item), default=str)) > after]
    page = ordered[:limit]
    more = len(ordered) > limit
    next_cursor = encode_cursor(json.loads(json.dumps(key(page[-1]), default=str)), filters) if more else None
    return page, next_cursor


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(header: str | None, etag: str) -> bool:
    if header is None:
        return False
    candidates = [part.strip().removeprefix("W/") for part in header.split(",")]
    return "*" in candidates or etag in candidates


def cached_json(request: Request, content: Any, *, max_age: int = 60) -> Response:
    """A public JSON answer with a strong ETag; 304 without a body when the client already has it."""
    data = content.model_dump(mode="json") if isinstance(content, BaseModel) else jsonable_encoder(content)
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    etag = _etag(body)
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}"}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


CACHE_RESPONSES: dict[int | str, dict[str, Any]] = {304: {"description": "Not Modified (the ETag matched)"}}
