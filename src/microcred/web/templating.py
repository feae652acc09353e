"""Rendering pages: one Jinja2 environment from the package's templates, with the visitor's language.

Templates get ``t`` (messages), ``label`` (vocabulary labels), ``text`` (a LangText in the page's
language), ``csrf_token`` and the signed-in staff member, so no route repeats that plumbing.
"""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from microcred.domain import LangText
from microcred.vocab import vocabulary
from microcred.web.i18n import LANGUAGE_COOKIE, LANGUAGES, choose_language, translate

__all__ = ["Pages", "csrf_token", "language_of"]

CSRF_FIELD = "csrf_token"


def language_of(request: Request) -> str:
    return choose_language(request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language"))


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use (session-bound: a form from another site lacks it)."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def _label(vocab: str, code: object, lang: str) -> str:
    if code is None or code == "":
        return ""
    key = getattr(code, "value", code)
    try:
        return vocabulary(vocab).get(str(key)).label(lang)
    except KeyError:
        return str(key)


def _text(value: object, lang: str) -> str:
    if isinstance(value, LangText):
        return value.get(lang)
    if isinstance(value, dict):
        return LangText(value).get(lang)
    return "" if value is None else str(value)


def _number(value: object, lang: str) -> str:
    if isinstance(value, Decimal | float):
        shown = f"{value:.1f}".removesuffix(".0") if value % 1 else f"{int(value)}"
    elif isinstance(value, int):
        return f"{value:,}".replace(",", "." if lang == "nl" else ",")
    else:
        return "" if value is None else str(value)
    return shown.replace(".", ",") if lang == "nl" else shown


def _date(value: object, lang: str) -> str:
    if not isinstance(value, date):
        return "" if value is None else str(value)
    return value.strftime("%d-%m-%Y") if lang == "nl" else value.isoformat()


@cache
def _environment() -> Environment:
    """One template environment per process, shared by every app built in it.

    Jinja compiles a template the first time an environment renders it (about half a second for the
    pages' templates); an environment per app made every new app, in every test, pay that again. The
    environment holds no per-app state: everything a page shows comes in through its context."""
    return Environment(
        loader=PackageLoader("microcred.web", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


class Pages:
    """The template environment and the one way pages are rendered."""

    def __init__(self) -> None:
        self.env = _environment()

    def render(self, request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
        lang = language_of(request)
        html = self.env.get_template(template).render(**self.common(request, lang), **context)
        return HTMLResponse(html, status_code=status, headers={"Content-Language": lang, "Vary": "Cookie"})

    def common(self, request: Request, lang: str) -> dict[str, Any]:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")

        def with_query(**changes: Any) -> str:
            params = {k: v for k, v in request.query_params.items() if k not in changes and k != "page"}
            params.update({k: v for k, v in changes.items() if v not in (None, "")})
            return request.url.path + ("?" + urlencode(params) if params else "")

        return {
            "lang": lang,
            "languages": LANGUAGES,
            "other_lang": "en" if lang == "nl" else "nl",
            "current_path": path,
            "nav_path": request.url.path,
            "t": lambda key, **values: translate(key, lang, **values),
            "label": lambda vocab, code: _label(vocab, code, lang),
            "text": lambda value: _text(value, lang),
            "number": lambda value: _number(value, lang),
            "day": lambda value: _date(value, lang),
            "with_query": with_query,
            "csrf_field": CSRF_FIELD,
            "csrf_token": lambda: csrf_token(request),
            "staff": request.session.get("staff"),
            "csp_nonce": getattr(request.state, "csp_nonce", ""),  # security_headers.py
        }
