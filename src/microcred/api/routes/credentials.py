"""Issuing, listing, fetching (JSON, ELM, PDF), revoking and suspending a provider's credentials."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, StringConstraints

from microcred.api.deps import CredentialIssuerDep, CredentialRevokerDep, ProviderReaderDep, RegisterDep, UowDep
from microcred.api.http import Page, cursor_page, fingerprint
from microcred.api.jobs import JobOut, JobRunner
from microcred.api.schemas import InputModel
from microcred.api.transaction import ApiRoute
from microcred.domain import Credential, CredentialState
from microcred.services import issuance

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/providers/{slug}", tags=["credentials"], route_class=ApiRoute)


class CredentialOut(BaseModel):
    id: str
    provider: str
    enrolment_reference: str
    offering_code: str
    edition_code: str
    learner: str
    state: CredentialState
    state_reason: str | None
    issued_at: datetime
    valid_from: datetime
    valid_until: datetime | None
    url: str
    document: dict[str, Any] | None = None

    @classmethod
    def of(cls, credential: Credential, base_url: str, *, with_document: bool = True) -> CredentialOut:
        return cls(
            id=credential.uuid,
            provider=credential.provider,
            enrolment_reference=credential.enrolment_reference,
            offering_code=credential.offering_code,
            edition_code=credential.edition_code,
            learner=credential.learner,
            state=credential.state,
            state_reason=credential.state_reason,
            issued_at=credential.issued_at,
            valid_from=credential.valid_from,
            valid_until=credential.valid_until,
            url=issuance.credential_url(base_url, credential.uuid),
            document=credential.document if with_document else None,
        )


class ReasonIn(InputModel):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]


def _base(register: Any) -> str:
    return str(register.settings.public_base_url)


@router.post(
    "/enrolments/{reference}/credential",
    response_model=CredentialOut,
    status_code=201,
    operation_id="issue_credential",
)
def issue_credential(
    slug: str, reference: str, _: CredentialIssuerDep, uow: UowDep, register: RegisterDep
) -> CredentialOut:
    """Issue the credential of a passed enrolment (or return the one issued before)."""
    credential = issuance.issue_for_enrolment(
        slug, reference, uow=uow, keys=register.key_store, settings=register.settings, clock=register.clock
    )
    return CredentialOut.of(credential, _base(register))


@router.post(
    "/editions/{edition}/credentials", response_model=JobOut, status_code=202, operation_id="issue_for_edition"
)
def issue_for_edition(
    slug: str, edition: str, request: Request, response: Response, _: CredentialIssuerDep, register: RegisterDep
) -> JobOut:
    """Issue credentials for every passed enrolment of the edition, as a background job."""
    jobs: JobRunner = request.app.state.jobs

    def work(progress: Any) -> dict[str, Any]:
        issued = issuance.issue_for_edition(
            slug,
            edition,
            uow=register.uow,
            keys=register.key_store,
            settings=register.settings,
            clock=register.clock,
            progress=progress,
        )
        return {"issued": len(issued), "credentials": [c.uuid for c in issued]}

    job = jobs.submit("issue-credentials", slug, work)
    response.headers["Location"] = f"/api/v1/providers/{slug}/jobs/{job.id}"
    return JobOut.of(job)


@router.get("/credentials", response_model=Page[CredentialOut], operation_id="list_credentials")
def list_credentials(
    slug: str,
    _: ProviderReaderDep,
    uow: UowDep,
    register: RegisterDep,
    state: CredentialState | None = None,
    edition: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=issuance.MAX_CREDENTIALS_PAGE)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Page[CredentialOut]:
    """The provider's credentials, newest first, without their documents; filter by state or edition."""
    page, next_cursor = cursor_page(
        lambda after: issuance.credentials_page(slug, uow=uow, state=state, edition=edition, after=after, limit=limit),
        cursor=cursor,
        filters=fingerprint("credentials", slug, state, edition),
    )
    items = [CredentialOut.of(c, _base(register), with_document=False) for c in page]
    return Page[CredentialOut](items=items, next_cursor=next_cursor)


@router.get("/credentials/{credential}", response_model=CredentialOut, operation_id="get_credential")
def get_credential(
    slug: str, credential: str, _: ProviderReaderDep, uow: UowDep, register: RegisterDep
) -> CredentialOut:
    return CredentialOut.of(issuance.get_credential(credential, uow=uow, provider=slug), _base(register))


@router.get(
    "/credentials/{credential}/elm",
    operation_id="get_credential_elm",
    response_model=dict[str, Any],
)
def get_credential_elm(slug: str, credential: str, _: ProviderReaderDep, uow: UowDep, register: RegisterDep) -> Any:
    """The credential as a European Learning Model (EDC) document."""
    return issuance.elm_export(credential, uow=uow, keys=register.key_store, settings=register.settings, provider=slug)


@router.get(
    "/credentials/{credential}/pdf",
    operation_id="get_credential_pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "the PDF certificate"}},
)
def get_credential_pdf(
    slug: str,
    credential: str,
    _: ProviderReaderDep,
    uow: UowDep,
    register: RegisterDep,
    lang: Literal["nl", "en"] = "nl",
) -> Response:
    pdf = issuance.credential_pdf(
        credential, uow=uow, keys=register.key_store, settings=register.settings, lang=lang, provider=slug
    )
    return Response(pdf, media_type="application/pdf")


def _change(action: Any, slug: str, credential: str, body: ReasonIn, uow: Any, register: Any) -> CredentialOut:
    changed = action(
        credential,
        body.reason,
        uow=uow,
        keys=register.key_store,
        settings=register.settings,
        clock=register.clock,
        provider=slug,
    )
    return CredentialOut.of(changed, _base(register), with_document=False)


@router.post("/credentials/{credential}/revoke", response_model=CredentialOut, operation_id="revoke_credential")
def revoke_credential(
    slug: str, credential: str, body: ReasonIn, _: CredentialRevokerDep, uow: UowDep, register: RegisterDep
) -> CredentialOut:
    """Revoke for good (the revocation status list is re-signed)."""
    return _change(issuance.revoke, slug, credential, body, uow, register)


@router.post("/credentials/{credential}/suspend", response_model=CredentialOut, operation_id="suspend_credential")
def suspend_credential(
    slug: str, credential: str, body: ReasonIn, _: CredentialRevokerDep, uow: UowDep, register: RegisterDep
) -> CredentialOut:
    return _change(issuance.suspend, slug, credential, body, uow, register)


@router.post("/credentials/{credential}/unsuspend", response_model=CredentialOut, operation_id="unsuspend_credential")
def unsuspend_credential(
    slug: str, credential: str, body: ReasonIn, _: CredentialRevokerDep, uow: UowDep, register: RegisterDep
) -> CredentialOut:
    return _change(issuance.unsuspend, slug, credential, body, uow, register)


@router.get("/jobs/{job}", response_model=JobOut, operation_id="get_job")
def get_job(slug: str, job: str, request: Request, _: ProviderReaderDep) -> JobOut:
    """A background job of this provider (imports, bulk issuing)."""
    jobs: JobRunner = request.app.state.jobs
    return JobOut.of(jobs.get(job, owner=slug))
