"""Use cases for providers and offerings: register, update, look up and check against the EU elements."""

from __future__ import annotations

from datetime import date

from microcred.domain import (
    Change,
    Offering,
    OfferingKind,
    OfferingOrder,
    OfferingStatus,
    Page,
    Position,
    Provider,
    ProviderOrder,
    ProviderType,
    check_eu_elements,
    check_page_size,
)
from microcred.errors import Conflict, FieldProblem, Invalid, NotFound
from microcred.services.ports import UnitOfWorkFactory

__all__ = [
    "MAX_OFFERINGS_PAGE",
    "MAX_PROVIDERS_PAGE",
    "add_offering",
    "add_provider",
    "check_offering",
    "get_offering",
    "get_provider",
    "list_offerings",
    "list_providers",
    "offerings_page",
    "providers_page",
    "save_offering",
    "save_provider",
]

MAX_PROVIDERS_PAGE = 100
"""The most providers one page may hold; a larger page is refused (Invalid), never cut short."""

MAX_OFFERINGS_PAGE = 100
"""The most offerings one page may hold; a larger page is refused (Invalid), never cut short."""


def add_provider(provider: Provider, uow: UnitOfWorkFactory) -> Provider:
    """Register a new provider; a provider with the same slug is a conflict."""
    provider.validate()
    with uow() as work:
        try:
            work.providers.get(provider.slug)
        except NotFound:
            pass
        else:
            raise Conflict(f"a provider with slug {provider.slug!r} already exists")
        work.providers.save(provider)
        work.commit()
    return provider


def save_provider(provider: Provider, uow: UnitOfWorkFactory) -> Change:
    """Create or update a provider and its quality-assurance records (idempotent)."""
    provider.validate()
    with uow() as work:
        change = work.providers.save(provider)
        work.commit()
    return change


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
    with uow() as work:
        work.providers.id_of(offering.provider)
        try:
            work.offerings.get(offering.provider, offering.code)
        except NotFound:
            pass
        else:
            raise Conflict(f"provider {offering.provider!r} already has an offering with code {offering.code!r}")
        work.offerings.save(offering)
        work.commit()
    return offering


def save_offering(offering: Offering, uow: UnitOfWorkFactory) -> Change:
    """Create or update an offering (idempotent); publishing requires every mandatory EU element."""
    offering.validate()
    with uow() as work:
        change = work.offerings.save(offering)
        work.commit()
    return change


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
        raise Invalid(f"offering {offering.code!r} cannot be published", problems=problems)
    offering.status = OfferingStatus.PUBLISHED
    return offering
