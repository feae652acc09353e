"""Verification for anyone, the public documents verifiers fetch, and the statistics reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Body, Path, Query, Request, Response
from pydantic import BaseModel, Field

from microcred.api.deps import PublicDep, RegisterDep, ReportReaderDep
from microcred.api.http import CACHE_RESPONSES, cached_bytes, cached_json, cached_json_route
from microcred.api.routing import api_router
from microcred.services.verification import parse_trust_date

__all__ = ["router"]

_Route = TypeVar("_Route", bound=Callable[..., Any])

router = api_router()

StatusPurpose = Literal["message", "revocation", "suspension"]
_JSON_LD = "application/ld+json"
_CONTEXT_MAX_AGE = 86_400  # a context never changes under its URL: a new version gets a new one


def _signed_document(path: str, operation_id: str, *, tag: str = "verification") -> Callable[[_Route], _Route]:
    """A public GET that answers one signed JSON document, cached (ETag, ``Cache-Control``) for verifiers."""
    return cached_json_route(router, path, operation_id, tags=[tag])


def _context_document(path: str, operation_id: str) -> Callable[[_Route], _Route]:
    """A public GET that answers one JSON-LD context, byte for byte, cached."""
    return router.get(
        path,
        operation_id=operation_id,
        tags=["verification"],
        responses={**CACHE_RESPONSES, 200: {"content": {_JSON_LD: {}}}},
    )


class CheckOut(BaseModel):
    name: str
    outcome: Literal["pass", "fail", "warn", "not-checked"]
    reason: str


class VerificationOut(BaseModel):
    verified: bool = Field(description="every check was done and none failed")
    complete: bool = Field(description="false when a check could not be done (offline, or status not checked)")
    not_checked: list[str] = Field(description="the checks that could not be done, by name")
    checks: list[CheckOut]


@router.post("/api/v1/verify", response_model=VerificationOut, operation_id="verify_credential", tags=["verification"])
def verify_credential(
    credential: Annotated[dict[str, Any], Body(description="the credential (a JSON object) to check")],
    request: Request,
    principal: PublicDep,
    register: RegisterDep,
    lang: Literal["en", "nl"] = "en",
    offline: Annotated[bool, Query(description="fetch nothing from other sites")] = False,
    status: Annotated[bool, Query(description="check the credential's status lists")] = True,
    trust_date: Annotated[
        str, Query(max_length=10, description="both, created, valid-from or a date: when the issuer must be trusted")
    ] = "both",
) -> VerificationOut:
    """Every check a verifier asks (proof, issuer, trust, dates, status, schema), each pass, fail, warn or
    not-checked.

    A credential that fails is still a 200 answer: ``verified`` is false and the checks say why. Other
    issuers' did:web documents and status lists are fetched over HTTPS (bounded, cached); ``offline`` fetches
    nothing and lists the checks that could not be done in ``not_checked``. A document deeper than 32 levels,
    with more than 20,000 values or more than 4 proofs is refused (422) before any check; anonymous callers
    may verify 30 at once, then one a second per client address (429)."""
    if principal.kind == "anonymous":
        register.limits.verification(client=request.client.host if request.client else "unknown")
    result = register.verification.verify_document(
        credential, offline=offline, check_status=status, trust_date=parse_trust_date(trust_date)
    )
    return VerificationOut.model_validate(result.as_dict(lang))


@_signed_document("/api/v1/trusted-providers/signed", "get_signed_trusted_list", tag="trust")
def get_signed_trusted_list(request: Request, _: PublicDep, register: RegisterDep) -> Response:
    """The trusted-provider list signed by the register (eddsa-jcs-2022, did:key), to cache and check offline."""
    return cached_json(request, register.trust.signed_trusted_list(), max_age=300)


@_signed_document("/providers/{slug}/did.json", "get_did_document")
def get_did_document(slug: str, request: Request, _: PublicDep, register: RegisterDep) -> Response:
    """The provider's did:web DID document with every signing key it used (current and retired)."""
    return cached_json(request, register.verification.did_document(slug), max_age=300)


@_signed_document("/providers/{slug}/status/{purpose}", "get_status_list")
def get_status_list(
    slug: str, purpose: StatusPurpose, request: Request, _: PublicDep, register: RegisterDep
) -> Response:
    """The provider's first signed Bitstring Status List credential (W3C Bitstring Status List v1.0)."""
    return cached_json(request, register.issuance.status_list_document(slug, purpose), max_age=60)


@_signed_document("/providers/{slug}/status/{purpose}/{number}", "get_numbered_status_list")
def get_numbered_status_list(
    slug: str,
    purpose: StatusPurpose,
    number: Annotated[int, Path(ge=1, le=1_000_000)],
    request: Request,
    _: PublicDep,
    register: RegisterDep,
) -> Response:
    """The provider's status list ``number``: a provider opens list 2, 3, … as each fills (decision 0021)."""
    return cached_json(request, register.issuance.status_list_document(slug, purpose, number=number), max_age=60)


@router.get("/contexts", operation_id="list_contexts", tags=["verification"], responses=CACHE_RESPONSES)
def list_contexts(request: Request, _: PublicDep, register: RegisterDep) -> Response:
    """Every JSON-LD context the register's documents reference -> the URL of the register's exact copy."""
    return cached_json(request, register.verification.contexts(), max_age=_CONTEXT_MAX_AGE)


@_context_document("/contexts/{name}", "get_context_file")
def get_context_file(name: str, request: Request, _: PublicDep, register: RegisterDep) -> Response:
    """A shipped JSON-LD context, byte for byte the copy the register signs and verifies against."""
    body = register.verification.context_file(name)
    return cached_bytes(request, body, media_type=_JSON_LD, max_age=_CONTEXT_MAX_AGE)


@_context_document("/ns/{path:path}", "get_own_context")
def get_own_context(path: str, request: Request, _: PublicDep, register: RegisterDep) -> Response:
    """Our own context at its identifier's path: ``https://microcred.eu/ns/v1`` is served at ``/ns/v1``."""
    body = register.verification.context_at(f"/ns/{path}")
    return cached_bytes(request, body, media_type=_JSON_LD, max_age=_CONTEXT_MAX_AGE)


@_signed_document("/credentials/{credential}", "get_public_credential")
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
