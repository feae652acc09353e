"""Use cases for providers and offerings: register, update, look up and check against the EU elements."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from microcred.domain import (
    Change,
    LearningOutcome,
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
    check_eu_elements,
    check_page_size,
    is_trusted,
)
from microcred.errors import Conflict, FieldProblem, Invalid
from microcred.services.dependencies import Dependencies
from microcred.services.new_records import add_new, save_one
from microcred.services.ports import UnitOfWorkFactory

__all__ = [
    "MAX_OFFERINGS_PAGE",
    "MAX_PROVIDERS_PAGE",
    "Catalogue",
    "TrustedProvider",
    "add_offering",
    "add_provider",
    "add_quality_assurance",
    "check_offering",
    "edit_offering",
    "get_offering",
    "get_provider",
    "keep_esco_links",
    "list_offerings",
    "list_providers",
    "offerings_page",
    "providers_page",
    "publish_offering",
    "save_offering",
    "save_provider",
    "trusted_providers",
]

MAX_PROVIDERS_PAGE = 100
"""The most providers one page may hold; a larger page is refused (Invalid), never cut short."""

MAX_OFFERINGS_PAGE = 100
"""The most offerings one page may hold; a larger page is refused (Invalid), never cut short."""


def add_provider(provider: Provider, uow: UnitOfWorkFactory) -> Provider:
    """Register a new provider; a provider with the same slug is a conflict."""
    provider.validate()
    add_new(
        uow,
        lookup=lambda work: work.providers.get(provider.slug),
        save=lambda work: work.providers.save(provider),
        taken=Conflict("provider-exists", slug=provider.slug),
    )
    return provider


def save_provider(provider: Provider, uow: UnitOfWorkFactory) -> Change:
    """Create or update a provider and its quality-assurance records (idempotent)."""
    provider.validate()
    return save_one(uow, lambda work: work.providers.save(provider))


def get_provider(slug: str, uow: UnitOfWorkFactory) -> Provider:
    with uow() as work:
        return work.providers.get(slug)


def list_providers(uow: UnitOfWorkFactory) -> list[Provider]:
    with uow() as work:
        return work.providers.all()


def providers_page(
    uow: UnitOfWorkFactory,
    *,
    type: ProviderType | None = None,
    trusted: bool | None = None,
    on: date | None = None,
    order: ProviderOrder = "slug",
    after: Position | None = None,
    limit: int,
) -> Page[Provider]:
    """One page of providers, filtered by type or by trust ``on`` a day; continue with its ``next_after``."""
    check_page_size(limit, MAX_PROVIDERS_PAGE)
    with uow() as work:
        return work.providers.page(type=type, trusted=trusted, on=on, order=order, after=after, limit=limit)


def add_offering(offering: Offering, uow: UnitOfWorkFactory) -> Offering:
    """Register a new offering for its provider; the provider's code must be new."""
    offering.validate()
    add_new(
        uow,
        parent=lambda work: work.providers.id_of(offering.provider),
        lookup=lambda work: work.offerings.get(offering.provider, offering.code),
        save=lambda work: work.offerings.save(offering),
        taken=Conflict("offering-exists", provider=offering.provider, code=offering.code),
    )
    return offering


def save_offering(offering: Offering, uow: UnitOfWorkFactory) -> Change:
    """Create or update an offering (idempotent); publishing requires every mandatory EU element."""
    offering.validate()
    return save_one(uow, lambda work: work.offerings.save(offering))


def get_offering(provider: str, code: str, uow: UnitOfWorkFactory) -> Offering:
    with uow() as work:
        return work.offerings.get(provider, code)


def list_offerings(uow: UnitOfWorkFactory, *, provider: str | None = None) -> list[Offering]:
    """Every offering (of one provider) by provider and code, however many: for tables shown whole."""
    with uow() as work:
        return list(work.offerings.iterate(provider))


def offerings_page(
    uow: UnitOfWorkFactory,
    provider: str,
    *,
    status: OfferingStatus | None = None,
    kind: OfferingKind | None = None,
    order: OfferingOrder = "code",
    after: Position | None = None,
    limit: int,
) -> Page[Offering]:
    """One page of the provider's offerings, drafts included; continue with its ``next_after``."""
    check_page_size(limit, MAX_OFFERINGS_PAGE)
    with uow() as work:
        return work.offerings.page(provider, status=status, kind=kind, order=order, after=after, limit=limit)


def check_offering(provider: str, code: str, uow: UnitOfWorkFactory) -> list[FieldProblem]:
    """The EU elements the stored offering misses or gets wrong; empty when it is complete."""
    return check_eu_elements(get_offering(provider, code, uow))


def publishable(offering: Offering) -> Offering:
    """Raise Invalid listing every missing element unless the offering may be published."""
    problems = check_eu_elements(offering)
    if problems:
        raise Invalid("offering-not-publishable", problems=problems, code=offering.code)
    offering.status = OfferingStatus.PUBLISHED
    return offering


_FIXED = frozenset({"provider", "code", "id"})


def edit_offering(provider: str, code: str, changes: Mapping[str, Any], uow: UnitOfWorkFactory) -> Offering:
    """Change some elements of a stored offering in one transaction; the elements not given stay as stored.

    A form that edits only the outcome texts loses no ESCO skill links: see :func:`keep_esco_links`.
    """
    refused = sorted((set(changes) - {f.name for f in fields(Offering)}) | (_FIXED & set(changes)))
    if refused:
        raise Invalid.field(refused[0], "not-editable")
    with uow() as work:
        stored = work.offerings.get(provider, code)
        outcomes = changes.get("learning_outcomes")
        if outcomes is not None:
            changes = {**changes, "learning_outcomes": keep_esco_links(outcomes, stored.learning_outcomes)}
        edited = replace(stored, **changes).validate()
        work.offerings.save(edited)
        work.commit()
    return edited


