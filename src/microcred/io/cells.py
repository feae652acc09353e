"""Cell values: how one spreadsheet cell is read into a typed value and written back as text.

Every layout column has a kind; the kind decides the parser and the writer, so reading and writing
cannot drift apart. List cells separate items with ``|``; a ``|`` or ``\\`` inside an item is escaped
with a backslash, which makes lists round-trip without loss.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Any

from microcred.domain import ects
from microcred.errors import Invalid
from microcred.i18n import reason as reason_text
from microcred.vocab import vocabulary

__all__ = [
    "CellError",
    "Kind",
    "Notice",
    "Problem",
    "join_list",
    "neutralise",
    "parse_date",
    "split_list",
    "unneutralise",
]

_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00)?)?$")
_SPLIT = re.compile(r"(?<!\\)(?:\\\\)*\|")
_FORMULA_START = ("=", "+", "-", "@")


class Kind(StrEnum):
    """How a column's cells are read and written."""

    TEXT = "text"
    CODE = "code"  # one code of a vocabulary, or its nl/en label
    CODES = "codes"  # several codes separated by |
    TEXTS = "texts"  # several texts separated by |
    DATES = "dates"  # several dates separated by |
    INTEGER = "integer"
    ECTS = "ects"
    DATE = "date"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input file, located by row and column, with a reason code (and its ``params``)."""

    row: int
    column: str
    value: str | None
    code: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def reason(self, lang: str = "en") -> str:
        """The reason in ``lang``, from the catalogue (``reason.<code>``)."""
        return reason_text(self.code, lang, **self.params)


@dataclass(frozen=True, slots=True)
class Notice:
    """A value that was read in a documented but unusual way and kept: what was read, what is stored, and why.

    Never about a secret column: warnings may show the value read.
    """

    row: int
    column: str
    read: str
    stored: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def reason(self, lang: str = "en") -> str:
        """Why the value deserves a look, in ``lang``, from the catalogue (``reason.<code>``)."""
        return reason_text(self.code, lang, **self.params)


class CellError(ValueError):
    """A cell that cannot be read: the reason code and its parameters."""

    def __init__(self, code: str, /, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def split_list(text: str) -> list[str]:
    """Items of a list cell (``a | b``), unescaping ``\\|`` and ``\\\\``; empty cell, no items."""
    if not text.strip():
        return []
    items: list[str] = []
    start = 0
    for match in _SPLIT.finditer(text):
        end = match.end() - 1
        items.append(text[start:end])
        start = match.end()
    items.append(text[start:])
    return [item.replace("\\|", "|").replace("\\\\", "\\").strip() for item in items]


def join_list(items: Sequence[str]) -> str:
    """The list cell for ``items``; all-empty lists give an empty cell."""
    if not any(items):
        return ""
    return " | ".join(item.replace("\\", "\\\\").replace("|", "\\|") for item in items)


def neutralise(text: str) -> str:
    """Prefix an apostrophe so a spreadsheet shows the cell as text instead of running it as a formula.

    Cells starting with ``= + - @`` get one; so do cells starting with an apostrophe followed by one of
    those or by another apostrophe, which makes :func:`unneutralise` the exact inverse (``'s-Gravenbrakel``
    is left alone both ways).
    """
    if text.startswith(_FORMULA_START) or (text[:1] == "'" and text[1:2] in ("=", "+", "-", "@", "'")):
        return "'" + text
    return text


def unneutralise(text: str) -> str:
    """Undo :func:`neutralise`: drop one leading apostrophe that precedes ``= + - @`` or ``'``."""
    if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@", "'"):
        return text[1:]
    return text


@lru_cache(maxsize=8192)  # an import repeats the same few hundred days and codes
def parse_date(text: str) -> date:
    """A day written ``2024-09-23`` (ISO) or ``23/09/2024`` (day first, as in Flanders)."""
    iso = _ISO_DAY.match(text)
    try:
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        day_first = _DAY_FIRST.match(text)
        if day_first:
            return date(int(day_first.group(3)), int(day_first.group(2)), int(day_first.group(1)))
    except ValueError:
        raise CellError("no-such-day") from None
    raise CellError("date-like")


def parse_integer(text: str) -> int:
    cleaned = text.strip().removesuffix(".0")
    if not re.fullmatch(r"-?\d{1,9}", cleaned):
        raise CellError("whole-number")
    return int(cleaned)


def parse_ects(text: str) -> Decimal:
    try:
        return ects(text)
    except Invalid as error:
        problem = error.problems[0] if error.problems else None
        raise (CellError(problem.code, **problem.params) if problem else CellError("ects-number")) from None


@lru_cache(maxsize=8192)
def parse_code(text: str, vocab: str) -> str:
    concept = vocabulary(vocab).resolve(text)
    if concept is None:
        raise CellError("not-in-vocabulary", vocab=vocab)
    return concept.code


def format_cell(value: object) -> str:
    """A spreadsheet value (number, date, text) as the text a person sees; None is empty."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def reading_note(row: int, column: str, kind: Kind, cell: str, value: object) -> Notice | None:
    """A warning for a cell read as ``value`` in a documented but unusual way, or None when read as written.

    Three documented readings are kept but flagged, because a person may not have meant them: a decimal
    comma in study points, a numeric code that lost its leading zero (a spreadsheet or JSON number drops
    it), and a day-first date whose day and month could be swapped (``03/04/2025``).
    """
    stored = stored_text(value)
    if kind is Kind.ECTS and "," in cell:
        return Notice(row, column, cell, stored, "decimal-comma")
    if kind is Kind.CODE and cell.isdigit() and stored != cell:
        return Notice(row, column, cell, stored, "leading-zero-restored")
    if kind is Kind.DATE:
        day_first = _DAY_FIRST.match(cell)
        day, month = (int(day_first.group(1)), int(day_first.group(2))) if day_first else (0, 0)
        if day_first and day <= 12 and day != month:  # the other reading is also a day
            return Notice(row, column, cell, stored, "day-first-ambiguous")
    return None


def stored_text(value: object) -> str:
    """A parsed value as a warning shows what is stored."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
