"""Pages of a listing: the records after a position in a fixed order, and the position to continue from.

A position is the sort-key values of the last record seen, not an offset, so records written between two
reads neither repeat nor go missing on later pages. Storage computes positions; adapters may carry them
(the API wraps one in an opaque cursor) but never look inside.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from microcred.errors import Invalid

__all__ = ["OfferingOrder", "Page", "Position", "ProviderOrder", "check_page_size"]

T = TypeVar("T")

Position = tuple[str | int, ...]
"""The sort-key values of a listing's last record seen (texts and whole numbers, so it travels as JSON)."""

OfferingOrder = Literal["code", "title", "-ects"]
"""Offerings by code, by Dutch title (case-insensitive), or by ECTS credits, largest first; code breaks ties."""

ProviderOrder = Literal["slug", "name"]
"""Providers by slug, or by Dutch name (case-insensitive); slug breaks ties."""


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """Up to ``limit`` records of a listing; ``next_after`` continues it (None on the last page)."""

    items: list[T]
    next_after: Position | None = None


def check_page_size(limit: int, maximum: int) -> None:
    """Refuse a page size outside 1..``maximum`` with a reason, rather than quietly serving fewer records."""
    if not 1 <= limit <= maximum:
        raise Invalid.field("limit", "range", limit, low=1, high=maximum)
