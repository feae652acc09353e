"""The visitor's language: the ``lang`` cookie (set by the switch link), else ``Accept-Language``, else Dutch.

The texts themselves come from the one catalogue in :mod:`microcred.i18n`.
"""

from __future__ import annotations

from microcred.i18n import DEFAULT_LANGUAGE, LANGUAGES, best_language, translate

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "LANGUAGE_COOKIE", "choose_language", "translate"]

LANGUAGE_COOKIE = "lang"


def choose_language(cookie: str | None, accept_language: str | None) -> str:
    """The cookie's language when valid, else the best of ``Accept-Language`` we speak, else Dutch."""
    if cookie in LANGUAGES:
        return str(cookie)
    return best_language(accept_language)
