"""Growth measures: percentages, an index with the first year at 100, and compound annual growth (CAGR).

All are Decimals rounded half-up to one decimal, so SQLite and PostgreSQL registers print the same figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["cagr", "index_series", "percent"]

_ONE = Decimal("0.1")


def percent(part: int, whole: int | None) -> Decimal | None:
    """``part`` as a percentage of ``whole``; None when there is no base."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(_ONE, rounding=ROUND_HALF_UP)


def index_series(values: Sequence[int | None]) -> list[Decimal | None]:
    """Each value as an index of the first (first = 100); None where a value or the base is unknown."""
    base = values[0] if values else None
    return [None if v is None or not base else percent(v, base) for v in values]


def cagr(first: int | None, last: int | None, periods: int) -> Decimal | None:
    """Compound annual growth in percent over ``periods`` years: ``(last / first) ** (1 / periods) - 1``."""
    if first is None or last is None or first <= 0 or periods <= 0:
        return None
    rate = (Decimal(last) / Decimal(first)) ** (Decimal(1) / Decimal(periods)) - 1
    return (rate * 100).quantize(_ONE, rounding=ROUND_HALF_UP)