def keep_esco_links(edited: list[LearningOutcome], stored: list[LearningOutcome]) -> list[LearningOutcome]:
    """The edited outcomes, each without a skill of its own given the ESCO skill of the stored one it still is.

    An outcome is still the stored one when one of its texts is unchanged, or, when the number of outcomes
    is the same, when it sits at the same position (a reworded outcome).
    """
    by_text = {text: o.esco_skill for o in stored if o.esco_skill for text in o.text.texts.values() if text}
    same_count = len(edited) == len(stored)
    kept = []
    for position, outcome in enumerate(edited):
        skill = outcome.esco_skill or next((by_text[t] for t in outcome.text.texts.values() if t in by_text), None)
        if skill is None and same_count:
            skill = stored[position].esco_skill
        kept.append(LearningOutcome(outcome.text, skill) if skill else outcome)
    return kept


def publish_offering(provider: str, code: str, uow: UnitOfWorkFactory) -> Offering:
    """Publish a stored offering in one transaction; Invalid lists every missing mandatory EU element."""
    with uow() as work:
        offering = publishable(work.offerings.get(provider, code))
        offering.validate()
        work.offerings.save(offering)
        work.commit()
    return offering


def add_quality_assurance(provider: str, record: QualityAssurance, uow: UnitOfWorkFactory) -> QualityAssurance:
    """Add a quality-assurance record to a provider (trusted while it is valid); the same record twice is a
    conflict."""
    with uow() as work:
        stored = work.providers.get(provider)
        key = (record.agency, record.kind, record.valid_from)
        if any((r.agency, r.kind, r.valid_from) == key for r in stored.quality_assurances):
            raise Conflict("qa-record-exists")
        stored.quality_assurances.append(record)
        stored.validate()
        work.providers.save(stored)
        work.commit()
    return record


@dataclass(frozen=True, slots=True)
class TrustedProvider:
    """A provider trusted on a day, with the quality-assurance records valid that day."""

    provider: Provider
    quality_assurances: list[QualityAssurance]


def trusted_providers(uow: UnitOfWorkFactory, *, on: date) -> list[TrustedProvider]:
    """Every provider trusted on ``on`` (the trust rule), by slug."""
    return [
        TrustedProvider(provider, [r for r in provider.quality_assurances if r.covers(on)])
        for provider in list_providers(uow)
        if is_trusted(provider, on)
    ]


class Catalogue:
    """Providers and offerings, bound to one register (built once by bootstrap)."""

    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps

    def add_provider(self, provider: Provider) -> Provider:
        return add_provider(provider, self._deps.uow)

    def save_provider(self, provider: Provider) -> Change:
        return save_provider(provider, self._deps.uow)

    def get_provider(self, slug: str) -> Provider:
        return get_provider(slug, self._deps.uow)

    def list_providers(self) -> list[Provider]:
        return list_providers(self._deps.uow)

    def is_trusted(self, provider: Provider) -> bool:
        """The trust rule applied today, by the register's clock."""
        return is_trusted(provider, self._deps.clock().date())

    def add_offering(self, offering: Offering) -> Offering:
        return add_offering(offering, self._deps.uow)

    def save_offering(self, offering: Offering) -> Change:
        return save_offering(offering, self._deps.uow)

    def get_offering(self, provider: str, code: str) -> Offering:
        return get_offering(provider, code, self._deps.uow)

    def list_offerings(self, *, provider: str | None = None) -> list[Offering]:
        return list_offerings(self._deps.uow, provider=provider)

    def providers_page(
        self,
        *,
        type: ProviderType | None = None,
        trusted: bool | None = None,
        order: ProviderOrder = "slug",
        after: Position | None = None,
        limit: int,
    ) -> Page[Provider]:
        """One page of providers; ``trusted`` is judged today, by the register's clock."""
        return providers_page(
            self._deps.uow,
            type=type,
            trusted=trusted,
            on=self._deps.clock().date(),
            order=order,
            after=after,
            limit=limit,
        )

    def offerings_page(
        self,
        provider: str,
        *,
        status: OfferingStatus | None = None,
        kind: OfferingKind | None = None,
        order: OfferingOrder = "code",
        after: Position | None = None,
        limit: int,
    ) -> Page[Offering]:
        return offerings_page(self._deps.uow, provider, status=status, kind=kind, order=order, after=after, limit=limit)

    def check_offering(self, provider: str, code: str) -> list[FieldProblem]:
        return check_offering(provider, code, self._deps.uow)

    def edit_offering(self, provider: str, code: str, changes: Mapping[str, Any]) -> Offering:
        return edit_offering(provider, code, changes, self._deps.uow)

    def publish_offering(self, provider: str, code: str) -> Offering:
        return publish_offering(provider, code, self._deps.uow)

    def add_quality_assurance(self, provider: str, record: QualityAssurance) -> QualityAssurance:
        return add_quality_assurance(provider, record, self._deps.uow)

    def trusted_providers(self) -> list[TrustedProvider]:
        """The providers trusted today, by the register's clock."""
        return trusted_providers(self._deps.uow, on=self._deps.clock().date())
