"""The one place the register's errors become pages, for every web route (the API keeps its RFC 9457 map).

A route parses, calls a use case and renders; when the use case refuses, the :class:`MicrocredError` it
raises leaves the route and :func:`error_response` answers in the visitor's language:

- a page that needs a signed-in person (:class:`SignInRequired`) sends the visitor to sign in;
- a route that registered a page to show again (:func:`on_error`, e.g. a form with its field problems)
  gets that page, with the error;
- an htmx request gets only the status, since it has nowhere to put a page;
- anything else gets the error page: 404 not found, 422 invalid, 409 conflict, 403 forbidden, ...

The map is installed by the routers' route class (:func:`page_router`), so it applies to the web's routes
only and never to ``/api``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from microcred.errors import Conflict, Forbidden, Invalid, MicrocredError, NotFound, Unauthenticated
from microcred.web.templating import Pages, language_of

__all__ = [
    "FormExpired",
    "ShowAgain",
    "SignInRequired",
    "install_page_errors",
    "message_key",
    "on_error",
    "page_router",
    "wants_page",
]

ShowAgain = Callable[[MicrocredError], Response | None]
"""Renders a route's page again with the error; None leaves the error to the error page."""

_TITLES: tuple[tuple[type[MicrocredError], str], ...] = (
    (NotFound, "error.not_found"),
    (Invalid, "error.invalid"),
    (Conflict, "error.conflict"),
    (Unauthenticated, "error.unauthenticated"),
    (Forbidden, "error.forbidden"),
)


class SignInRequired(Unauthenticated):
    """The page is for a signed-in staff member or an opened wallet; ``sign_in`` is where to go first."""

    def __init__(self, sign_in: str) -> None:
        super().__init__("sign-in-first")
        self.sign_in = sign_in


class FormExpired(Forbidden):
    """A posted form without this session's CSRF token (expired, or sent from another site)."""

    def __init__(self) -> None:
        super().__init__("form-expired")


def on_error(request: Request, show_again: ShowAgain) -> None:
    """Answer an error raised later in this request with ``show_again`` rather than the error page."""
    request.state.show_again = show_again


def message_key(error: MicrocredError, default: str) -> str:
    """The message a page shows for ``error``: "form expired" for a stale form, else the page's ``default``."""
    return "form.expired" if isinstance(error, FormExpired) else default


def page_router(pages: Pages) -> APIRouter:
    """A router for HTML pages whose routes answer the register's errors with :func:`error_response`."""

    class PageRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handle = super().get_route_handler()

            async def answer(request: Request) -> Response:
                try:
                    return await handle(request)
                except MicrocredError as error:
                    return await error_response(pages, request, error)

            return answer

    return APIRouter(include_in_schema=False, route_class=PageRoute)


async def error_response(pages: Pages, request: Request, error: MicrocredError) -> Response:
    """The page for ``error`` (see the module's docstring for the order of the rules)."""
    htmx = request.headers.get("hx-request") == "true"
    if isinstance(error, SignInRequired):
        return Response(status_code=401) if htmx else RedirectResponse(error.sign_in, status_code=303)
    show_again: ShowAgain | None = getattr(request.state, "show_again", None)
    if show_again is not None:
        shown = await run_in_threadpool(show_again, error)  # it may read the register again
        if shown is not None:
            return shown
    if htmx:
        return Response(status_code=error.status)
    title = next((key for kind, key in _TITLES if isinstance(error, kind)), "error.failed")
    return pages.render(
        request,
        "error.html",
        status=error.status,
        title=title,
        detail=None if isinstance(error, FormExpired) else error.text(language_of(request)),
        detail_key=message_key(error, ""),
        problems=error.problems,
    )


def wants_page(request: Request) -> bool:
    """A browser asking for a page (``Accept: text/html``) outside ``/api``: it gets HTML, not a problem document."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept and not request.url.path.startswith("/api") and "hx-request" not in request.headers


def install_page_errors(app: FastAPI, pages: Pages) -> None:
    """Answer an address no route serves (404, 405) with a page when a browser asks; anyone else keeps the
    answer already installed (the API's RFC 9457 problem). Call after the API is attached."""
    problem = app.exception_handlers.get(StarletteHTTPException)

    async def answer(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        if not wants_page(request) and problem is not None:
            answered = problem(request, error)
            return await answered if inspect.isawaitable(answered) else answered
        missing = error.status_code == 404
        page = pages.render(
            request,
            "error.html",
            status=error.status_code,
            title="error.not_found" if missing else "error.failed",
            detail=None,
            detail_key="error.no_such_page" if missing else "error.not_allowed_here",
            problems=[],
        )
        page.headers.update(error.headers or {})  # a 405's Allow
        page.headers["Vary"] = "Accept, Cookie"
        return page

    app.add_exception_handler(StarletteHTTPException, answer)
