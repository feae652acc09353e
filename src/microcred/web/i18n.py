"""Dutch and English for the web pages: one message catalogue (``messages.json``), the visitor's language.

Each message key holds both languages side by side, so a missing translation shows up in review and in
``tests/web/test_messages.py``. The language comes from the ``lang`` cookie (set by the switch link), else
from ``Accept-Language``, else Dutch.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "choose_language", "messages", "translate"]

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
LANGUAGE_COOKIE = "lang"


@cache
def messages() -> dict[str, dict[str, str]]:
    """Every message key with its ``nl`` and ``en`` text, read once from the package."""
    loaded: dict[str, dict[str, str]] = json.loads((files(__package__) / "messages.json").read_text("utf-8"))
    return loaded


def translate(key: str, lang: str, **values: Any) -> str:
    """The message ``key`` in ``lang`` with ``{name}`` placeholders filled; a missing key fails loudly."""
    try:
        text = messages()[key][lang]
    except KeyError:
        raise KeyError(f"no {lang!r} message for {key!r} in web/messages.json") from None
    return text.format(**values) if values else text


def choose_language(cookie: str | None, accept_language: str | None) -> str:
    """The cookie's language when valid, else the best of ``Accept-Language`` we speak, else Dutch."""
    if cookie in LANGUAGES:
        return str(cookie)
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return sorted(ranked)[0][2] if ranked else DEFAULT_LANGUAGE
