"""Attach the server-rendered web pages to the HTTP application.

Pages are Jinja2 templates (``templates/``) in Dutch and English, usable without JavaScript; htmx
(vendored in ``static/vendor/``) only makes searching and form checks feel immediate. Sessions are
signed cookies (HttpOnly, SameSite=Lax, Secure behind https) and every form carries a CSRF token. Routes
call the register's use cases; the errors they raise become pages in one place (``errors.py``).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute

from microcred.bootstrap import Register
from microcred.web.desk import desk_routes
from microcred.web.desk_tasks import desk_task_routes
from microcred.web.errors import install_page_errors
from microcred.web.public import public_routes
from microcred.web.statistics import statistics_routes
from microcred.web.templating import Pages
from microcred.web.verify import verify_routes
from microcred.web.verify_wallet import verify_wallet_routes
from microcred.web.wallet import wallet_routes
from microcred.web.wallet_authorize import wallet_authorize_routes

__all__ = ["SESSION_COOKIE", "attach_web"]

SESSION_COOKIE = "microcred_session"
SESSION_MAX_AGE = 8 * 3600
_ROUTERS = (
    public_routes,
    verify_routes,
    verify_wallet_routes,
    statistics_routes,
    desk_routes,
    desk_task_routes,
    wallet_routes,
    wallet_authorize_routes,
)


@cache
def _pages() -> Pages:
    """The one way pages are rendered, shared by every page route and the error pages of every application."""
    return Pages()


@cache
def _page_routes() -> tuple[BaseRoute, ...]:
    """Every page route, built once per process: a page finds its register through its request
    (``web/registered.py``), so nothing of a route differs between applications (about 40 ms of CPU per
    application before, measured on the test suite's many)."""
    return tuple(route for routes_of in _ROUTERS for route in routes_of(_pages()).routes)


def attach_web(app: FastAPI, register: Register) -> None:
    """Mount the pages and their static files on ``app``; after the API, whose error answers it keeps for
    clients that do not ask for a page."""
    settings = register.settings
    app.add_middleware(
        SessionMiddleware,
        secret_key=register.session_secret(),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=settings.public_base_url.startswith("https://"),
    )
    app.mount("/static", StaticFiles(directory=str(files("microcred.web") / "static")), name="static")
    # As built, not through ``include_router``, which would build every route again per app (api/app.py).
    app.router.routes.extend(_page_routes())
    install_page_errors(app, _pages())
    icon = str(files("microcred.web") / "static" / "favicon.svg")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:  # what a browser asks for when a page names no icon (a PDF, a JSON file)
        return FileResponse(icon, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})
