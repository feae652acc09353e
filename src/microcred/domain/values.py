"""Value types of the register, validated when they are made."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from microcred.errors import Invalid

__all__ = ["MAX_ECTS", "AcademicYear", "Change", "LangText", "ects"]

MAX_ECTS = Decimal(60)
_LANG = re.compile(r"^[a-z]{2}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # C0 controls but tab, LF, CR


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds a C0 control character other than tab, LF and CR (PostgreSQL refuses NUL)."""
    return _CONTROL.search(text) is not None


_YEAR = re.compile(r"^(\d{4})\s*[-/]\s*(\d{2}|\d{4})$")


def ects(value: object, *, field: str = "ects") -> Decimal:
    """Parse a study-point value: a decimal > 0 and ≤ 60 with at most one decimal place (e.g. 1.5)."""
    if isinstance(value, bool):
        raise Invalid.field(field, "ects-number", value)
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise Invalid.field(field, "ects-number", value) from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_ECTS:
        raise Invalid.field(field, "ects-range", value)
    if amount != amount.quantize(Decimal("0.1")):
        raise Invalid.field(field, "ects-decimals", value)
    return amount.quantize(Decimal("0.1")).normalize() if amount % 1 else Decimal(int(amount))


@dataclass(frozen=True, slots=True)
class LangText:
    """A text in one or more languages, keyed by ISO 639-1 code (``{"nl": ..., "en": ...}``)."""

    texts: Mapping[str, str]

    def __post_init__(self) -> None:
        for lang, text in self.texts.items():
            if not isinstance(lang, str) or not _LANG.match(lang):
                raise Invalid.field("language", "language-code", lang)
            if not isinstance(text, str):
                raise Invalid.field(f"text[{lang}]", "text-type", text)
            if has_control_characters(text):
                raise Invalid.field(f"text[{lang}]", "control-characters", text)
        object.__setattr__(self, "texts", {k: v.strip() for k, v in self.texts.items() if v.strip()})

    @classmethod
    def of(cls, nl: str | None = None, en: str | None = None) -> LangText:
        return cls({k: v for k, v in (("nl", nl), ("en", en)) if v})

    def __bool__(self) -> bool:
        return bool(self.texts)

    def get(self, lang: str = "nl") -> str:
        """The text in ``lang``, else in Dutch, else English, else any; empty when there is none."""
        for candidate in (lang, "nl", "en", *self.texts):
            if candidate in self.texts:
                return self.texts[candidate]
        return ""

    def as_dict(self) -> dict[str, str]:
        return dict(self.texts)


@dataclass(frozen=True, slots=True, order=True)
class AcademicYear:
    """A Flemish academic year, written ``2020-21``; it starts on 1 September of ``start_year``."""

    start_year: int

    def __post_init__(self) -> None:
        if not 1900 <= self.start_year <= 2200:
            raise Invalid.field("academic_year", "academic-year-range", self.start_year)

    @classmethod
    def parse(cls, text: str) -> AcademicYear:
        match = _YEAR.match(str(text).strip())
        if not match:
            raise Invalid.field("academic_year", "academic-year-format", text)
        start, end = int(match.group(1)), int(match.group(2))
        if end % 100 != (start + 1) % 100:
            raise Invalid.field("academic_year", "academic-year-sequence", text)
        return cls(start)

    @classmethod
    def of(cls, day: date) -> AcademicYear:
        """The academic year a day falls in (September to August)."""
        return cls(day.year if day.month >= 9 else day.year - 1)

    @property
    def first_day(self) -> date:
        return date(self.start_year, 9, 1)

    @property
    def last_day(self) -> date:
        return date(self.start_year + 1, 8, 31)

    def __str__(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    def next(self) -> AcademicYear:
        return AcademicYear(self.start_year + 1)


class Change(StrEnum):
    """What saving a record did: the import report counts these."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
