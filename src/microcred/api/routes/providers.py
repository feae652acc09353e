"""Providers, their quality-assurance records and the trusted-provider list (public reads, operator writes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response

from microcred.api.deps import AdminDep, PublicDep, RegisterDep
from microcred.api.http import CACHE_RESPONSES, Page, cached_json, cursor_page, fingerprint
from microcred.api.routing import api_router
from microcred.api.schemas import ProviderIn, ProviderOut, QualityAssuranceIn, QualityAssuranceOut, TrustedProviderOut
from microcred.domain import ProviderOrder, ProviderType
from microcred.errors import Invalid
from microcred.services.catalogue import MAX_PROVIDERS_PAGE

__all__ = ["router"]

router = api_router(prefix="/api/v1", tags=["providers"])
Limit = Annotated[int, Query(ge=1, le=MAX_PROVIDERS_PAGE, description="page size")]
Cursor = Annotated[str | None, Query(max_length=500, description="next_cursor of the previous page")]


@router.get("/providers", response_model=Page[ProviderOut], operation_id="list_providers", responses=CACHE_RESPONSES)
def list_providers(
    request: Request,
    _: PublicDep,
    register: RegisterDep,
    type: Annotated[ProviderType | None, Query(description="only providers of this type")] = None,
    trusted: Annotated[bool | None, Query(description="only (un)trusted providers")] = None,
    sort: ProviderOrder = "slug",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """Every registered provider, public; filter by type or trust, sort by slug or Dutch name."""
    catalogue = register.catalogue
    page, next_cursor = cursor_page(
        lambda after: catalogue.providers_page(type=type, trusted=trusted, order=sort, after=after, limit=limit),
        cursor=cursor,
        filters=fingerprint("providers", type, trusted, sort),
    )
    items = [ProviderOut.of(p, trusted=catalogue.is_trusted(p)) for p in page]
    return cached_json(request, Page[ProviderOut](items=items, next_cursor=next_cursor))


@router.get("/providers/{slug}", response_model=ProviderOut, operation_id="get_provider", responses=CACHE_RESPONSES)
def get_provider(slug: str, request: Request, _: PublicDep, register: RegisterDep) -> Response:
    provider = register.catalogue.get_provider(slug)
    return cached_json(request, ProviderOut.of(provider, trusted=register.catalogue.is_trusted(provider)))


@router.post("/providers", response_model=ProviderOut, status_code=201, operation_id="create_provider")
def create_provider(body: ProviderIn, _: AdminDep, register: RegisterDep) -> ProviderOut:
    """Register a provider (operator only)."""
    provider = register.catalogue.add_provider(body.to_domain())
    return ProviderOut.of(provider, trusted=register.catalogue.is_trusted(provider))


@router.put("/providers/{slug}", response_model=ProviderOut, operation_id="update_provider")
def update_provider(slug: str, body: ProviderIn, _: AdminDep, register: RegisterDep) -> ProviderOut:
    """Create or replace a provider with its quality-assurance records (operator only)."""
    if body.slug != slug:
        raise Invalid.field("slug", "path-mismatch", body.slug, name="slug")
    provider = body.to_domain()
    register.catalogue.save_provider(provider)
    return ProviderOut.of(provider, trusted=register.catalogue.is_trusted(provider))


@router.get(
    "/providers/{slug}/quality-assurances",
    response_model=list[QualityAssuranceOut],
    operation_id="list_quality_assurances",
    responses=CACHE_RESPONSES,
)
def list_quality_assurances(slug: str, request: Request, _: PublicDep, register: RegisterDep) -> Response:
    provider = register.catalogue.get_provider(slug)
    return cached_json(request, [QualityAssuranceOut.of(r) for r in provider.quality_assurances])


@router.post(
    "/providers/{slug}/quality-assurances",
    response_model=QualityAssuranceOut,
    status_code=201,
    operation_id="add_quality_assurance",
)
def add_quality_assurance(
    slug: str, body: QualityAssuranceIn, _: AdminDep, register: RegisterDep
) -> QualityAssuranceOut:
    """Add a quality-assurance record to a provider (operator only); it makes the provider trusted."""
    return QualityAssuranceOut.of(register.catalogue.add_quality_assurance(slug, body.to_domain()))


@router.get(
    "/trusted-providers",
    response_model=list[TrustedProviderOut],
    operation_id="list_trusted_providers",
    tags=["trust"],
    responses=CACHE_RESPONSES,
)
def list_trusted_providers(request: Request, _: PublicDep, register: RegisterDep) -> Response:
    """The providers trusted today: those with a valid quality-assurance record."""
    trusted = [
        TrustedProviderOut(
            slug=t.provider.slug,
            name=t.provider.name.as_dict(),
            quality_assurances=[QualityAssuranceOut.of(r) for r in t.quality_assurances],
        )
        for t in register.catalogue.trusted_providers()
    ]
    return cached_json(request, trusted)
