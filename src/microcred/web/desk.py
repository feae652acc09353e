"""The provider desk: staff sign in, edit offerings with live EU-element checks, revoke, tokens.

Imports, background issuing and mailing credential offers live in ``desk_tasks.py``. Every action goes
through a use case with the signed-in staff member's provider; a form never names the provider itself, so
one provider's staff cannot touch another's records. A refused action shows the desk (or the form) again with the reason
(``errors.on_error``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from microcred.domain import check_eu_elements
from microcred.errors import FieldProblem, Invalid, MicrocredError, Throttled
from microcred.services.auth import Scope
from microcred.services.offer_mailing import MAILED_OFFER_LIFETIME
from microcred.web.errors import message_key, on_error, page_router
from microcred.web.forms import posted_form
from microcred.web.offering_form import form_elements, form_inputs, form_values, offering_from_form
from microcred.web.registered import register_of
from microcred.web.sessions import StaffDep, StaffMember, staff_in, staff_session, start_session
from microcred.web.templating import Pages, language_of

__all__ = ["desk_routes"]

DESK_CREDENTIALS = 50
"""How many of the newest credentials the desk shows; the API lists every one, page by page."""


def _form() -> dict[str, Any]:
    return {"inputs": form_inputs()}


def desk_routes(pages: Pages) -> APIRouter:
    router = page_router(pages)

    def to_desk() -> Response:
        return RedirectResponse("/desk", status_code=303)

    def home(request: Request, staff: StaffMember, *, status: int = 200, **extra: Any) -> Response:
        register = register_of(request)
        provider = staff.provider
        offerings = register.catalogue.list_offerings(provider=provider)
        context: dict[str, Any] = {
            "provider": register.catalogue.get_provider(provider),
            "offerings": offerings,
            "titles": {o.code: o.title for o in offerings},
            "editions": register.enrolments.list_provider_editions(provider),
            "issuable": register.enrolments.issuable_counts(provider),
            "credentials": register.issuance.credentials_page(provider, limit=DESK_CREDENTIALS).items,
            "tokens": register.access.list_tokens(provider=provider),
            "stack_rules": register.stacking.rules(provider),
            "stacked": register.stacking.stacked_of_provider(provider)[:DESK_CREDENTIALS],
            "decisions": register.recognition.decisions(provider)[:DESK_CREDENTIALS],
            "now": register.access.now(),
            "scopes": [s.value for s in Scope],
            "message": None,
            "error": None,
            "new_token": None,
            "error_text": None,
            "check": check_eu_elements,
            "credential_url": register.issuance.credential_url,
            "staff_member": staff,
            "offer_days": MAILED_OFFER_LIFETIME.days,
        }
        context.update(extra)
        return pages.render(request, "desk.html", status=status, **context)

    def home_again(request: Request, staff: StaffMember) -> None:
        """On a refusal, the desk again with the reason."""

        def shown(error: MicrocredError) -> Response:
            if message_key(error, ""):
                return home(request, staff, status=error.status, error=message_key(error, ""))
            return home(request, staff, status=error.status, error_text=error.describe(language_of(request)))

        on_error(request, shown)

    def offering_form_again(request: Request, form: FormData, *, editing: bool) -> None:
        """On a refusal, the offering form again with what was typed and every problem by field."""
        values = {k: v for k, v in form.items() if isinstance(v, str)}

        def shown(error: MicrocredError) -> Response:
            problems = error.problems or [FieldProblem("code", error.reason, params=error.params)]
            return pages.render(request, "desk_offering.html", status=error.status, values=values,
                                problems=problems, editing=editing, **_form())  # fmt: skip

        on_error(request, shown)

    @router.get("/desk", response_class=HTMLResponse)
    def desk(request: Request) -> Response:
        staff = staff_in(request)
        if staff is None:
            return pages.render(request, "desk_login.html", error=None, email="")
        return home(request, staff)

    @router.post("/desk/login", response_class=HTMLResponse)
    async def login(request: Request) -> Response:
        register = register_of(request)
        email = ""

        def shown(error: MicrocredError) -> Response:
            key = message_key(error, "desk.login_throttled" if isinstance(error, Throttled) else "desk.login_failed")
            return pages.render(request, "desk_login.html", status=error.status, error=key, email=email)

        on_error(request, shown)
        form = await posted_form(request)
        email = str(form.get("email") or "")
        client = request.client.host if request.client else "unknown"
        session = register.staff.sign_in_staff(email, str(form.get("password") or ""), client=client)
        start_session(request, "staff", staff_session(session))
        return to_desk()

    @router.post("/desk/logout")
    async def logout(request: Request) -> Response:
        register = register_of(request)
        on_error(request, lambda _: to_desk())
        await posted_form(request)
        staff = staff_in(request)
        if staff is not None:  # every session and desk-made token of this person ends, not only this cookie
            register.staff.end_staff_sessions(staff.staff_id)
        request.session.clear()
        return to_desk()

    @router.get("/desk/offerings/new", response_class=HTMLResponse)
    def new_offering(request: Request, staff: StaffDep) -> Response:
        """The empty form, with the EU elements it still lacks listed as the live check would list them."""
        empty, unreadable = offering_from_form(FormData(), staff.provider)
        return pages.render(request, "desk_offering.html", values=form_values(None),
                            problems=unreadable + check_eu_elements(empty), editing=False, **_form())  # fmt: skip

    @router.get("/desk/offerings/{code:path}/edit", response_class=HTMLResponse)
    def edit_offering(request: Request, code: str, staff: StaffDep) -> Response:
        register = register_of(request)
        offering = register.catalogue.get_offering(staff.provider, code)
        return pages.render(request, "desk_offering.html", values=form_values(offering),
                            problems=check_eu_elements(offering), editing=True, **_form())  # fmt: skip

    @router.post("/desk/offerings/check", response_class=HTMLResponse)
    async def check_offering(request: Request, staff: StaffDep) -> Response:
        form = await posted_form(request)
        offering, unreadable = offering_from_form(form, staff.provider)
        return pages.render(request, "_eu_check.html", problems=unreadable + check_eu_elements(offering))

    @router.post("/desk/offerings", response_class=HTMLResponse)
    async def save_offering(request: Request, staff: StaffDep) -> Response:
        register = register_of(request)
        home_again(request, staff)
        form = await posted_form(request)
        editing = form.get("editing") == "1"
        offering_form_again(request, form, editing=editing)
        offering, problems = offering_from_form(form, staff.provider)
        if problems:
            raise Invalid("offering-invalid", problems=problems, code=offering.code)
        if editing:
            register.catalogue.edit_offering(staff.provider, offering.code, form_elements(offering))
        else:
            register.catalogue.add_offering(offering)
        return home(request, staff, message=("desk.saved", {"code": offering.code}))

    @router.post("/desk/credentials/{uuid}/revoke", response_class=HTMLResponse)
    async def revoke(request: Request, uuid: str, staff: StaffDep) -> Response:
        register = register_of(request)
        home_again(request, staff)
        form = await posted_form(request)
        register.issuance.revoke(uuid, str(form.get("reason") or ""), provider=staff.provider)
        return home(request, staff, message=("desk.revoked", {"credential": uuid}))

    @router.post("/desk/stacked/{uuid}/review", response_class=HTMLResponse)
    async def review_stacked(request: Request, uuid: str, staff: StaffDep) -> Response:
        register = register_of(request)
        home_again(request, staff)
        form = await posted_form(request)
        keep = form.get("decision") == "keep"
        reason = str(form.get("reason") or "")
        register.stacking.decide_review(staff.provider, uuid, keep=keep, reason=reason)
        return home(request, staff, message=("desk.stack.reviewed", {"credential": uuid}))

    @router.post("/desk/tokens", response_class=HTMLResponse)
    async def create_token(request: Request, staff: StaffDep) -> Response:
        register = register_of(request)
        home_again(request, staff)
        form = await posted_form(request)
        created = register.access.create_token(
            provider=staff.provider, scopes=[str(s) for s in form.getlist("scope")],
            label=str(form.get("label") or "")[:100], expires_days=365, staff_id=staff.staff_id,
        )  # fmt: skip
        return home(request, staff, new_token=created.token)

    @router.post("/desk/tokens/{prefix}/revoke", response_class=HTMLResponse)
    async def revoke_token(request: Request, prefix: str, staff: StaffDep) -> Response:
        register = register_of(request)
        home_again(request, staff)
        await posted_form(request)
        register.access.revoke_token(prefix, provider=staff.provider)
        return home(request, staff, message=("desk.token_revoked", {"prefix": prefix}))

    return router
