"""The verify page asks a wallet app for a micro-credential (OpenID4VP, services/oid4vp.py).

``POST /verify/wallet`` makes a request and redirects to its page, which shows a QR code and a same-device
link and, until the wallet answers, asks again every few seconds (htmx; without JavaScript, a button). The
answer shows each check, the holder binding and the claims the holder chose to disclose.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from microcred.services.oid4vp import REQUEST_LIFETIME
from microcred.web.errors import on_error, page_router
from microcred.web.forms import posted_form
from microcred.web.registered import register_of
from microcred.web.templating import Pages
from microcred.web.wallet import qr_svg

__all__ = ["verify_wallet_routes"]


def verify_wallet_routes(pages: Pages) -> APIRouter:
    router = page_router(pages)

    @router.post("/verify/wallet", response_class=HTMLResponse)
    async def ask_a_wallet(request: Request) -> Response:
        register = register_of(request)
        await posted_form(request)
        register.limits.verification(client=request.client.host if request.client else "unknown")
        made = register.oid4vp.create_request()
        return RedirectResponse(f"/verify/wallet/{made.state}", status_code=303)

    @router.get("/verify/wallet/{state}", response_class=HTMLResponse)
    def wallet_answer(request: Request, state: str) -> Response:
        register = register_of(request)
        on_error(request, lambda _: pages.render(request, "verify_wallet.html", status=404, asked=None))
        asked = register.oid4vp.request(state)
        return pages.render(
            request,
            "verify_wallet.html",
            asked=asked,
            waiting=asked.is_open(register.oid4vp.now()),
            qr=qr_svg,
            minutes=int(REQUEST_LIFETIME.total_seconds() // 60),
        )

    return router
