"""Who am I, and learners' access links sent by e-mail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, StringConstraints

from microcred.api.deps import PublicDep, RegisterDep, UowDep
from microcred.api.transaction import ApiRoute
from microcred.services import auth

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["access"], route_class=ApiRoute)


class CallerOut(BaseModel):
    kind: str = Field(description="anonymous, admin, provider or learner")
    provider: str | None
    scopes: list[str]


class AccessLinkIn(BaseModel):
    email: Annotated[str, StringConstraints(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]


class AcceptedOut(BaseModel):
    detail: str


@router.get("/me", response_model=CallerOut, operation_id="who_am_i")
def who_am_i(principal: PublicDep) -> CallerOut:
    """The caller the request's token stands for (anonymous without a token)."""
    return CallerOut(kind=principal.kind, provider=principal.provider, scopes=sorted(principal.scopes))


@router.post("/learners/access-link", response_model=AcceptedOut, status_code=202, operation_id="request_access_link")
def request_access_link(
    body: AccessLinkIn, request: Request, _: PublicDep, uow: UowDep, register: RegisterDep
) -> AcceptedOut:
    """Mail a signed link (valid 24 hours) to a learner's address. The answer is the same whether or not
    the address is known, so nobody can find out who is a learner."""
    client = request.client.host if request.client else "unknown"
    request.app.state.link_limiter.take(f"link:{client}")
    auth.request_access_link(
        body.email,
        uow=uow,
        mailer=register.mailer,
        secret=register.settings.session_secret.get_secret_value(),
        base_url=register.settings.public_base_url,
        link_path="/learner",
    )
    return AcceptedOut(detail="if this address belongs to a learner, a link is on its way")
