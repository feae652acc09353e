"""A provider's own offerings, drafts included, with the EU-element check and publishing."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import BaseModel

from microcred.api.deps import CatalogueWriterDep, ProviderReaderDep, RegisterDep
from microcred.api.http import Page, cursor_page, fingerprint
from microcred.api.routing import api_router
from microcred.api.schemas import FieldProblemOut, OfferingIn, OfferingOut
from microcred.domain import OfferingKind, OfferingOrder, OfferingStatus
from microcred.errors import Invalid
from microcred.services.catalogue import MAX_OFFERINGS_PAGE

__all__ = ["router"]

router = api_router(prefix="/api/v1/providers/{slug}", tags=["offerings"])


class ElementCheckOut(BaseModel):
    """The EU Council Recommendation's mandatory elements the offering misses or gets wrong."""

    complete: bool
    problems: list[FieldProblemOut]


@router.get("/offerings", response_model=Page[OfferingOut], operation_id="list_offerings")
def list_offerings(
    slug: str,
    _: ProviderReaderDep,
    register: RegisterDep,
    status: OfferingStatus | None = None,
    kind: OfferingKind | None = None,
    sort: OfferingOrder = "code",
    limit: Annotated[int, Query(ge=1, le=MAX_OFFERINGS_PAGE)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Page[OfferingOut]:
    page, next_cursor = cursor_page(
        lambda after: register.catalogue.offerings_page(
            slug, status=status, kind=kind, order=sort, after=after, limit=limit
        ),
        cursor=cursor,
        filters=fingerprint("offerings", slug, status, kind, sort),
    )
    return Page[OfferingOut](items=[OfferingOut.of(o) for o in page], next_cursor=next_cursor)


@router.post("/offerings", response_model=OfferingOut, status_code=201, operation_id="create_offering")
def create_offering(slug: str, body: OfferingIn, _: CatalogueWriterDep, register: RegisterDep) -> OfferingOut:
    """Register an offering; a ``published`` one needs every mandatory EU element."""
    return OfferingOut.of(register.catalogue.add_offering(body.to_domain(slug)))


@router.get("/offerings/{code}", response_model=OfferingOut, operation_id="get_offering")
def get_offering(slug: str, code: str, _: ProviderReaderDep, register: RegisterDep) -> OfferingOut:
    return OfferingOut.of(register.catalogue.get_offering(slug, code))


@router.put("/offerings/{code}", response_model=OfferingOut, operation_id="put_offering")
def put_offering(slug: str, code: str, body: OfferingIn, _: CatalogueWriterDep, register: RegisterDep) -> OfferingOut:
    """Create or replace the offering with this code."""
    if body.code != code:
        raise Invalid.field("code", "path-mismatch", body.code, name="code")
    offering = body.to_domain(slug)
    register.catalogue.save_offering(offering)
    return OfferingOut.of(offering)


@router.get("/offerings/{code}/check", response_model=ElementCheckOut, operation_id="check_offering")
def check_offering(slug: str, code: str, _: ProviderReaderDep, register: RegisterDep) -> ElementCheckOut:
    """Which mandatory EU elements are missing or invalid (empty when it may be published)."""
    problems = register.catalogue.check_offering(slug, code)
    return ElementCheckOut(complete=not problems, problems=[FieldProblemOut.of(p) for p in problems])


@router.post("/offerings/{code}/publish", response_model=OfferingOut, operation_id="publish_offering")
def publish_offering(slug: str, code: str, _: CatalogueWriterDep, register: RegisterDep) -> OfferingOut:
    """Publish a complete offering in the catalogue; a 422 lists every missing element."""
    return OfferingOut.of(register.catalogue.publish_offering(slug, code))
