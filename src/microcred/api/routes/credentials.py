"""Issuing, listing, fetching (JSON, ELM, PDF), revoking and suspending a provider's credentials."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Query, Response
from pydantic import BaseModel, StringConstraints

from microcred.api.deps import CredentialIssuerDep, CredentialRevokerDep, ProviderReaderDep, RegisterDep
from microcred.api.http import Page, cursor_page, fingerprint
from microcred.api.jobs import JobOut, job_location
from microcred.api.routing import api_router
from microcred.api.schemas import InputModel
from microcred.bootstrap import Register
from microcred.domain import Credential, CredentialState
from microcred.services.issuance import MAX_CREDENTIALS_PAGE, Issuance

__all__ = ["router"]

router = api_router(prefix="/api/v1/providers/{slug}", tags=["credentials"])


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
    def of(cls, credential: Credential, *, url: str, with_document: bool = True) -> CredentialOut:
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
            url=url,
            document=credential.document if with_document else None,
        )


class ReasonIn(InputModel):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]


def _out(register: Register, credential: Credential, *, with_document: bool = True) -> CredentialOut:
    return CredentialOut.of(credential, url=register.issuance.credential_url(credential), with_document=with_document)


@router.post(
    "/enrolments/{reference}/credential",
    response_model=CredentialOut,
    status_code=201,
    operation_id="issue_credential",
)
def issue_credential(slug: str, reference: str, _: CredentialIssuerDep, register: RegisterDep) -> CredentialOut:
    """Issue the credential of a passed enrolment (or return the one issued before)."""
    return _out(register, register.issuance.issue_for_enrolment(slug, reference))


@router.post(
    "/editions/{edition}/credentials", response_model=JobOut, status_code=202, operation_id="issue_for_edition"
)
def issue_for_edition(
    slug: str, edition: str, response: Response, _: CredentialIssuerDep, register: RegisterDep
) -> JobOut:
    """Issue credentials for every passed enrolment of the edition, as a background job."""
    job = register.jobs.submit_issue(slug, edition)
    response.headers["Location"] = job_location(job)
    return JobOut.of(job)


class CredentialOffersIn(InputModel):
    again: bool = False  # also mail learners mailed an offer of this credential before
    pending: bool = False  # also learners who passed but whose credential is not issued yet (deferred, 0035)


@router.post(
    "/editions/{edition}/credential-offers",
    response_model=JobOut,
    status_code=202,
    operation_id="mail_credential_offers",
)
def mail_credential_offers(
    slug: str,
    edition: str,
    response: Response,
    _: CredentialIssuerDep,
    register: RegisterDep,
    body: CredentialOffersIn | None = None,
) -> JobOut:
    """E-mail every learner of the edition with an active credential and an address recorded by this provider
    an OpenID4VCI offer of their own credential (authorization code grant), as a background job; with
    ``pending``, also every learner who passed but whose credential is not issued yet (their wallet's request
    is deferred until it is)."""
    asked = body or CredentialOffersIn()
    job = register.jobs.submit_offer_mail(slug, edition, again=asked.again, pending=asked.pending)
    response.headers["Location"] = job_location(job)
    return JobOut.of(job)


@router.get("/credentials", response_model=Page[CredentialOut], operation_id="list_credentials")
def list_credentials(
    slug: str,
    _: ProviderReaderDep,
    register: RegisterDep,
    state: CredentialState | None = None,
    edition: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_CREDENTIALS_PAGE)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Page[CredentialOut]:
    """The provider's credentials, newest first, without their documents; filter by state or edition."""
    page, next_cursor = cursor_page(
        lambda after: register.issuance.credentials_page(slug, state=state, edition=edition, after=after, limit=limit),
        cursor=cursor,
        filters=fingerprint("credentials", slug, state, edition),
    )
    items = [_out(register, c, with_document=False) for c in page]
    return Page[CredentialOut](items=items, next_cursor=next_cursor)


@router.get("/credentials/{credential}", response_model=CredentialOut, operation_id="get_credential")
def get_credential(slug: str, credential: str, _: ProviderReaderDep, register: RegisterDep) -> CredentialOut:
    return _out(register, register.issuance.get_credential(credential, provider=slug))


@router.get(
    "/credentials/{credential}/elm",
    operation_id="get_credential_elm",
    response_model=dict[str, Any],
)
def get_credential_elm(slug: str, credential: str, _: ProviderReaderDep, register: RegisterDep) -> Any:
    """The credential as a European Learning Model (EDC) document."""
    return register.issuance.elm_export(credential, provider=slug)


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
    register: RegisterDep,
    lang: Literal["nl", "en"] = "nl",
) -> Response:
    pdf = register.issuance.credential_pdf(credential, lang=lang, provider=slug)
    return Response(pdf, media_type="application/pdf")


def _status_change(
    action: str, change: Callable[[Issuance], Callable[..., Credential]], *, description: str | None = None
) -> None:
    """``POST /credentials/{credential}/<action>``: one status change with its reason, by a credential revoker.

    Revoking, suspending and unsuspending take the same request and give the same answer; only the use case
    differs, so the route is declared once and registered for each (operation ``<action>_credential``)."""

    def status_change(
        slug: str, credential: str, body: ReasonIn, _: CredentialRevokerDep, register: RegisterDep
    ) -> CredentialOut:
        changed = change(register.issuance)(credential, body.reason, provider=slug)
        return _out(register, changed, with_document=False)

    name = f"{action}_credential"
    router.post(
        f"/credentials/{{credential}}/{action}",
        response_model=CredentialOut,
        operation_id=name,
        name=name,
        description=description,
    )(status_change)


_status_change(
    "revoke", lambda issuance: issuance.revoke, description="Revoke for good (the revocation status list is re-signed)."
)
_status_change("suspend", lambda issuance: issuance.suspend)
_status_change("unsuspend", lambda issuance: issuance.unsuspend)


@router.get("/jobs/{job}", response_model=JobOut, operation_id="get_job")
def get_job(slug: str, job: str, _: ProviderReaderDep, register: RegisterDep) -> JobOut:
    """A background job of this provider (imports, bulk issuing, mailed credential offers)."""
    return JobOut.of(register.jobs.get_job(job, owner=slug))
