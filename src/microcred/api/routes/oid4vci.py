"""OpenID for Verifiable Credential Issuance 1.0 and Presentations 1.0: the endpoints wallet apps talk to.

Metadata (``/.well-known/…``), the credential offer by reference, the token, nonce and credential endpoints,
each provider's Token Status List, and the verify page's OpenID4VP response endpoint. Refusals use the
specs' own bodies (RFC 6749 §5.2, OID4VCI 1.0 §8.3.1: ``{"error", "error_description"}``), not RFC 9457;
answers that carry a secret are never cached (no-store).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from microcred.api.deps import Access, PublicDep, RegisterDep
from microcred.api.http import cached_json, cached_json_route
from microcred.api.routing import api_router
from microcred.bootstrap import Register
from microcred.services.oid4vci import Oid4vciError
from microcred.services.oid4vci_metadata import authorization_server_metadata, credential_issuer_metadata

__all__ = ["WalletAccess", "install_oid4vci_errors", "router"]

router = api_router(tags=["wallet issuance"])
_NO_STORE = {"Cache-Control": "no-store"}
_OAUTH_ERROR = {
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["error"],
                "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
            },
            "example": {"error": "invalid_grant", "error_description": "the transaction code is wrong"},
        }
    },
    "description": "refused, in the OAuth / OID4VCI error format",
    "x-oauth-error": True,  # api/openapi.py keeps this content beside problem+json
}


class WalletAccess(Access):
    """The credential endpoint's rule: the bearer must be an OID4VCI access token (RFC 6750), checked by the
    service; an API token or a learner link is no such token (401 ``invalid_token``)."""

    def __init__(self) -> None:
        super().__init__("wallet")

    async def __call__(self, request: Request) -> str:  # type: ignore[override]
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Oid4vciError("access-token-missing", error="invalid_token", status=401)
        return token.strip()


def install_oid4vci_errors(app: FastAPI) -> None:
    """Answer :class:`Oid4vciError` in the specs' error format; 401s name the Bearer error (RFC 6750 §3)."""

    @app.exception_handler(Oid4vciError)
    async def _oauth(request: Request, error: Oid4vciError) -> JSONResponse:
        headers = dict(_NO_STORE)
        if error.status == 401:
            headers["WWW-Authenticate"] = f'Bearer error="{error.error}"'
        body = {"error": error.error, "error_description": error.message}
        return JSONResponse(body, status_code=error.status, headers=headers)


def _count(request: Request, register: Register) -> None:
    """Spend one request of the client's wallet-protocol budget (``services/limits.py``)."""
    register.limits.wallet_protocol(client=request.client.host if request.client else "unknown")


async def _form_fields(request: Request) -> dict[str, str]:
    """The text fields of a form-encoded body (the token and response endpoints take no files)."""
    form = await request.form()
    return {name: value for name, value in form.items() if isinstance(value, str)}


@cached_json_route(router, "/.well-known/openid-credential-issuer", "get_credential_issuer_metadata")
def get_credential_issuer_metadata(request: Request, _: PublicDep, register: RegisterDep) -> Response:
    """The Credential Issuer Metadata (OID4VCI 1.0 §12.2): endpoints, and the two credential configurations
    (``ldp_vc`` OpenBadgeCredential and ``dc+sd-jwt`` SD-JWT VC)."""
    return cached_json(request, credential_issuer_metadata(register.oid4vci.issuer), max_age=3600)


@cached_json_route(router, "/.well-known/oauth-authorization-server", "get_authorization_server_metadata")
def get_authorization_server_metadata(request: Request, _: PublicDep, register: RegisterDep) -> Response:
    """The OAuth Authorization Server Metadata (RFC 8414): the token endpoint of the pre-authorized code flow."""
    return cached_json(request, authorization_server_metadata(register.oid4vci.issuer), max_age=3600)


@router.get("/oid4vci/offers/{offer}", operation_id="get_credential_offer", response_model=dict[str, Any])
def get_credential_offer(offer: str, request: Request, _: PublicDep, register: RegisterDep) -> Response:
    """A Credential Offer by reference (OID4VCI 1.0 §4.1.3), while it is open (unredeemed, at most 10 minutes)."""
    _count(request, register)
    return JSONResponse(register.oid4vci.credential_offer(offer), headers=_NO_STORE)


