"""Dependencies every route uses: the register, the caller, and the access rule of the route.

Each route declares exactly one :class:`Access` rule; the authorisation test walks ``app.routes`` and
fails for a route without one, so a new route cannot slip through unclassified.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from microcred.bootstrap import Register
from microcred.errors import Forbidden, Unauthenticated
from microcred.services.auth import ANONYMOUS, TOKEN_PREFIX, Principal, Scope

__all__ = [
    "Access",
    "AdminDep",
    "CatalogueWriterDep",
    "CredentialIssuerDep",
    "CredentialRevokerDep",
    "EnrolmentWriterDep",
    "LearnerDep",
    "PrincipalDep",
    "ProviderReaderDep",
    "PublicDep",
    "RegisterDep",
    "ReportReaderDep",
    "resolve_principal",
]

Policy = Literal["public", "admin", "provider", "scope", "learner", "wallet"]


def resolve_principal(request: Request) -> Principal:
    """Who is calling, from ``Authorization: Bearer``: an API token or a learner's access-link value."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    register: Register = request.app.state.register
    header = request.headers.get("authorization")
    if header is None:
        principal = ANONYMOUS
    else:
        scheme, _, credentials = header.partition(" ")
        credentials = credentials.strip()
        if scheme.lower() != "bearer" or not credentials:
            raise Unauthenticated("bearer-token-needed")
        if credentials.startswith(TOKEN_PREFIX):
            principal = register.access.authenticate_token(credentials)
        else:  # a learner's access-link value: checked here, opened (once) by the learner routes' rule
            principal = register.learner_access.check_access_link(credentials)
    if principal.kind in ("provider", "admin"):
        register.limits.token(principal.subject)
    request.state.principal = principal
    return principal


async def _principal(request: Request) -> Principal:
    if "authorization" not in request.headers:
        return ANONYMOUS  # no database round trip for public reads
    return await run_in_threadpool(resolve_principal, request)


async def _register(request: Request) -> Register:
    register: Register = request.app.state.register
    return register


PrincipalDep = Annotated[Principal, Depends(_principal)]
RegisterDep = Annotated[Register, Depends(_register)]


class Access:
    """The access rule of one route, checked before the body is parsed.

    ``public``: anyone; ``admin``: the operator; ``provider``: a caller acting for the provider named by
    the ``{slug}`` path parameter (holding ``scope`` if given); ``scope``: any caller holding ``scope``;
    ``learner``: the bearer of a learner's access link, which the request opens (a link works once);
    ``wallet``: the bearer of an OpenID4VCI access token (``api/routes/oid4vci.py``, its own ``__call__``).
    """

    def __init__(self, policy: Policy, scope: Scope | None = None) -> None:
        self.policy = policy
        self.scope = scope

    def __repr__(self) -> str:
        return f"Access({self.policy!r}, {self.scope.value if self.scope else None!r})"

    async def __call__(self, request: Request, principal: PrincipalDep) -> Principal:
        if self.policy == "admin":
            return principal.require_admin()
        if self.policy == "provider":
            return principal.require_provider(request.path_params["slug"], self.scope)
        if self.policy == "scope" and self.scope is not None:
            return principal.require_scope(self.scope)
        if self.policy == "learner":
            return await _opened_by_learner(request, principal)
        return principal


async def _opened_by_learner(request: Request, principal: Principal) -> Principal:
    """A learner route opens the access link it is called with: the link works once, here as in the wallet."""
    if principal.kind == "anonymous":
        raise Unauthenticated("learner-access-needed")
    if principal.kind != "learner":
        raise Forbidden("learner-only")
    register: Register = request.app.state.register
    access = request.headers["authorization"].partition(" ")[2].strip()
    opened = await run_in_threadpool(register.learner_access.open_access_link, access)
    return Principal("learner", learners=opened.grants, subject="learner-link")


PublicDep = Annotated[Principal, Depends(Access("public"))]
AdminDep = Annotated[Principal, Depends(Access("admin"))]
ProviderReaderDep = Annotated[Principal, Depends(Access("provider"))]
CatalogueWriterDep = Annotated[Principal, Depends(Access("provider", Scope.CATALOGUE_WRITE))]
EnrolmentWriterDep = Annotated[Principal, Depends(Access("provider", Scope.ENROLMENTS_WRITE))]
CredentialIssuerDep = Annotated[Principal, Depends(Access("provider", Scope.CREDENTIALS_ISSUE))]
CredentialRevokerDep = Annotated[Principal, Depends(Access("provider", Scope.CREDENTIALS_REVOKE))]
ReportReaderDep = Annotated[Principal, Depends(Access("scope", Scope.REPORTS_READ))]
LearnerDep = Annotated[Principal, Depends(Access("learner"))]
