"""The visitor's language: the ``lang`` cookie (set by the switch link), else ``Accept-Language``, else Dutch.

The texts themselves come from the one catalogue in :mod:`microcred.i18n`.
"""

from __future__ import annotations

from microcred.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "LANGUAGE_COOKIE", "choose_language", "translate"]

LANGUAGE_COOKIE = "lang"


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
