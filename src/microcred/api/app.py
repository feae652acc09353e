"""Attach the API to the HTTP application: routers, problem details, limits, metrics, logs and docs."""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from microcred.api import observability
from microcred.api.limits import BodySizeLimit
from microcred.api.openapi import install_openapi
from microcred.api.problems import install_problem_handlers
from microcred.api.routes import (
    access,
    catalogue,
    credentials,
    enrolments,
    imports,
    offerings,
    oid4vci,
    providers,
    stacking,
    verification,
)
from microcred.bootstrap import Register

__all__ = ["attach_api"]

ROUTERS = (
    catalogue.router,
    providers.router,
    offerings.router,
    enrolments.router,
    credentials.router,
    stacking.router,
    imports.router,
    verification.router,
    access.router,
    oid4vci.router,
)


def attach_api(app: FastAPI, register: Register) -> None:
    """Mount /api/v1, the operational endpoints (/healthz, /readyz, /metrics) and /docs on ``app``."""
    observability.configure_logging(register.settings.log_level)
    app.state.metrics = observability.Metrics()
    install_problem_handlers(app)
    oid4vci.install_oid4vci_errors(app)
    # The routers' routes go into the app as built, not through ``include_router``: FastAPI keeps an
    # included router as a wrapper and builds every route of it a second time, per app, on the first
    # request (over 300 ms of CPU per app here), though nothing about our routes differs per app.
    for router in (*ROUTERS, observability.router):
        app.router.routes.extend(router.routes)
    _attach_docs(app)
    install_openapi(app)
    app.add_middleware(BodySizeLimit, upload_limit=register.settings.max_upload_bytes)
    app.add_middleware(observability.RequestLog, metrics=app.state.metrics)


def _attach_docs(app: FastAPI) -> None:
    static = files("microcred.api") / "static"
    app.mount("/api/static", StaticFiles(directory=str(static)), name="api-static")

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="microcred API",
            swagger_js_url="/api/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/api/static/swagger/swagger-ui.css",
            swagger_favicon_url="data:,",
        )
        # Swagger UI starts from one inline script: it carries the response's CSP nonce (security_headers.py).
        nonce = getattr(request.state, "csp_nonce", "")
        html = bytes(page.body).decode().replace("<script>", f'<script nonce="{nonce}">')
        return HTMLResponse(html)
