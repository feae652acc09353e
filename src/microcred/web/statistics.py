"""The statistics dashboard: the parliament report's three answers with filters and downloads.

The report's content, charts (SVG images) and rounding notes come from ``services.reports`` in its HTML
form, so the page, the PDF, the XLSX and the CSV always say the same thing. The page puts the filters under
the report's title; unless asked otherwise it shows the last five academic years with data
(``Reports.default_years``), so a new academic year without data yet does not read as a collapse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from microcred.domain import AcademicYear, OfferingKind, ProviderType
from microcred.errors import FieldProblem, MicrocredError
from microcred.services import reports
from microcred.web.errors import on_error, page_router
from microcred.web.registered import register_of
from microcred.web.templating import Pages, language_of

__all__ = ["statistics_routes"]

_MEDIA = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
_BODY = re.compile(r"<body[^>]*>\s*(<header[^>]*>.*?</header>)(.*)</body>", re.S)
_STYLE = re.compile(r"<style>(.*?)</style>", re.S)


@dataclass(frozen=True, slots=True)
class _Filters:
    from_year: str
    to_year: str
    provider_type: str  # "" = universities and university colleges, "all", or one type
    kind: str  # "" = the broad reading's kinds, or one kind

    def arguments(self) -> reports.ReportQuestion:
        return {
            "from_year": self.from_year,
            "to_year": self.to_year,
            "all_providers": self.provider_type == "all",
            "provider_types": (self.provider_type,) if self.provider_type not in ("", "all") else (),
            "kinds": (self.kind,) if self.kind else (),
        }


def statistics_routes(pages: Pages) -> APIRouter:
    router = page_router(pages)

    def filters(request: Request) -> _Filters:
        register = register_of(request)
        params = request.query_params
        first, last = register.reports.default_years() if not (params.get("from") and params.get("to")) else ("", "")
        return _Filters(
            from_year=params.get("from") or str(first),
            to_year=params.get("to") or str(last),
            provider_type=params.get("provider_type", ""),
            kind=params.get("kind", ""),
        )

    def dashboard_page(request: Request, chosen: _Filters, *, html: str = "", problems: list[FieldProblem]) -> Response:
        register = register_of(request)
        found, styles = _BODY.search(html), _STYLE.search(html)
        current = register.reports.current_year()
        return pages.render(
            request,
            "statistics.html",
            status=400 if problems else 200,
            # The report's own HTML, rendered and escaped by services.reports, and its stylesheet.
            report_head=Markup(found.group(1) if found else ""),  # noqa: S704
            report_body=Markup(found.group(2) if found else ""),  # noqa: S704
            report_style=Markup(_scoped(styles.group(1)) if styles else ""),  # noqa: S704
            problems=problems,
            chosen=chosen,
            years=[str(AcademicYear(year)) for year in range(current.start_year - 12, current.start_year + 1)],
            provider_types=[t.value for t in ProviderType],
            kinds=[k.value for k in OfferingKind],
            formats=[fmt for fmt in reports.FORMATS if fmt in _MEDIA],
            query=request.url.query,
            threshold=register.settings.disclosure_threshold,
        )

    @router.get("/statistics", response_class=HTMLResponse)
    def dashboard(request: Request) -> Response:
        register = register_of(request)
        chosen = filters(request)
        on_error(request, lambda error: dashboard_page(request, chosen, problems=_problems(error)))
        html = register.reports.parliament_report_file(
            fmt="html", lang=language_of(request), **chosen.arguments()
        ).decode()
        return dashboard_page(request, chosen, html=html, problems=[])

    @router.get("/statistics/report.{fmt}")
    def download(request: Request, fmt: str) -> Response:
        register = register_of(request)
        if fmt not in _MEDIA:
            return Response("unknown format", status_code=404, media_type="text/plain")
        chosen = filters(request)
        on_error(request, lambda error: Response(str(error), status_code=400, media_type="text/plain"))
        content = register.reports.parliament_report_file(fmt=fmt, lang=language_of(request), **chosen.arguments())
        name = f"microcred-parliament-{chosen.from_year}-{chosen.to_year}.{fmt}"
        return Response(
            content, media_type=_MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'}
        )

    return router


def _problems(error: MicrocredError) -> list[FieldProblem]:
    return error.problems or [FieldProblem("from", error.reason, params=error.params)]


def _scoped(css: str) -> str:
    """The report's own styles, limited to the report block so they do not restyle the site."""
    rules = []
    for rule in css.split("}"):
        if "{" not in rule:
            continue
        selectors, declarations = rule.split("{", 1)
        if selectors.strip() == "body":
            continue
        scoped = ", ".join(f".report {selector.strip()}" for selector in selectors.split(","))
        rules.append(f"{scoped} {{{declarations}}}")
    return "\n".join(rules)
