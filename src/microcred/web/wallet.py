"""The learner wallet: ask for a link by e-mail, open it, see and download your credentials, share them.

An e-mailed access link (services/learner_access.py) opens once: its landing page asks the learner to
press a button, which opens the link and starts a session holding only the link's id; every page and
download is limited to the grants of that link, and ends when the learner ends their sessions. Every form
answers with a redirect to /wallet (redirect-after-post), so going back never posts it again. A share
link (``/s/{token}``) shows the public verification of one credential to whoever the learner gives it to,
until it expires or the learner revokes it.
"""

from __future__ import annotations

import json
from typing import Any

import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.background import BackgroundTask
from starlette.datastructures import FormData

from microcred.bootstrap import Register
from microcred.domain import credential_urn
from microcred.errors import Invalid, MicrocredError, NotFound, RateLimited
from microcred.services.learner_access import ACCESS_LINK_PATH, LEARNER_SESSION_MAX_AGE, AccessLinkClosed
from microcred.services.oid4vci import OFFER_LIFETIME
from microcred.services.wallet import SHARE_LINK_DAYS, ShareLinkClosed, grants_of
from microcred.web.errors import message_key, on_error, page_router
from microcred.web.forms import posted_form
from microcred.web.registered import register_of
from microcred.web.sessions import LearnerDep, learner_session_in, learners_in, start_session
from microcred.web.templating import Pages, language_of
from microcred.web.verify import credential_view
from microcred.web.wallet_authorize import after_sign_in

__all__ = ["qr_svg", "wallet_routes"]


def qr_svg(url: str, label: str) -> Markup:
    """The URL as an inline SVG QR code (segno), labelled for screen readers."""
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2, title=label)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" ', 1))  # noqa: S704


def _days(value: object) -> int:
    text = str(value or "30")
    if not text.isdigit():
        raise Invalid.field("days", "days-number", text)
    return int(text)


