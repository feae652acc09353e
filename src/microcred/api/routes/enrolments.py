"""A provider's editions and the enrolments in them (learners appear only as pseudonyms)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from microcred.api.deps import CatalogueWriterDep, EnrolmentWriterDep, ProviderReaderDep, RegisterDep, UowDep
from microcred.api.http import Page, cursor_page, fingerprint
from microcred.api.schemas import EditionIn, EditionOut, EnrolmentIn, EnrolmentOut
from microcred.api.transaction import ApiRoute
from microcred.domain import Outcome
from microcred.errors import Invalid
from microcred.services import enrolments

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/providers/{slug}", tags=["enrolments"], route_class=ApiRoute)


@router.get("/offerings/{code}/editions", response_model=list[EditionOut], operation_id="list_editions")
def list_editions(slug: str, code: str, _: ProviderReaderDep, uow: UowDep) -> list[EditionOut]:
    return [EditionOut.of(e) for e in enrolments.list_editions(slug, code, uow)]


@router.post("/offerings/{code}/editions", response_model=EditionOut, status_code=201, operation_id="create_edition")
def create_edition(slug: str, code: str, body: EditionIn, _: CatalogueWriterDep, uow: UowDep) -> EditionOut:
    return EditionOut.of(enrolments.add_edition(body.to_domain(slug, code), uow))


@router.get("/editions/{edition}", response_model=EditionOut, operation_id="get_edition")
def get_edition(slug: str, edition: str, _: ProviderReaderDep, uow: UowDep) -> EditionOut:
    return EditionOut.of(enrolments.get_edition(slug, edition, uow))


@router.get("/editions/{edition}/enrolments", response_model=Page[EnrolmentOut], operation_id="list_enrolments")
def list_enrolments(
    slug: str,
    edition: str,
    _: ProviderReaderDep,
    uow: UowDep,
    outcome: Outcome | None = None,
    limit: Annotated[int, Query(ge=1, le=enrolments.MAX_ENROLMENTS_PAGE)] = 100,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Page[EnrolmentOut]:
    """The edition's enrolments by reference; filter by outcome."""
    page, next_cursor = cursor_page(
        lambda after: enrolments.enrolments_page(slug, edition, uow, outcome=outcome, after=after, limit=limit),
        cursor=cursor,
        filters=fingerprint("enrolments", slug, edition, outcome),
    )
    return Page[EnrolmentOut](items=[EnrolmentOut.of(e) for e in page], next_cursor=next_cursor)


@router.post("/enrolments", response_model=EnrolmentOut, status_code=201, operation_id="create_enrolment")
def create_enrolment(
    slug: str, body: EnrolmentIn, _: EnrolmentWriterDep, uow: UowDep, register: RegisterDep
) -> EnrolmentOut:
    """Record an enrolment; the learner identifier is pseudonymised and not stored."""
    recorded = enrolments.add_enrolment(
        body.to_domain(slug),
        learner_id=body.learner_id,
        email=body.learner_email,
        pepper=register.settings.pseudonym_pepper.get_secret_value(),
        uow=uow,
    )
    return EnrolmentOut.of(recorded)


@router.get("/enrolments/{reference}", response_model=EnrolmentOut, operation_id="get_enrolment")
def get_enrolment(slug: str, reference: str, _: ProviderReaderDep, uow: UowDep) -> EnrolmentOut:
    return EnrolmentOut.of(enrolments.get_enrolment(slug, reference, uow))


@router.put("/enrolments/{reference}", response_model=EnrolmentOut, operation_id="put_enrolment")
def put_enrolment(
    slug: str, reference: str, body: EnrolmentIn, _: EnrolmentWriterDep, uow: UowDep, register: RegisterDep
) -> EnrolmentOut:
    """Create or update the enrolment with this reference, e.g. to record its outcome."""
    if body.reference != reference:
        raise Invalid.field("reference", "must equal the reference in the path", body.reference)
    recorded, _change = enrolments.save_enrolment(
        body.to_domain(slug),
        learner_id=body.learner_id,
        email=body.learner_email,
        pepper=register.settings.pseudonym_pepper.get_secret_value(),
        uow=uow,
    )
    return EnrolmentOut.of(recorded)
