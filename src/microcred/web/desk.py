"""The provider desk: staff sign in, edit offerings with live EU-element checks, revoke, tokens.

Imports and background issuing live in ``desk_tasks.py``. Every action goes through a service with the
signed-in staff member's provider; a form never names the provider itself, so one provider's staff cannot
touch another's records.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from microcred.bootstrap import Register
from microcred.domain import OfferingKind, OfferingStatus, ParticipationForm, QaKind, check_eu_elements
from microcred.errors import FieldProblem, Forbidden, MicrocredError, NotFound
from microcred.services import auth, catalogue, issuance, search
from microcred.vocab import vocabulary
from microcred.web.forms import posted_form
from microcred.web.offering_form import form_values, keep_esco_links, offering_from_form
from microcred.web.templating import Pages

__all__ = ["desk_routes"]

DESK_CREDENTIALS = 50
"""How many of the newest credentials the desk shows; the API lists every one, page by page."""

# Elements the form does not edit; an edit keeps what the stored offering has.
_KEPT_ON_EDIT = (
    "prerequisites", "flemish_type", "identity_check", "grading_scheme", "stackable_into", "awarding_body",
    "issuer_country",
)  # fmt: skip


def desk_routes(register: Register, pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def staff_of(request: Request) -> dict[str, str] | None:
        staff = request.session.get("staff")
        return staff if isinstance(staff, dict) and isinstance(staff.get("provider"), str) else None

    def to_login() -> Response:
        return RedirectResponse("/desk", status_code=303)

    def choices() -> dict[str, Any]:
        return {
            "kinds": [k.value for k in OfferingKind],
            "statuses": [s.value for s in OfferingStatus],
            "forms": [f.value for f in ParticipationForm],
            "qa_kinds": [q.value for q in QaKind],
            "isced_codes": [c.code for c in vocabulary("isced-f")],
            "assessment_codes": [c.code for c in vocabulary("assessment-types")],
        }

    def home(request: Request, staff: dict[str, str], *, status: int = 200, **extra: Any) -> Response:
        provider = staff["provider"]
        offerings = catalogue.list_offerings(register.uow, provider=provider)
        editions = [(o, e) for o in offerings for e in search.editions_of(provider, o.code, register.uow)]
        context: dict[str, Any] = {
            "provider": catalogue.get_provider(provider, register.uow),
            "offerings": offerings,
            "editions": editions,
            "credentials": issuance.credentials_page(provider, uow=register.uow, limit=DESK_CREDENTIALS).items,
            "tokens": auth.list_tokens(register.uow, provider=provider),
            "now": register.clock(),
            "scopes": [s.value for s in auth.Scope],
            "message": None,
            "error": None,
            "new_token": None,
            "error_text": None,
            "check": check_eu_elements,
            "credential_url": lambda c: f"{register.settings.public_base_url.rstrip('/')}/credentials/{c.uuid[9:]}",
        }
        context.update(extra)
        return pages.render(request, "desk.html", status=status, **context)

    @router.get("/desk", response_class=HTMLResponse)
    def desk(request: Request) -> Response:
        staff = staff_of(request)
        if staff is None:
            return pages.render(request, "desk_login.html", error=None, email="")
        return home(request, staff)

    @router.post("/desk/login", response_class=HTMLResponse)
    async def login(request: Request) -> Response:
        try:
            form = await posted_form(request)
        except Forbidden:
            return pages.render(request, "desk_login.html", status=403, error="form.expired", email="")
        email = str(form.get("email") or "")
        try:
            principal = auth.authenticate_staff(email, str(form.get("password") or ""), register.uow)
        except MicrocredError:
            return pages.render(request, "desk_login.html", status=401, error="desk.login_failed", email=email)
        request.session.clear()  # a new session on sign-in: no fixation of an earlier one
        request.session["staff"] = {"provider": principal.provider or "", "subject": principal.subject, "email": email}
        request.session["csrf"] = secrets.token_urlsafe(32)
        return to_login()

    @router.post("/desk/logout")
    async def logout(request: Request) -> Response:
        try:
            await posted_form(request)
        except Forbidden:
            return to_login()
        request.session.clear()
        return to_login()

    @router.get("/desk/offerings/new", response_class=HTMLResponse)
    def new_offering(request: Request) -> Response:
        if staff_of(request) is None:
            return to_login()
        return pages.render(request, "desk_offering.html", values=form_values(None), problems=[], editing=False,
                            **choices())  # fmt: skip

    @router.get("/desk/offerings/{code:path}/edit", response_class=HTMLResponse)
    def edit_offering(request: Request, code: str) -> Response:
        staff = staff_of(request)
        if staff is None:
            return to_login()
        try:
            offering = catalogue.get_offering(staff["provider"], code, register.uow)
        except NotFound as error:
            return pages.render(request, "not_found.html", status=404, message=error.message)
        return pages.render(request, "desk_offering.html", values=form_values(offering),
                            problems=check_eu_elements(offering), editing=True, **choices())  # fmt: skip

    @router.post("/desk/offerings/check", response_class=HTMLResponse)
    async def check_offering(request: Request) -> Response:
        staff = staff_of(request)
        if staff is None:
            return Response(status_code=401)
        try:
            form = await posted_form(request)
        except Forbidden:
            return Response(status_code=403)
        offering, unreadable = offering_from_form(form, staff["provider"])
        return pages.render(request, "_eu_check.html", problems=unreadable + check_eu_elements(offering))

    @router.post("/desk/offerings", response_class=HTMLResponse)
    async def save_offering(request: Request) -> Response:
        staff = staff_of(request)
        if staff is None:
            return to_login()
        try:
            form = await posted_form(request)
        except Forbidden:
            return home(request, staff, status=403, error="form.expired")
        provider = staff["provider"]
        offering, problems = offering_from_form(form, provider)
        editing = form.get("editing") == "1"
        if editing:
            try:
                stored = catalogue.get_offering(provider, offering.code, register.uow)
            except NotFound:
                stored = None
            if stored is not None:
                for name in _KEPT_ON_EDIT:
                    setattr(offering, name, getattr(stored, name))
                offering.learning_outcomes = keep_esco_links(offering.learning_outcomes, stored.learning_outcomes)
        if not problems:
            try:
                if editing:
                    catalogue.save_offering(offering, register.uow)
                else:
                    catalogue.add_offering(offering, register.uow)
            except MicrocredError as error:
                problems = error.problems or [FieldProblem("code", error.message)]
        if problems:
            values = {k: v for k, v in form.items() if isinstance(v, str)}
            return pages.render(request, "desk_offering.html", status=422, values=values, problems=problems,
                                editing=editing, **choices())  # fmt: skip
        return home(request, staff, message=("desk.saved", {"code": offering.code}))

    @router.post("/desk/credentials/{uuid}/revoke", response_class=HTMLResponse)
    async def revoke(request: Request, uuid: str) -> Response:
        staff = staff_of(request)
        if staff is None:
            return to_login()
        try:
            form = await posted_form(request)
            issuance.revoke(
                uuid, str(form.get("reason") or ""), uow=register.uow, keys=register.key_store,
                settings=register.settings, clock=register.clock, provider=staff["provider"],
            )  # fmt: skip
        except Forbidden:
            return home(request, staff, status=403, error="form.expired")
        except MicrocredError as error:
            return home(request, staff, status=422, error_text=str(error))
        return home(request, staff, message=("desk.revoked", {"credential": uuid}))

    @router.post("/desk/tokens", response_class=HTMLResponse)
    async def create_token(request: Request) -> Response:
        staff = staff_of(request)
        if staff is None:
            return to_login()
        try:
            form = await posted_form(request)
            created = auth.create_token(
                provider=staff["provider"], scopes=[str(s) for s in form.getlist("scope")], uow=register.uow,
                clock=register.clock, label=str(form.get("label") or "")[:100], expires_days=365,
            )  # fmt: skip
        except Forbidden:
            return home(request, staff, status=403, error="form.expired")
        except MicrocredError as error:
            return home(request, staff, status=422, error_text=str(error))
        return home(request, staff, new_token=created.token)

    @router.post("/desk/tokens/{prefix}/revoke", response_class=HTMLResponse)
    async def revoke_token(request: Request, prefix: str) -> Response:
        staff = staff_of(request)
        if staff is None:
            return to_login()
        try:
            await posted_form(request)
            owned = {token.prefix for token in auth.list_tokens(register.uow, provider=staff["provider"])}
            if prefix not in owned:
                raise NotFound(f"no token with prefix {prefix!r}")
            auth.revoke_token(prefix, register.uow, register.clock)
        except Forbidden:
            return home(request, staff, status=403, error="form.expired")
        except MicrocredError as error:
            return home(request, staff, status=422, error_text=str(error))
        return home(request, staff, message=("desk.token_revoked", {"prefix": prefix}))

    return router
