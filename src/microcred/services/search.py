"""Searching the catalogue: free text over titles, descriptions, learning outcomes and their ESCO skills, and filters.

One interface over two engines: the unit of work's ``search`` repository uses SQLite FTS5 or PostgreSQL
full-text search; both match every word, or its Dutch or English stem, as a prefix and ignore case, so the
same query finds the same offerings on either backend (decisions 0008 and 0022).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TypeVar, cast

from microcred.domain import Edition, LangText, Offering, OfferingKind, OfferingStatus, ParticipationForm, Provider
from microcred.domain.values import has_control_characters
from microcred.domain.words import Highlight, highlight, query_terms
from microcred.errors import FieldProblem, Invalid, NotFound
from microcred.services.dependencies import Dependencies
from microcred.services.ports import UnitOfWork, UnitOfWorkFactory
from microcred.services.ports.catalogue import Found
from microcred.services.versioned_cache import VersionedCache
from microcred.vocab import vocabulary

__all__ = [
    "MAX_PAGE_SIZE",
    "CatalogueFacets",
    "CatalogueHit",
    "CataloguePage",
    "CatalogueQuery",
    "ProviderProfile",
    "PublishedOffering",
    "Search",
    "Upcoming",
    "catalogue_facets",
    "editions_of",
    "find_offerings",
    "provider_profile",
    "published_counts",
    "published_offering",
    "search_offerings",
    "why_it_matched",
]

T = TypeVar("T")
P = TypeVar("P")

MAX_QUERY_LENGTH = 200
SNIPPET_CONTEXT = 60
"""About how many characters a result's snippet shows either side of the first word the query found."""
TITLE_LANGUAGES = ("nl", "en")
MAX_PAGE_SIZE = 100
"""The most offerings one catalogue page may hold; a larger page is refused (Invalid), never cut short."""


@dataclass(frozen=True, slots=True)
class CatalogueQuery:
    """What a visitor asks the catalogue; every filter is optional and they combine with AND."""

    text: str = ""
    provider: str | None = None
    isced_field: str | None = None  # a broad, narrow or detailed ISCED-F code; narrower codes match
    eqf_level: int | None = None
    vks_level: int | None = None
    ects_min: Decimal | None = None
    ects_max: Decimal | None = None
    language: str | None = None
    participation_form: ParticipationForm | None = None
    kind: OfferingKind | None = None
    starts_from: date | None = None  # an edition starts on or after this day
    starts_until: date | None = None
    page: int = 1
    page_size: int = 20
    title_language: str = "nl"  # the reader's: titles sort, and hits are highlighted, in this language

    def problems(self) -> list[FieldProblem]:
        found: list[FieldProblem] = []
        if len(self.text) > MAX_QUERY_LENGTH:
            found.append(FieldProblem("q", "too-long", params={"limit": MAX_QUERY_LENGTH}))
        if has_control_characters(self.text):  # a NUL would reach PostgreSQL, which refuses it with a 500
            found.append(FieldProblem("q", "control-characters", self.text[:40]))
        if self.isced_field is not None and self.isced_field not in vocabulary("isced-f"):
            found.append(FieldProblem("isced_field", "isced-field-code", self.isced_field))
        for name in ("eqf_level", "vks_level"):
            level = getattr(self, name)
            if level is not None and not 1 <= level <= 8:
                found.append(FieldProblem(name, "level-from-1-to-8", level))
        if self.ects_min is not None and self.ects_max is not None and self.ects_min > self.ects_max:
            found.append(FieldProblem("ects_max", "below-minimum", str(self.ects_max)))
        if self.starts_from and self.starts_until and self.starts_from > self.starts_until:
            found.append(FieldProblem("starts_until", "before-first-start"))
        if self.page < 1:
            found.append(FieldProblem("page", "page-number", self.page))
        if self.title_language not in TITLE_LANGUAGES:
            found.append(FieldProblem("title_language", "unknown-value", self.title_language))
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            found.append(FieldProblem("page_size", "range", self.page_size, params={"low": 1, "high": MAX_PAGE_SIZE}))
        return found


@dataclass(frozen=True, slots=True)
class Upcoming:
    """An edition a learner can still join: it starts on or after today; its places left if it has a capacity."""

    edition: Edition
    places_left: int | None


@dataclass(frozen=True, slots=True)
class CatalogueHit:
    offering: Offering
    next_edition: Upcoming | None  # the first edition starting on or after the day of the search
    title: Highlight  # the title in the reader's language, the words the query found marked
    snippet: Highlight | None  # for a text query: where else the query found the offering, or None


