"""Providers, their quality-assurance records and the trusted-provider list (public reads, operator writes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from microcred.api.deps import AdminDep, PublicDep, RegisterDep, UowDep
from microcred.api.http import CACHE_RESPONSES, Page, cached_json, cursor_page, fingerprint
from microcred.api.schemas import ProviderIn, ProviderOut, QualityAssuranceIn, QualityAssuranceOut, TrustedProviderOut
from microcred.api.transaction import ApiRoute
from microcred.domain import ProviderOrder, ProviderType, is_trusted
from microcred.errors import Conflict, Invalid
from microcred.services import catalogue

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["providers"], route_class=ApiRoute)
Limit = Annotated[int, Query(ge=1, le=catalogue.MAX_PROVIDERS_PAGE, description="page size")]
Cursor = Annotated[str | None, Query(max_length=500, description="next_cursor of the previous page")]


@router.get("/providers", response_model=Page[ProviderOut], operation_id="list_providers", responses=CACHE_RESPONSES)
def list_providers(
    request: Request,
    _: PublicDep,
    uow: UowDep,
    register: RegisterDep,
    type: Annotated[ProviderType | None, Query(description="only providers of this type")] = None,
    trusted: Annotated[bool | None, Query(description="only (un)trusted providers")] = None,
    sort: ProviderOrder = "slug",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """Every registered provider, public; filter by type or trust, sort by slug or Dutch name."""
    today = register.clock().date()
    page, next_cursor = cursor_page(
        lambda after: catalogue.providers_page(
            uow, type=type, trusted=trusted, on=today, order=sort, after=after, limit=limit
        ),
        cursor=cursor,
        filters=fingerprint("providers", type, trusted, sort),
    )
    return cached_json(
        request, Page[ProviderOut](items=[ProviderOut.of(p, today) for p in page], next_cursor=next_cursor)
    )


@router.get("/providers/{slug}", response_model=ProviderOut, operation_id="get_provider", responses=CACHE_RESPONSES)
def get_provider(slug: str, request: Request, _: PublicDep, uow: UowDep, register: RegisterDep) -> Response:
    return cached_json(request, ProviderOut.of(catalogue.get_provider(slug, uow), register.clock().date()))


@router.post("/providers", response_model=ProviderOut, status_code=201, operation_id="create_provider")
def create_provider(body: ProviderIn, _: AdminDep, uow: UowDep, register: RegisterDep) -> ProviderOut:
    """Register a provider (operator only)."""
    provider = catalogue.add_provider(body.to_domain(), uow)
    return ProviderOut.of(provider, register.clock().date())


@router.put("/providers/{slug}", response_model=ProviderOut, operation_id="update_provider")
def update_provider(slug: str, body: ProviderIn, _: AdminDep, uow: UowDep, register: RegisterDep) -> ProviderOut:
    """Create or replace a provider with its quality-assurance records (operator only)."""
    if body.slug != slug:
        raise Invalid.field("slug", "must equal the slug in the path", body.slug)
    provider = body.to_domain()
    catalogue.save_provider(provider, uow)
    return ProviderOut.of(provider, register.clock().date())


@router.get(
    "/providers/{slug}/quality-assurances",
    response_model=list[QualityAssuranceOut],
    operation_id="list_quality_assurances",
    responses=CACHE_RESPONSES,
)
def list_quality_assurances(slug: str, request: Request, _: PublicDep, uow: UowDep) -> Response:
    provider = catalogue.get_provider(slug, uow)
    return cached_json(request, [QualityAssuranceOut.of(r) for r in provider.quality_assurances])


@router.post(
    "/providers/{slug}/quality-assurances",
    response_model=QualityAssuranceOut,
    status_code=201,
    operation_id="add_quality_assurance",
)
def add_quality_assurance(slug: str, body: QualityAssuranceIn, _: AdminDep, uow: UowDep) -> QualityAssuranceOut:
    """Add a quality-assurance record to a provider (operator only); it makes the provider trusted."""
    provider = catalogue.get_provider(slug, uow)
    record = body.to_domain()
    key = (record.agency, record.kind, record.valid_from)
    if any((r.agency, r.kind, r.valid_from) == key for r in provider.quality_assurances):
        raise Conflict("the provider already has this quality-assurance record")
    provider.quality_assurances.append(record)
    catalogue.save_provider(provider, uow)
    return QualityAssuranceOut.of(record)


@router.get(
    "/trusted-providers",
    response_model=list[TrustedProviderOut],
    operation_id="list_trusted_providers",
    tags=["trust"],
    responses=CACHE_RESPONSES,
)
def list_trusted_providers(request: Request, _: PublicDep, uow: UowDep, register: RegisterDep) -> Response:
    """The providers trusted today: those with a valid quality-assurance record."""
    today = register.clock().date()
    trusted = [
        TrustedProviderOut(
            slug=p.slug,
            name=p.name.as_dict(),
            quality_assurances=[QualityAssuranceOut.of(r) for r in p.quality_assurances if r.covers(today)],
        )
        for p in catalogue.list_providers(uow)
        if is_trusted(p, today)
    ]
    return cached_json(request, trusted)
