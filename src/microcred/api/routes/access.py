"""Who am I, and learners' access links sent by e-mail."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import BackgroundTasks, Request
from pydantic import BaseModel, Field, StringConstraints

from microcred.api.deps import LearnerDep, PublicDep, RegisterDep
from microcred.api.routing import api_router
from microcred.api.schemas import InputModel
from microcred.i18n import best_language

__all__ = ["router"]

router = api_router(prefix="/api/v1", tags=["access"])


class CallerOut(BaseModel):
    kind: str = Field(description="anonymous, admin, provider or learner")
    provider: str | None
    scopes: list[str]


class AccessLinkIn(InputModel):
    email: Annotated[str, StringConstraints(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]


class AcceptedOut(BaseModel):
    detail: str


@router.get("/me", response_model=CallerOut, operation_id="who_am_i")
def who_am_i(principal: PublicDep) -> CallerOut:
    """The caller the request's token stands for (anonymous without a token)."""
    return CallerOut(kind=principal.kind, provider=principal.provider, scopes=sorted(principal.scopes))


@router.post("/learners/access-link", response_model=AcceptedOut, status_code=202, operation_id="request_access_link")
def request_access_link(
    body: AccessLinkIn, request: Request, background: BackgroundTasks, _: PublicDep, register: RegisterDep
) -> AcceptedOut:
    """Mail a single-use link (to open within 30 minutes) to a learner's address; it ends the address's
    earlier links that were not opened yet. The answer is the same whether or not the address is known,
    so nobody can find out who is a learner. Each address may ask five times, then once a minute; each
    client twenty times, then once every 30 seconds."""
    address = register.learner_access.address(body.email)
    register.limits.access_link(address, client=request.client.host if request.client else "unknown")
    # The look-up and the mail run after the answer is sent, so a known and an unknown address answer in
    # the same time (issue 15, finding 7: 91 against 58 ms before).
    lang = best_language(request.headers.get("accept-language"))  # the mail is in the language asked in
    background.add_task(register.learner_access.request_access_link, address, lang=lang)
    return AcceptedOut(detail="if this address belongs to a learner, a link is on its way")


class LearnerCredentialOut(BaseModel):
    id: str
    provider: str
    offering_code: str
    state: str
    issued_at: datetime
    url: str
    document: dict[str, Any]


@router.get("/learners/me/credentials", response_model=list[LearnerCredentialOut], operation_id="list_my_credentials")
def list_my_credentials(principal: LearnerDep, register: RegisterDep) -> list[LearnerCredentialOut]:
    """The credentials of the learner whose access-link value is the bearer token, newest first. This
    opens the link: like the e-mailed link in a browser, the value answers once (then 401)."""
    entries = register.wallet.credentials_of_learners(principal.learners)
    return [
        LearnerCredentialOut(
            id=entry.credential.uuid,
            provider=entry.credential.provider,
            offering_code=entry.credential.offering_code,
            state=entry.credential.state.value,
            issued_at=entry.credential.issued_at,
            url=register.issuance.credential_url(entry.credential),
            document=entry.credential.document,
        )
        for entry in entries
    ]
