"""Verification for anyone, the public documents verifiers fetch, and the statistics reports."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Body, Query, Request, Response
from pydantic import BaseModel

from microcred.api.deps import PublicDep, RegisterDep, ReportReaderDep
from microcred.api.http import CACHE_RESPONSES, cached_json
from microcred.api.routing import api_router

__all__ = ["router"]

router = api_router()


class CheckOut(BaseModel):
    name: str
    outcome: Literal["pass", "fail", "warn"]
    reason: str


class VerificationOut(BaseModel):
    verified: bool
    checks: list[CheckOut]


@router.post("/api/v1/verify", response_model=VerificationOut, operation_id="verify_credential", tags=["verification"])
def verify_credential(
    credential: Annotated[dict[str, Any], Body(description="the credential (a JSON object) to check")],
    request: Request,
    principal: PublicDep,
    register: RegisterDep,
    lang: Literal["en", "nl"] = "en",
) -> VerificationOut:
    """Every check a verifier asks (proof, issuer, trust, dates, status, schema), each pass, fail or warn.

    A credential that fails is still a 200 answer: ``verified`` is false and the checks say why. A document
    deeper than 32 levels, with more than 20,000 values or more than 4 proofs is refused (422) before any
    check; anonymous callers may verify 30 at once, then one a second per client address (429)."""
    if principal.kind == "anonymous":
        client = request.client.host if request.client else "unknown"
        register.limits.spend_verification(client)
    result = register.verification.verify_document(credential)
    return VerificationOut.model_validate(result.as_dict(lang))


@router.get(
    "/api/v1/trusted-providers/signed",
    operation_id="get_signed_trusted_list",
    tags=["trust"],
    response_model=dict[str, Any],
    responses=CACHE_RESPONSES,
)
def get_signed_trusted_list(request: Request, _: PublicDep, register: RegisterDep) -> Response:
    """The trusted-provider list signed by the register (eddsa-jcs-2022, did:key), to cache and check offline."""
    return cached_json(request, register.trust.signed_trusted_list(), max_age=300)


@router.get(
    "/providers/{slug}/did.json",
    operation_id="get_did_document",
    tags=["verification"],
    response_model=dict[str, Any],
    responses=CACHE_RESPONSES,
)
def get_did_document(slug: str, request: Request, _: PublicDep, register: RegisterDep) -> Response:
    """The provider's did:web DID document with every signing key it used (current and retired)."""
    return cached_json(request, register.verification.did_document(slug), max_age=300)


@router.get(
    "/providers/{slug}/status/{purpose}",
    operation_id="get_status_list",
    tags=["verification"],
    response_model=dict[str, Any],
    responses=CACHE_RESPONSES,
)
def get_status_list(
    slug: str, purpose: Literal["revocation", "suspension"], request: Request, _: PublicDep, register: RegisterDep
) -> Response:
    """The provider's signed Bitstring Status List credential (W3C Bitstring Status List v1.0)."""
    return cached_json(request, register.issuance.status_list_document(slug, purpose), max_age=60)


@router.get(
    "/credentials/{credential}",
    operation_id="get_public_credential",
    tags=["verification"],
    response_model=dict[str, Any],
    responses=CACHE_RESPONSES,
)
def get_public_credential(credential: str, request: Request, _: PublicDep, register: RegisterDep) -> Response:
    """A signed credential at the URL its PDF's QR code points to (the id is an unguessable UUID)."""
    found = register.issuance.get_credential(credential.removesuffix(".json"))
    return cached_json(request, found.document, max_age=60)


_REPORT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get(
    "/api/v1/reports/parliament",
    operation_id="parliament_report",
    tags=["reports"],
    response_class=Response,
    responses={200: {"description": "the report", "content": {t: {} for t in _REPORT_TYPES.values()}}},
)
def parliament_report(
    _: ReportReaderDep,
    register: RegisterDep,
    from_year: Annotated[str, Query(alias="from", max_length=9, description="first academic year, e.g. 2022-23")],
    to_year: Annotated[str, Query(alias="to", max_length=9, description="last academic year, e.g. 2024-25")],
    format: Literal["json", "csv", "html", "pdf", "xlsx"] = "json",
    lang: Literal["nl", "en"] = "nl",
    all_providers: bool = False,
) -> Response:
    """Answers to the Flemish Parliament's written question 223, counts of persons rounded (docs/statistics.md)."""
    content = register.reports.parliament_report_file(
        fmt=format, lang=lang, from_year=from_year, to_year=to_year, all_providers=all_providers
    )
    return Response(content, media_type=_REPORT_TYPES[format])