def why_it_matched(offering: Offering, text: str, language: str) -> tuple[Highlight, Highlight | None]:
    """The title in ``language`` with the words ``text`` found marked, and a snippet of the first other text
    (the title in the other language, the description, the learning outcomes; the reader's language first;
    last the English labels of the outcomes' ESCO skills) in which it found a word."""
    terms = query_terms(text)
    title_language = language if offering.title.texts.get(language) else _other(language)
    title = highlight(offering.title.get(language), title_language, terms)
    if not terms:
        return title, None
    texts: list[LangText] = [offering.description, *(outcome.text for outcome in offering.learning_outcomes)]
    for code in (language, _other(language)):
        for candidate in texts if code == title_language else [offering.title, *texts]:
            written = candidate.texts.get(code)
            if written:
                marked = highlight(written, code, terms, around=SNIPPET_CONTEXT)
                if marked.matched:
                    return title, marked
    for label in (label for outcome in offering.learning_outcomes for label in outcome.skill_labels):
        marked = highlight(label, "en", terms)
        if marked.matched:
            return title, marked
    return title, None


def _other(language: str) -> str:
    return "en" if language == "nl" else "nl"


@dataclass(frozen=True, slots=True)
class CataloguePage:
    query: CatalogueQuery
    total: int
    hits: list[CatalogueHit] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.page_size))


@dataclass(frozen=True, slots=True)
class CatalogueFacets:
    """The filter values that lead somewhere: providers, ISCED broad fields and languages in use."""

    providers: list[str]
    isced_fields: list[str]
    languages: list[str]


def search_offerings(query: CatalogueQuery, uow: UnitOfWorkFactory, *, today: date) -> CataloguePage:
    """One page of published offerings matching ``query``: best text match first, else by title; ``today`` picks
    each hit's next edition."""
    with uow() as work:
        total, offerings = _find(work, query)
        upcoming = _with_places(
            work, work.search.next_editions([o.id for o in offerings if o.id is not None], on=today)
        )
        hits = [
            CatalogueHit(
                offering, upcoming.get(offering.id or 0), *why_it_matched(offering, query.text, query.title_language)
            )
            for offering in offerings
        ]
    return CataloguePage(query=query, total=total, hits=hits)


def find_offerings(query: CatalogueQuery, uow: UnitOfWorkFactory) -> tuple[int, list[Offering]]:
    """The same offerings, in the same order, as :func:`search_offerings`, and how many match in all, without
    what only a result page shows (next editions, places left, highlights): the API lists offerings only, and a
    search request spent about a third of its time on those."""
    with uow() as work:
        return _find(work, query)


def _find(work: UnitOfWork, query: CatalogueQuery) -> tuple[int, list[Offering]]:
    total, found = _find_lazily(work, query)
    return total, [each.offering() for each in found]


def _find_lazily(work: UnitOfWork, query: CatalogueQuery) -> tuple[int, Sequence[Found]]:
    found = query.problems()
    if found:
        raise Invalid("search-invalid", problems=found)
    return work.search.find_lazily(
        query.text,
        status=OfferingStatus.PUBLISHED.value,
        provider=query.provider,
        isced_field=query.isced_field,
        eqf_level=query.eqf_level,
        vks_level=query.vks_level,
        ects_min=query.ects_min,
        ects_max=query.ects_max,
        language=query.language,
        participation_form=query.participation_form.value if query.participation_form else None,
        kind=query.kind.value if query.kind else None,
        starts_from=query.starts_from,
        starts_until=query.starts_until,
        title_language=query.title_language,
        limit=query.page_size,
        offset=(query.page - 1) * query.page_size,
    )


def _with_places(work: UnitOfWork, editions: dict[int, Edition]) -> dict[int, Upcoming]:
    """The editions (by offering id) with their places left, counted in one query."""
    taken = work.search.seats_taken([e.id for e in editions.values() if e.id is not None])
    return {
        offering: Upcoming(
            edition, None if edition.capacity is None else max(0, edition.capacity - taken.get(edition.id or 0, 0))
        )
        for offering, edition in editions.items()
    }


def catalogue_facets(uow: UnitOfWorkFactory) -> CatalogueFacets:
    with uow() as work:
        values = work.search.facets(status=OfferingStatus.PUBLISHED.value)
    return CatalogueFacets(values["providers"], values["isced_fields"], values["languages"])


@dataclass(frozen=True, slots=True)
class ProviderProfile:
    """A provider's published offerings (first ``limit``) and simple figures about all of them."""

    offerings: list[Offering]
    total: int
    editions: int
    ects: Decimal
    by_kind: list[tuple[str, int]]
    by_level: list[tuple[int, int]]


def published_counts(uow: UnitOfWorkFactory) -> dict[str, int]:
    """How many published offerings each provider has."""
    with uow() as work:
        return work.search.counts_by_provider(status=OfferingStatus.PUBLISHED.value)


def provider_profile(provider: str, uow: UnitOfWorkFactory, *, limit: int = 200) -> ProviderProfile:
    """The figures shown on a provider's public page, counted by the database over all published offerings,
    and the first ``limit`` of those offerings by title (the page says when there are more)."""
    published = OfferingStatus.PUBLISHED.value
    with uow() as work:
        work.providers.id_of(provider)  # NotFound for an unknown provider
        _, offerings = work.search.find(status=published, provider=provider, limit=limit)
        tally = work.search.tally(provider, status=published)
        editions = work.search.editions_count(provider, status=published)
    return ProviderProfile(
        offerings=offerings,
        total=tally.total,
        editions=editions,
        ects=tally.ects,
        by_kind=sorted(tally.by_kind.items(), key=lambda item: (-item[1], item[0])),
        by_level=sorted(tally.by_level.items()),
    )


