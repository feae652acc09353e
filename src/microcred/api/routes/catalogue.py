"""The public catalogue: published offerings, searchable and filterable."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Annotated

from fastapi import Query, Request, Response

from microcred.api.deps import PublicDep, RegisterDep
from microcred.api.http import (
    CACHE_RESPONSES,
    Page,
    cached_bytes,
    cached_json,
    decode_cursor,
    encode_cursor,
    fingerprint,
    json_bytes,
)
from microcred.api.routing import api_router
from microcred.api.schemas import OfferingOut
from microcred.domain import Offering, OfferingKind, OfferingStatus, ParticipationForm
from microcred.errors import NotFound
from microcred.services.search import MAX_PAGE_SIZE, CatalogueQuery

__all__ = ["router"]

router = api_router(prefix="/api/v1", tags=["catalogue"])


@router.get("/catalogue", response_model=Page[OfferingOut], operation_id="search_catalogue", responses=CACHE_RESPONSES)
def search_catalogue(
    request: Request,
    _: PublicDep,
    register: RegisterDep,
    q: Annotated[str, Query(max_length=200, description="words in title, description or outcomes")] = "",
    provider: Annotated[str | None, Query(max_length=64)] = None,
    isced_field: Annotated[str | None, Query(max_length=4)] = None,
    eqf_level: Annotated[int | None, Query(ge=1, le=8)] = None,
    ects_min: Annotated[Decimal | None, Query(gt=0, le=60)] = None,
    ects_max: Annotated[Decimal | None, Query(gt=0, le=60)] = None,
    language: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
    participation_form: ParticipationForm | None = None,
    kind: OfferingKind | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """Published offerings: best text match first when ``q`` is given, else by title."""
    query = CatalogueQuery(
        text=q,
        provider=provider,
        isced_field=isced_field,
        eqf_level=eqf_level,
        ects_min=ects_min,
        ects_max=ects_max,
        language=language,
        participation_form=participation_form,
        kind=kind,
        page_size=limit,
    )
    page_number = decode_cursor(cursor, _filters(query)) or 1
    if not isinstance(page_number, int) or page_number < 1:
        page_number = 1
    body = register.search.answer(replace(query, page=page_number), _page_json, _offering_json)
    return cached_bytes(request, body, media_type="application/json", max_age=60)


def _filters(query: CatalogueQuery) -> str:
    """What a cursor belongs to: every filter and the page size, not the page."""
    return fingerprint(
        "catalogue",
        query.text,
        query.provider,
        query.isced_field,
        query.eqf_level,
        query.ects_min,
        query.ects_max,
        query.language,
        query.participation_form,
        query.kind,
        query.page_size,
    )


def _page_json(query: CatalogueQuery, total: int, items: list[bytes]) -> bytes:
    """One catalogue page as the JSON bytes answered, made once per catalogue version (Search.answer): byte for
    byte ``json_bytes(Page[OfferingOut](...))``, put together from each offering's JSON, kept per version too
    (rendering an offering was a fifth of a varied search; tests/api/test_catalogue_cache.py compares)."""
    more = query.page * query.page_size < total
    cursor = encode_cursor(query.page + 1, _filters(query)) if more else None
    return b'{"items":[' + b",".join(items) + b'],"next_cursor":' + json.dumps(cursor).encode() + b"}"


def _offering_json(offering: Offering) -> bytes:
    """One offering of a catalogue page, as ``json_bytes`` writes it inside the page."""
    return json_bytes(OfferingOut.of(offering))


@router.get(
    "/catalogue/{provider}/{code}",
    response_model=OfferingOut,
    operation_id="get_catalogue_offering",
    responses=CACHE_RESPONSES,
)
def get_catalogue_offering(provider: str, code: str, request: Request, _: PublicDep, register: RegisterDep) -> Response:
    """One published offering; drafts and withdrawn offerings are not public."""
    offering = register.catalogue.get_offering(provider, code)
    if offering.status is not OfferingStatus.PUBLISHED:
        raise NotFound("no-published-offering", provider=provider, code=code)
    return cached_json(request, OfferingOut.of(offering))
