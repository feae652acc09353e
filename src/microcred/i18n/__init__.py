"""Dutch and English for every layer: one catalogue of messages, looked up by key (docs/decisions/0011).

The catalogue is the JSON files in ``catalogue/``; each maps a key to its ``nl`` and ``en`` text, side by
side, so a missing translation shows up in review and in ``tests/i18n``. Keys are unique across the files
(one file per area: ``web``, ``reasons``, ``problems``, ``imports``, ``stats``, ``cli``, ``credentials``).
Texts are ``str.format`` templates: ``{name}``, ``{name!r}`` and format specs work as in Python, and a
literal brace is written twice.

The register's errors carry a reason *code*, never a sentence: the sentence in either language comes from
here, under ``reason.<code>``. This package imports nothing of ours, so every layer may use it.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "REASON_PREFIX",
    "best_language",
    "catalogue",
    "has",
    "placeholders",
    "reason",
    "translate",
]

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
REASON_PREFIX = "reason."


@cache
def catalogue() -> Mapping[str, Mapping[str, str]]:
    """Every key with its ``nl`` and ``en`` text, read once from the package; a key in two files fails."""
    merged: dict[str, dict[str, str]] = {}
    for entry in sorted((files(__package__) / "catalogue").iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        loaded: dict[str, dict[str, str]] = json.loads(entry.read_text("utf-8"))
        twice = sorted(merged.keys() & loaded.keys())
        if twice:
            raise ValueError(f"catalogue/{entry.name} repeats keys of another file: {twice}")
        merged.update(loaded)
    return merged


def has(key: str) -> bool:
    return key in catalogue()


def translate(key: str, lang: str, /, **values: Any) -> str:
    """The message ``key`` in ``lang`` with its placeholders filled; a missing key or language fails loudly."""
    try:
        text = catalogue()[key][lang]
    except KeyError:
        raise KeyError(f"no {lang!r} message for {key!r} in the i18n catalogue") from None
    return text.format(**values)


def reason(code: str, lang: str, /, **values: Any) -> str:
    """The words for the reason ``code`` (a :class:`~microcred.errors.FieldProblem` or error) in ``lang``."""
    return translate(REASON_PREFIX + code, lang, **values)


def placeholders(text: str) -> set[str]:
    """The names a text's ``{...}`` placeholders use (``{slug!r}`` and ``{n:,}`` count as ``slug``, ``n``)."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}


def best_language(accept_language: str | None) -> str:
    """The best of ``Accept-Language`` (RFC 9110 §12.5.4) that the catalogue speaks, else Dutch: how the web
    pages and the API pick the language of what they answer or mail."""
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