def editions_of(provider: str, code: str, uow: UnitOfWorkFactory) -> list[Edition]:
    """The editions of one offering, earliest first."""
    with uow() as work:
        return work.editions.list_for_offering(provider, code)


@dataclass(frozen=True, slots=True)
class PublishedOffering:
    """What an offering's public page shows: who offers and awards it, its editions and what it stacks into."""

    offering: Offering
    provider: Provider
    awarding_body: Provider
    editions: list[Edition]
    stacks_into: list[tuple[str, Offering | None]]  # each name, with the provider's offering of that code if any
    upcoming: list[Upcoming]  # the editions starting on or after today, earliest first, with places left


def published_offering(provider: str, code: str, uow: UnitOfWorkFactory, *, today: date) -> PublishedOffering:
    """A published offering with what its page shows, read in one transaction; a draft is not found.
    ``today`` decides which editions a learner can still join."""
    with uow() as work:
        offering = work.offerings.get(provider, code)
        if offering.status is not OfferingStatus.PUBLISHED:
            raise NotFound("no-published-offering", provider=provider, code=code)
        owner = work.providers.get(provider)
        awarding = _provider_or(work, offering.awarding_body, owner) if offering.awarding_body else owner
        editions = work.editions.list_for_offering(provider, code)
        coming = [edition for edition in editions if edition.start_date >= today and edition.id is not None]
        with_places = _with_places(work, {edition.id or 0: edition for edition in coming})
        return PublishedOffering(
            offering=offering,
            provider=owner,
            awarding_body=awarding,
            editions=editions,
            stacks_into=[(name, _offering_or_none(work, provider, name)) for name in offering.stackable_into],
            upcoming=[with_places[edition.id or 0] for edition in coming],
        )


def _provider_or(work: UnitOfWork, slug: str, default: Provider) -> Provider:
    try:
        return work.providers.get(slug)
    except NotFound:
        return default


def _offering_or_none(work: UnitOfWork, provider: str, code: str) -> Offering | None:
    try:
        return work.offerings.get(provider, code)
    except NotFound:
        return None


class Search:
    """The public catalogue, bound to one register and its clock."""

    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps
        self.answers: VersionedCache[object] = VersionedCache(deps.settings.catalogue_cache_size)
        # Each offering's rendered part, per renderer, for pages not kept whole: varied searches list the same
        # offerings in ever other pages (16 parts a page kept; the full demo register has 2,275 offerings).
        self.parts: VersionedCache[object] = VersionedCache(deps.settings.catalogue_cache_size * 16)

    def answer(
        self,
        query: CatalogueQuery,
        render: Callable[[CatalogueQuery, int, list[P]], T],
        part: Callable[[Offering], P],
    ) -> T:
        """``render(query, total, [part(offering) ...])`` of :meth:`find_offerings`, kept (per ``render``) while
        no offering or provider changed: a popular query then costs a version check; and each offering's
        ``part`` is kept likewise, so a page not kept renders only the offerings not yet rendered
        (docs/decisions/0041). Within one version an offering's part depends on the offering alone."""
        with self._deps.uow() as work:
            version = work.search.catalogue_version()
            key = (render, repr(query))  # repr: ects 1 and 1.0 are equal Decimals, yet their cursors differ
            kept = self.answers.get(version, key)
            if kept is not None:
                return cast(T, kept)
            total, found = _find_lazily(work, query)
        parts: list[P] = []
        for each in found:
            name = (part, each.provider, each.code)
            made = self.parts.get(version, name)
            if made is None:
                made = part(each.offering())
                self.parts.put(version, name, made)
            parts.append(cast(P, made))
        answer = render(query, total, parts)
        self.answers.put(version, key, answer)
        return answer

    def search_offerings(self, query: CatalogueQuery) -> CataloguePage:
        return search_offerings(query, self._deps.uow, today=self._deps.clock().date())

    def find_offerings(self, query: CatalogueQuery) -> tuple[int, list[Offering]]:
        return find_offerings(query, self._deps.uow)

    def catalogue_facets(self) -> CatalogueFacets:
        return catalogue_facets(self._deps.uow)

    def published_counts(self) -> dict[str, int]:
        return published_counts(self._deps.uow)

    def provider_profile(self, provider: str, *, limit: int = 200) -> ProviderProfile:
        return provider_profile(provider, self._deps.uow, limit=limit)

    def editions_of(self, provider: str, code: str) -> list[Edition]:
        return editions_of(provider, code, self._deps.uow)

    def published_offering(self, provider: str, code: str) -> PublishedOffering:
        return published_offering(provider, code, self._deps.uow, today=self._deps.clock().date())