@router.post(
    "/oid4vci/token",
    operation_id="oid4vci_token",
    response_model=dict[str, Any],
    responses={400: _OAUTH_ERROR},
)
async def token(request: Request, _: PublicDep, register: RegisterDep) -> Response:
    """The token endpoint (OID4VCI 1.0 §6, form-encoded): a pre-authorized code and its transaction code, or
    an authorization code with its ``code_verifier``, ``client_id`` and ``redirect_uri`` (RFC 6749 §4.1.3,
    RFC 7636), for an access token good for 5 minutes. Each code works once; five wrong PINs close an offer."""
    _count(request, register)
    grant = await run_in_threadpool(register.oid4vci_authorization.token, await _form_fields(request))
    body: dict[str, Any] = {"access_token": grant.access_token, "token_type": "Bearer", "expires_in": grant.expires_in}
    if grant.authorization_details is not None:
        body["authorization_details"] = grant.authorization_details
    return JSONResponse(body, headers=_NO_STORE)


@router.post("/oid4vci/nonce", operation_id="oid4vci_nonce", response_model=dict[str, Any])
def nonce(request: Request, _: PublicDep, register: RegisterDep) -> Response:
    """The nonce endpoint (OID4VCI 1.0 §7): a fresh ``c_nonce``, single-use, for the next key proof."""
    _count(request, register)
    return JSONResponse({"c_nonce": register.oid4vci.new_nonce()}, headers=_NO_STORE)


@router.post(
    "/oid4vci/credential",
    operation_id="oid4vci_credential",
    response_model=dict[str, Any],
    responses={400: _OAUTH_ERROR, 401: _OAUTH_ERROR},
)
def credential(
    request_body: Annotated[dict[str, Any], Body(description="credential_configuration_id and a jwt key proof")],
    access_token: Annotated[str, Depends(WalletAccess())],
    request: Request,
    register: RegisterDep,
) -> Response:
    """The credential endpoint (OID4VCI 1.0 §8): the learner's credential bound to the key the proof names,
    as a holder-bound ``ldp_vc`` or a ``dc+sd-jwt`` SD-JWT VC; for an offer of a credential not issued yet,
    202 with a ``transaction_id`` for the deferred credential endpoint and an ``interval``."""
    _count(request, register)
    body = register.oid4vci.issue(access_token, request_body)
    return JSONResponse(body, status_code=202 if "transaction_id" in body else 200, headers=_NO_STORE)


@router.post(
    "/oid4vci/deferred_credential",
    operation_id="oid4vci_deferred_credential",
    response_model=dict[str, Any],
    responses={
        202: {"description": "not issued yet: the same transaction_id and an interval"},
        400: _OAUTH_ERROR,
        401: _OAUTH_ERROR,
    },
)
def deferred_credential(
    request_body: Annotated[dict[str, Any], Body(description="the transaction_id of a deferred credential request")],
    access_token: Annotated[str, Depends(WalletAccess())],
    request: Request,
    register: RegisterDep,
) -> Response:
    """The deferred credential endpoint (OID4VCI 1.0 §9): the credential once the provider issued it, bound to
    the key of the original request and in its format, once (200); 202 with an ``interval`` until then."""
    _count(request, register)
    status, body = register.oid4vci_deferred.collect(access_token, request_body)
    return JSONResponse(body, status_code=status, headers=_NO_STORE)


@router.post(
    "/oid4vp/response",
    operation_id="oid4vp_response",
    response_model=dict[str, Any],
    responses={400: _OAUTH_ERROR},
)
async def presentation_response(request: Request, _: PublicDep, register: RegisterDep) -> Response:
    """The verify page's OpenID4VP response endpoint (``direct_post``, OID4VP 1.0 §8.2): a wallet posts
    ``vp_token`` and ``state`` for a request the page made; it takes one answer, within 10 minutes."""
    _count(request, register)
    await run_in_threadpool(register.oid4vp.receive, await _form_fields(request))
    return JSONResponse({}, headers=_NO_STORE)


@router.get(
    "/providers/{slug}/token-status-list",
    operation_id="get_token_status_list",
    responses={200: {"content": {"application/statuslist+jwt": {}}}},
)
def get_token_status_list(slug: str, _: PublicDep, register: RegisterDep) -> Response:
    """The provider's Token Status List (``statuslist+jwt``), the status of its SD-JWT VCs: the same states
    as its Bitstring Status Lists, two bits per credential."""
    body = register.oid4vci.token_status_list(slug)
    return Response(body, media_type="application/statuslist+jwt", headers={"Cache-Control": "max-age=60"})
