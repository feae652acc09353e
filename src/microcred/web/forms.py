"""Reading posted forms safely: the CSRF check and a size limit on uploads."""

from __future__ import annotations

import hmac

from fastapi import Request
from starlette.datastructures import FormData, UploadFile

from microcred.errors import FieldProblem, Invalid
from microcred.web.errors import FormExpired
from microcred.web.templating import CSRF_FIELD, csrf_token

__all__ = ["UploadTooLarge", "posted_form", "read_upload"]


class UploadTooLarge(Invalid):
    """An uploaded file beyond the page's limit."""

    status = 413


async def posted_form(request: Request) -> FormData:
    """The posted form, refused unless it carries this session's CSRF token (field or ``X-CSRF-Token``)."""
    form = await request.form()
    sent = form.get(CSRF_FIELD) or request.headers.get("x-csrf-token") or ""
    expected = request.session.get("csrf")
    if not isinstance(sent, str) or not isinstance(expected, str) or not hmac.compare_digest(sent, expected):
        csrf_token(request)  # give the visitor a fresh token so the re-rendered form works
        raise FormExpired()
    return form


async def read_upload(value: object, *, limit: int) -> bytes | None:
    """The bytes of an uploaded file, or None when no file was chosen; Invalid when it is too large."""
    if not isinstance(value, UploadFile) or not value.filename:
        return None
    data = await value.read(limit + 1)
    if len(data) > limit:
        raise UploadTooLarge(
            "file-too-large-upload",
            problems=[FieldProblem("file", "file-too-large-kib", params={"limit": limit // 1024})],
        )
    return data
