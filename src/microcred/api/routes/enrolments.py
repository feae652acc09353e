"""A provider's editions and the enrolments in them (learners appear only as pseudonyms)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from microcred.api.deps import CatalogueWriterDep, EnrolmentWriterDep, ProviderReaderDep, RegisterDep
from microcred.api.http import Page, cursor_page, fingerprint
from microcred.api.routing import api_router
from microcred.api.schemas import EditionIn, EditionOut, EnrolmentIn, EnrolmentOut
from microcred.domain import Outcome
from microcred.errors import Invalid
from microcred.services.enrolments import MAX_ENROLMENTS_PAGE

__all__ = ["router"]

router = api_router(prefix="/api/v1/providers/{slug}", tags=["enrolments"])


@router.get("/offerings/{code}/editions", response_model=list[EditionOut], operation_id="list_editions")
def list_editions(slug: str, code: str, _: ProviderReaderDep, register: RegisterDep) -> list[EditionOut]:
    return [EditionOut.of(e) for e in register.enrolments.list_editions(slug, code)]


@router.post("/offerings/{code}/editions", response_model=EditionOut, status_code=201, operation_id="create_edition")
def create_edition(slug: str, code: str, body: EditionIn, _: CatalogueWriterDep, register: RegisterDep) -> EditionOut:
    return EditionOut.of(register.enrolments.add_edition(body.to_domain(slug, code)))


@router.get("/editions/{edition}", response_model=EditionOut, operation_id="get_edition")
def get_edition(slug: str, edition: str, _: ProviderReaderDep, register: RegisterDep) -> EditionOut:
    return EditionOut.of(register.enrolments.get_edition(slug, edition))


@router.get("/editions/{edition}/enrolments", response_model=Page[EnrolmentOut], operation_id="list_enrolments")
def list_enrolments(
    slug: str,
    edition: str,
    _: ProviderReaderDep,
    register: RegisterDep,
    outcome: Outcome | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_ENROLMENTS_PAGE)] = 100,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Page[EnrolmentOut]:
    """The edition's enrolments by reference; filter by outcome."""
    page, next_cursor = cursor_page(
        lambda after: register.enrolments.enrolments_page(slug, edition, outcome=outcome, after=after, limit=limit),
        cursor=cursor,
        filters=fingerprint("enrolments", slug, edition, outcome),
    )
    return Page[EnrolmentOut](items=[EnrolmentOut.of(e) for e in page], next_cursor=next_cursor)


@router.post("/enrolments", response_model=EnrolmentOut, status_code=201, operation_id="create_enrolment")
def create_enrolment(slug: str, body: EnrolmentIn, _: EnrolmentWriterDep, register: RegisterDep) -> EnrolmentOut:
    """Record an enrolment; the learner identifier is pseudonymised and not stored."""
    recorded = register.enrolments.add_enrolment(
        body.to_domain(slug), learner_id=body.learner_id, email=body.learner_email
    )
    return EnrolmentOut.of(recorded)


@router.get("/enrolments/{reference}", response_model=EnrolmentOut, operation_id="get_enrolment")
def get_enrolment(slug: str, reference: str, _: ProviderReaderDep, register: RegisterDep) -> EnrolmentOut:
    return EnrolmentOut.of(register.enrolments.get_enrolment(slug, reference))


@router.put("/enrolments/{reference}", response_model=EnrolmentOut, operation_id="put_enrolment")
def put_enrolment(
    slug: str, reference: str, body: EnrolmentIn, _: EnrolmentWriterDep, register: RegisterDep
) -> EnrolmentOut:
    """Create or update the enrolment with this reference, e.g. to record its outcome."""
    if body.reference != reference:
        raise Invalid.field("reference", "path-mismatch", body.reference, name="reference")
    recorded, _change = register.enrolments.save_enrolment(
        body.to_domain(slug), learner_id=body.learner_id, email=body.learner_email
    )
    return EnrolmentOut.of(recorded)
