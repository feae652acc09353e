"""The learner wallet: ask for a link by e-mail, open it, see and download your credentials, share them.

The signed access link (services/auth.py) names the learner's pseudonyms; opening it starts a session
holding only those, and every page and download is limited to them. A share link (``/s/{token}``) shows
the public verification of one credential to whoever the learner gives it to, until it expires or the
learner revokes it.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any

import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from microcred.bootstrap import Register
from microcred.errors import Forbidden, Invalid, MicrocredError, NotFound, Unauthenticated
from microcred.services import auth, issuance, verification, wallet
from microcred.web.forms import posted_form
from microcred.web.templating import Pages, language_of
from microcred.web.verify import credential_view

__all__ = ["qr_svg", "wallet_routes"]

ACCESS_PATH = "/wallet/open"


def qr_svg(url: str, label: str) -> Markup:
    """The URL as an inline SVG QR code (segno), labelled for screen readers."""
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2, title=label)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" ', 1))  # noqa: S704


def wallet_routes(register: Register, pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    settings = register.settings
    secret = settings.session_secret.get_secret_value()
    base_url = settings.public_base_url.rstrip("/")

    def learners_of(request: Request) -> list[str] | None:
        learner = request.session.get("learner")
        found = learner.get("learners") if isinstance(learner, dict) else None
        return [str(p) for p in found] if isinstance(found, list) else None

    def to_wallet() -> Response:
        return RedirectResponse("/wallet", status_code=303)

    def request_page(request: Request, *, status: int = 200, **extra: Any) -> Response:
        context: dict[str, Any] = {"error": None, "sent": False, "email": ""}
        context.update(extra)
        return pages.render(request, "wallet_request.html", status=status, **context)

    def listing(request: Request, pseudonyms: list[str], *, status: int = 200, **extra: Any) -> Response:
        now = register.clock()
        entries = wallet.credentials_of_learners(pseudonyms, register.uow, secret=secret)
        share_url: Callable[[str], str] = lambda token: f"{base_url}/s/{token}"  # noqa: E731
        context: dict[str, Any] = {
            "entries": entries,
            "now": now,
            "share_url": share_url,
            "qr": lambda token, label: qr_svg(share_url(token), label),
            "days": wallet.SHARE_LINK_DAYS,
            "message": None,
            "error": None,
            "new_link": None,
        }
        context.update(extra)
        return pages.render(request, "wallet.html", status=status, **context)

    @router.get("/wallet", response_class=HTMLResponse)
    def wallet_page(request: Request) -> Response:
        pseudonyms = learners_of(request)
        if pseudonyms is None:
            return request_page(request)
        return listing(request, pseudonyms)

    @router.post("/wallet/link", response_class=HTMLResponse)
    async def ask_for_link(request: Request) -> Response:
        try:
            form = await posted_form(request)
        except Forbidden:
            return request_page(request, status=403, error="form.expired")
        email = str(form.get("email") or "").strip()[:254]
        try:
            auth.request_access_link(
                email, uow=register.uow, mailer=register.mailer, secret=secret, base_url=base_url,
                link_path=ACCESS_PATH,
            )  # fmt: skip
        except Invalid:
            return request_page(request, status=422, error="wallet.bad_email", email=email)
        # The same answer whether or not a learner has this address: no one learns who is registered.
        return request_page(request, sent=True, email=email)

    @router.get(ACCESS_PATH, response_class=HTMLResponse)
    def open_link(request: Request, access: str = "") -> Response:
        try:
            principal = auth.read_access_token(access, secret=secret)
        except Unauthenticated as error:
            expired = "expired" in error.message
            return request_page(request, status=401, error="wallet.link_expired" if expired else "wallet.link_invalid")
        request.session.clear()  # a fresh session for the learner: no fixation of an earlier one
        request.session["learner"] = {"learners": list(principal.learners)}
        request.session["csrf"] = secrets.token_urlsafe(32)
        return to_wallet()

    @router.post("/wallet/logout")
    async def logout(request: Request) -> Response:
        try:
            await posted_form(request)
        except Forbidden:
            return to_wallet()
        request.session.clear()
        return to_wallet()

    def own(request: Request, credential: str) -> Any:
        pseudonyms = learners_of(request)
        if pseudonyms is None:
            raise Unauthenticated("sign in to your wallet first")
        return wallet.credential_of_learner(credential, pseudonyms, register.uow)

    def download_of(request: Request, credential: str, make: Callable[[Any], Response]) -> Response:
        try:
            return make(own(request, credential))
        except Unauthenticated:
            return to_wallet()
        except NotFound as error:
            return pages.render(request, "not_found.html", status=404, message=error.message)

    def attachment(content: bytes, media_type: str, name: str) -> Response:
        return Response(
            content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'}
        )

    # Before ``{credential}.json``, which would otherwise take "<uuid>.elm" as the credential.
    @router.get("/wallet/credentials/{credential}.elm.json")
    def download_elm(request: Request, credential: str) -> Response:
        def elm(c: Any) -> Response:
            document = issuance.elm_export(c.uuid, uow=register.uow, keys=register.key_store, settings=settings)
            content = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
            return attachment(content, "application/ld+json", f"{c.uuid[9:]}-elm.json")

        return download_of(request, credential, elm)

    @router.get("/wallet/credentials/{credential}.json")
    def download_json(request: Request, credential: str) -> Response:
        return download_of(
            request, credential,
            lambda c: attachment(c.document_json.encode("utf-8"), "application/vc+ld+json", f"{c.uuid[9:]}.json"),
        )  # fmt: skip

    @router.get("/wallet/credentials/{credential}.pdf")
    def download_pdf(request: Request, credential: str) -> Response:
        def pdf(c: Any) -> Response:
            content = issuance.credential_pdf(
                c.uuid, uow=register.uow, keys=register.key_store, settings=settings, lang=language_of(request)
            )
            return attachment(content, "application/pdf", f"{c.uuid[9:]}.pdf")

        return download_of(request, credential, pdf)

    @router.post("/wallet/credentials/{credential}/share", response_class=HTMLResponse)
    async def share(request: Request, credential: str) -> Response:
        pseudonyms = learners_of(request)
        if pseudonyms is None:
            return to_wallet()
        try:
            form = await posted_form(request)
            days = int(str(form.get("days") or "30"))
            link = wallet.create_share_link(
                credential, pseudonyms, uow=register.uow, clock=register.clock, secret=secret, days=days
            )
        except Forbidden:
            return listing(request, pseudonyms, status=403, error="form.expired")
        except NotFound as error:
            return pages.render(request, "not_found.html", status=404, message=error.message)
        except (MicrocredError, ValueError):
            return listing(request, pseudonyms, status=422, error="wallet.share_failed")
        return listing(request, pseudonyms, message="wallet.share_created", new_link=link.token)

    @router.post("/wallet/share/{token}/revoke", response_class=HTMLResponse)
    async def revoke_share(request: Request, token: str) -> Response:
        pseudonyms = learners_of(request)
        if pseudonyms is None:
            return to_wallet()
        try:
            await posted_form(request)
            wallet.revoke_share_link(token, pseudonyms, uow=register.uow, clock=register.clock, secret=secret)
        except Forbidden:
            return listing(request, pseudonyms, status=403, error="form.expired")
        except NotFound as error:
            return pages.render(request, "not_found.html", status=404, message=error.message)
        except MicrocredError:
            return listing(request, pseudonyms, status=409, error="wallet.share_already_revoked")
        return listing(request, pseudonyms, message="wallet.share_revoked")

    @router.get("/s/{token}", response_class=HTMLResponse)
    def shared(request: Request, token: str) -> Response:
        try:
            credential = wallet.open_share_link(token, uow=register.uow, clock=register.clock, secret=secret)
        except wallet.ShareLinkClosed as closed:
            return pages.render(request, "share_closed.html", status=410, reason=closed.reason)
        except NotFound:
            return pages.render(request, "share_closed.html", status=404, reason="unknown")
        document = credential.document
        result = verification.verify_document(document, uow=register.uow, keys=register.key_store, clock=register.clock)
        return pages.render(
            request, "verify.html", result=result, source=f"{base_url}/s/{token}", error=None, pasted="",
            credential=credential_view(document, language_of(request)), shared=True,
        )  # fmt: skip

    return router
