"""The catalogue's seams: providers, offerings and the search over them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from microcred.domain import (
    Change,
    Edition,
    LangText,
    Offering,
    OfferingKind,
    OfferingOrder,
    OfferingStatus,
    Page,
    Position,
    Provider,
    ProviderOrder,
    ProviderType,
    QualityAssurance,
)

__all__ = ["Found", "OfferingRepository", "OfferingSearch", "OfferingTally", "ProviderRepository"]


class ProviderRepository(Protocol):
    def id_of(self, slug: str) -> int: ...
    def get(self, slug: str) -> Provider: ...
    def quality_assurances(self, slug: str) -> list[QualityAssurance]: ...
    def names(self, slugs: Iterable[str]) -> dict[str, LangText]: ...
    def all(self) -> list[Provider]: ...
    def page(
        self,
        *,
        type: ProviderType | None = ...,
        trusted: bool | None = ...,
        on: date | None = ...,
        order: ProviderOrder = ...,
        after: Position | None = ...,
        limit: int,
    ) -> Page[Provider]: ...
    def save(self, provider: Provider) -> Change: ...


class OfferingRepository(Protocol):
    """Lists are keyset pages (``page``) or walked whole (``iterate``): no list is cut off at a size."""

    def get(self, provider: str, code: str) -> Offering: ...
    def get_by_id(self, offering_id: int) -> Offering: ...
    def page(
        self,
        provider: str | None = None,
        *,
        status: OfferingStatus | None = ...,
        kind: OfferingKind | None = ...,
        order: OfferingOrder = ...,
        after: Position | None = ...,
        limit: int,
    ) -> Page[Offering]: ...
    def iterate(self, provider: str | None = None, *, batch: int = ...) -> Iterator[Offering]: ...
    def count(self, provider: str | None = None) -> int: ...
    def save(self, offering: Offering) -> Change: ...


class OfferingTally(Protocol):
    """Figures over all of a provider's offerings with one status (``OfferingSearch.tally``)."""

    @property
    def total(self) -> int: ...
    @property
    def ects(self) -> Decimal: ...
    @property
    def by_kind(self) -> Mapping[str, int]: ...
    @property
    def by_level(self) -> Mapping[int, int]: ...


class Found(Protocol):
    """An offering a search found: its provider and code at once, the whole offering when asked."""

    provider: str
    code: str

    def offering(self) -> Offering: ...


class OfferingSearch(Protocol):
    """Full-text search and filters over offerings (``storage/search.py``)."""

    def find(
        self,
        text_query: str = "",
        *,
        status: str | None = ...,
        provider: str | None = ...,
        isced_field: str | None = ...,
        eqf_level: int | None = ...,
        vks_level: int | None = ...,
        ects_min: Decimal | None = ...,
        ects_max: Decimal | None = ...,
        language: str | None = ...,
        participation_form: str | None = ...,
        kind: str | None = ...,
        starts_from: date | None = ...,
        starts_until: date | None = ...,
        title_language: str = ...,
        limit: int,
        offset: int = ...,
    ) -> tuple[int, list[Offering]]: ...
    def find_lazily(self, text_query: str = "", **filters: Any) -> tuple[int, Sequence[Found]]:
        """:meth:`find`, each offering read from storage only when asked."""
        ...

    def catalogue_version(self) -> str: ...
    def facets(self, *, status: str = ...) -> dict[str, list[str]]: ...
    def counts_by_provider(self, *, status: str = ...) -> dict[str, int]: ...
    def editions_count(self, provider: str, *, status: str = ...) -> int: ...
    def tally(self, provider: str, *, status: str = ...) -> OfferingTally: ...
    def next_editions(self, offering_ids: list[int], *, on: date) -> dict[int, Edition]: ...
    def seats_taken(self, edition_ids: list[int]) -> dict[int, int]: ...