def _link_problem(error: MicrocredError) -> str:
    why = error.why if isinstance(error, AccessLinkClosed) else "invalid"
    return f"wallet.link_{why}"


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _session_hours() -> int:
    return int(LEARNER_SESSION_MAX_AGE.total_seconds() // 3600)


def _take_notice(request: Request) -> dict[str, str | None]:
    held = request.session.pop("notice", None)
    if not isinstance(held, dict):
        return {}
    return {key: value if isinstance(value, str) else None for key, value in held.items()}


def _attachment(content: bytes, media_type: str, name: str) -> Response:
    return Response(content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def wallet_routes(pages: Pages) -> APIRouter:
    router = page_router(pages)

    def share_url(register: Register, token: str) -> str:
        return f"{register.settings.public_base_url.rstrip('/')}/s/{token}"

    def to_wallet(background: BackgroundTask | None = None) -> Response:
        return RedirectResponse("/wallet", status_code=303, background=background)

    def told(
        request: Request, message: str, *, new_link: str | None = None, background: BackgroundTask | None = None
    ) -> Response:
        """Back to the wallet, which says ``message`` once: the session carries it (never an e-mail address)."""
        request.session["notice"] = {"message": message, "new_link": new_link}
        return to_wallet(background)

    def request_page(
        request: Request, *, status: int = 200, headers: dict[str, str] | None = None, **extra: Any
    ) -> Response:
        context: dict[str, Any] = {"error": None, "sent": False, "email": "", "message": None}
        context.update(extra)
        response = pages.render(request, "wallet_request.html", status=status, **context)
        response.headers.update(headers or {})
        return response

    def listing(request: Request, pseudonyms: list[str], *, status: int = 200, **extra: Any) -> Response:
        register = register_of(request)
        grants = grants_of(pseudonyms)
        entries = register.wallet.credentials_of_learners(pseudonyms)
        context: dict[str, Any] = {
            "entries": entries,
            "stacks": register.stacking.progress_of_grants(grants, credentials=[e.credential for e in entries]),
            "decisions": register.recognition.decisions_of_grants(grants),
            # the open wallet-app offers of these, the learner's own, credentials: QR code, link and PIN
            "offers": register.oid4vci.open_offers([entry.credential.uuid for entry in entries]),
            "offer_qr": qr_svg,
            "offer_minutes": int(OFFER_LIFETIME.total_seconds() // 60),
            "now": register.wallet.now(),
            "share_url": lambda token: share_url(register, token),
            "linkedin": lambda entry: register.wallet.linkedin_url(entry, lang=language_of(request)),
            "qr": lambda token, label: qr_svg(share_url(register, token), label),
            "days": SHARE_LINK_DAYS,
            "message": None,
            "error": None,
            "new_link": None,
        }
        context.update(extra)
        return pages.render(request, "wallet.html", status=status, **context)

    def listing_again(request: Request, pseudonyms: list[str], message: str) -> None:
        """On a refusal, the wallet again with ``message``; another learner's credential is simply not found."""

        def shown(error: MicrocredError) -> Response | None:
            if isinstance(error, NotFound):
                return None
            return listing(request, pseudonyms, status=error.status, error=message_key(error, message))

        on_error(request, shown)

    async def wallet_form(request: Request, pseudonyms: list[str], refused: str) -> FormData:
        """The posted form of an action on the learner's credentials; a refusal shows the wallet with ``refused``."""
        listing_again(request, pseudonyms, refused)
        return await posted_form(request)

    @router.get("/wallet", response_class=HTMLResponse)
    def wallet_page(request: Request) -> Response:
        notice = _take_notice(request)
        pseudonyms = learners_in(request)
        if pseudonyms is None:
            return request_page(
                request, sent=notice.get("message") == "wallet.link_sent", message=notice.get("message")
            )
        return listing(request, pseudonyms, message=notice.get("message"), new_link=notice.get("new_link"))

    @router.post("/wallet/link", response_class=HTMLResponse)
    async def ask_for_link(request: Request) -> Response:
        register = register_of(request)
        email = ""

        def asked_again(error: MicrocredError) -> Response:
            key = "wallet.too_many" if isinstance(error, RateLimited) else message_key(error, "wallet.bad_email")
            headers = error.headers if isinstance(error, RateLimited) else None
            return request_page(request, status=error.status, error=key, email=email, headers=headers)

        on_error(request, asked_again)
        form = await posted_form(request)
        email = str(form.get("email") or "").strip()[:254]
        address = register.learner_access.address(email)
        register.limits.access_link(address, client=_client(request))
        # The same answer whether or not a learner has this address, and in the same time: the look-up and
        # the mail run after the answer has gone (issue 15, finding 7). Redirect-after-post: going back
        # never asks for another link (which would end this one).
        mail = BackgroundTask(register.learner_access.request_access_link, address, lang=language_of(request))
        return told(request, "wallet.link_sent", background=mail)

    @router.get(ACCESS_LINK_PATH, response_class=HTMLResponse)
    def open_link_page(request: Request, access: str = "") -> Response:
        """The link's landing page: it checks the link but does not open it, so a mail scanner that follows
        links cannot use it up; the learner's button press opens it."""
        register = register_of(request)
        on_error(request, lambda error: request_page(request, status=401, error=_link_problem(error)))
        register.learner_access.check_access_link(access)
        return pages.render(request, "wallet_open.html", access=access, hours=_session_hours())

    @router.post(ACCESS_LINK_PATH)
    async def open_link(request: Request) -> Response:
        register = register_of(request)
        on_error(request, lambda error: request_page(request, status=401, error=_link_problem(error)))
        form = await posted_form(request)
        opened = register.learner_access.open_access_link(str(form.get("access") or ""))
        back_to = after_sign_in(request)  # a wallet app's authorization request that sent the learner here
        start_session(request, "learner", {"link": opened.link_id})
        return RedirectResponse(back_to, status_code=303) if back_to else to_wallet()

    @router.post("/wallet/logout")
    async def logout(request: Request) -> Response:
        on_error(request, lambda _: to_wallet())
        await posted_form(request)
        request.session.clear()
        return to_wallet()

    @router.post("/wallet/end-sessions")
    async def end_sessions(request: Request) -> Response:
        """End every link and wallet session of this learner's address (another device, a forwarded mail)."""
        register = register_of(request)
        on_error(request, lambda _: to_wallet())
        await posted_form(request)
        session = learner_session_in(request)
        if session is not None:
            register.learner_access.end_learner_sessions(session.link_id)
        request.session.pop("learner", None)
        return told(request, "wallet.sessions_ended")

    # Before ``{credential}.json``, which would otherwise take "<uuid>.elm" as the credential.
    @router.get("/wallet/credentials/{credential}.elm.json")
    def download_elm(request: Request, credential: str, pseudonyms: LearnerDep) -> Response:
        register = register_of(request)
        document = register.wallet.elm_export(credential, pseudonyms)
        content = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
        return _attachment(content, "application/ld+json", f"{credential_urn(credential)[9:]}-elm.json")

    @router.get("/wallet/credentials/{credential}.json")
    def download_json(request: Request, credential: str, pseudonyms: LearnerDep) -> Response:
        register = register_of(request)
        own = register.wallet.credential_of_learner(credential, pseudonyms)
        return _attachment(own.document_json.encode("utf-8"), "application/vc+ld+json", f"{own.uuid[9:]}.json")

    @router.get("/wallet/credentials/{credential}.pdf")
    def download_pdf(request: Request, credential: str, pseudonyms: LearnerDep) -> Response:
        register = register_of(request)
        content = register.wallet.credential_pdf(credential, pseudonyms, lang=language_of(request))
        return _attachment(content, "application/pdf", f"{credential_urn(credential)[9:]}.pdf")

    # Both answer with a redirect to /wallet (redirect-after-post): going back or reloading shows the
    # wallet again and never posts the form a second time (a second share link, before).
    @router.post("/wallet/credentials/{credential}/share", response_class=HTMLResponse)
    async def share(request: Request, credential: str, pseudonyms: LearnerDep) -> Response:
        register = register_of(request)
        form = await wallet_form(request, pseudonyms, "wallet.share_failed")
        link = register.wallet.create_share_link(credential, pseudonyms, days=_days(form.get("days")))
        return told(request, "wallet.share_created", new_link=link.token)

    @router.post("/wallet/credentials/{credential}/wallet-app", response_class=HTMLResponse)
    async def offer_to_wallet_app(request: Request, credential: str, pseudonyms: LearnerDep) -> Response:
        """An OpenID4VCI credential offer of this credential: the wallet shows its QR code, link and PIN."""
        register = register_of(request)
        await wallet_form(request, pseudonyms, "wallet.offer_failed")
        register.oid4vci.create_offer(credential, pseudonyms)
        return told(request, "wallet.offer_created")

    @router.post("/wallet/share/{token}/revoke", response_class=HTMLResponse)
    async def revoke_share(request: Request, token: str, pseudonyms: LearnerDep) -> Response:
        register = register_of(request)
        await wallet_form(request, pseudonyms, "wallet.share_already_revoked")
        register.wallet.revoke_share_link(token, pseudonyms)
        return told(request, "wallet.share_revoked")

    @router.get("/s/{token}", response_class=HTMLResponse)
    def shared(request: Request, token: str) -> Response:
        register = register_of(request)
        on_error(request, lambda error: _share_closed(pages, request, error))
        credential = register.wallet.open_share_link(token)
        return pages.render(
            request, "verify.html", result=register.verification.verify_document(credential.document),
            source=share_url(register, token), error=None, pasted="", shared=True,
            credential=credential_view(credential.document, language_of(request)),
        )  # fmt: skip

    return router


def _share_closed(pages: Pages, request: Request, error: MicrocredError) -> Response | None:
    """A closed share link (revoked: 410, expired: 410) or an unknown one (404) says so on its own page."""
    if isinstance(error, ShareLinkClosed):
        return pages.render(request, "share_closed.html", status=410, reason=error.state)
    if isinstance(error, NotFound):
        return pages.render(request, "share_closed.html", status=404, reason="unknown")
    return None
