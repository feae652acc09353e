"""The authorization endpoint of the register's OpenID4VCI issuer: a signed-in learner approves a wallet app.

A wallet app sends the learner's browser here (``GET /oid4vci/authorize``, RFC 6749 §4.1.1). Without a
wallet session the learner signs in the way the wallet page signs them in (an e-mailed link), and the
opened link comes back to this request. The page says which app asks (its ``client_id`` and where the
answer goes) and for what, and lists the learner's own active credentials to choose from; the approval
form carries the request's parameters and the session's CSRF token, and every parameter is checked again
when it is posted (services/oid4vci_authorization.py). The answer is a redirect to the app.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from microcred.errors import MicrocredError
from microcred.services.oid4vci_authorization import AuthorizationRedirect
from microcred.web.errors import SignInRequired, on_error, page_router
from microcred.web.forms import posted_form
from microcred.web.registered import register_of
from microcred.web.sessions import LearnerDep, learners_in
from microcred.web.templating import Pages

__all__ = ["AUTHORIZE_PATH", "after_sign_in", "wallet_authorize_routes"]

AUTHORIZE_PATH = "/oid4vci/authorize"
_PARAMETERS = (
    "response_type", "client_id", "redirect_uri", "state", "scope", "authorization_details",
    "code_challenge", "code_challenge_method", "issuer_state", "resource",
)  # fmt: skip
_AFTER_SIGN_IN = "after_sign_in"


def after_sign_in(request: Request) -> str | None:
    """The authorization request a learner was sent to sign in from, to come back to once the link opens
    (only this page's own path: never a redirect elsewhere)."""
    held = request.session.get(_AFTER_SIGN_IN)
    return held if isinstance(held, str) and held.startswith(AUTHORIZE_PATH + "?") else None


def _to_the_app(error: MicrocredError) -> Response | None:
    """A refusal after the redirect URI was checked goes to the app (RFC 6749 §4.1.2.1); others show here."""
    return RedirectResponse(error.location, status_code=303) if isinstance(error, AuthorizationRedirect) else None


def _learner(request: Request) -> list[str]:
    """The signed-in learner's grants; without a session, remember this request and sign in first."""
    pseudonyms = learners_in(request)
    if pseudonyms is None:
        request.session[_AFTER_SIGN_IN] = f"{AUTHORIZE_PATH}?{request.url.query}"
        raise SignInRequired("/wallet")
    return pseudonyms


def wallet_authorize_routes(pages: Pages) -> APIRouter:
    router = page_router(pages)

    @router.get(AUTHORIZE_PATH, response_class=HTMLResponse)
    def authorize_page(request: Request) -> Response:
        """What the app asks for, the learner's choices, and the approve and deny buttons."""
        register = register_of(request)
        on_error(request, _to_the_app)
        params = {name: request.query_params[name] for name in _PARAMETERS if name in request.query_params}
        pseudonyms = _learner(request)
        asked = register.oid4vci_authorization.request(params, pseudonyms)
        request.session.pop(_AFTER_SIGN_IN, None)
        request.state.csp_form_action = asked.redirect_origin  # the approval's redirect (security_headers.py)
        return pages.render(request, "wallet_authorize.html", asked=asked, params=params)

    @router.post(AUTHORIZE_PATH)
    async def authorize(request: Request, pseudonyms: LearnerDep) -> Response:
        """The learner's answer: approve one credential (a code for the app) or deny (``access_denied``)."""
        register = register_of(request)
        on_error(request, _to_the_app)
        form = await posted_form(request)
        params: dict[str, Any] = {name: form[name] for name in _PARAMETERS if isinstance(form.get(name), str)}
        if form.get("answer") == "approve":
            location = register.oid4vci_authorization.approve(params, pseudonyms, str(form.get("credential") or ""))
        else:
            location = register.oid4vci_authorization.deny(params, pseudonyms)
        return RedirectResponse(location, status_code=303)

    return router
