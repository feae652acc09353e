"""Public pages: the catalogue with search and filters, an offering, the providers, and the language switch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from microcred.domain import OfferingKind, ParticipationForm, check_eu_elements
from microcred.errors import FieldProblem, Invalid
from microcred.services.search import CataloguePage, CatalogueQuery
from microcred.web.errors import on_error, page_router
from microcred.web.i18n import LANGUAGE_COOKIE, LANGUAGES
from microcred.web.registered import register_of
from microcred.web.templating import Pages, language_of

__all__ = ["public_routes", "safe_next"]

_FILTERS = ("provider", "field", "eqf", "vks", "ects_min", "ects_max", "language", "form", "kind", "starts_from")


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to return to; anything that could leave the site becomes ``default``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def parse_catalogue_query(params: dict[str, str], language: str = "nl") -> tuple[CatalogueQuery, list[FieldProblem]]:
    """The search a visitor reading ``language`` asked for; values that do not parse are reported, not fatal."""
    problems: list[FieldProblem] = []
    values: dict[str, Any] = {"text": params.get("q", "").strip()[:200], "title_language": language}

    def number(name: str, target: str, kind: type[int] | type[Decimal]) -> None:
        raw = params.get(name, "").strip().replace(",", ".")
        if not raw:
            return
        try:
            values[target] = kind(raw)
        except (ValueError, InvalidOperation):
            problems.append(FieldProblem(target, "number", raw))

    number("eqf", "eqf_level", int)
    number("vks", "vks_level", int)
    number("ects_min", "ects_min", Decimal)
    number("ects_max", "ects_max", Decimal)
    number("page", "page", int)
    values["provider"] = params.get("provider") or None
    values["isced_field"] = params.get("field") or None
    values["language"] = params.get("language") or None
    for name, target, enum in (("form", "participation_form", ParticipationForm), ("kind", "kind", OfferingKind)):
        raw = params.get(name)
        if raw:
            try:
                values[target] = enum(raw)
            except ValueError:
                problems.append(FieldProblem(target, "unknown-value", raw))
    raw_start = params.get("starts_from", "").strip()
    if raw_start:
        try:
            values["starts_from"] = date.fromisoformat(raw_start)
        except ValueError:
            problems.append(FieldProblem("starts_from", "date-format", raw_start))
    query = CatalogueQuery(**values)
    return query, problems + query.problems()


def public_routes(pages: Pages) -> APIRouter:
    router = page_router(pages)

    def catalogue_page(
        request: Request,
        query: CatalogueQuery,
        *,
        page: CataloguePage | None = None,
        problems: Sequence[FieldProblem] = (),
    ) -> Response:
        register = register_of(request)
        params, lang = request.query_params, language_of(request)
        names = {p.slug: (p.short_name.get(lang) or p.name.get(lang)) for p in register.catalogue.list_providers()}
        return pages.render(
            request,
            "catalogue.html",
            status=400 if problems else 200,
            query=query,
            raw={name: params.get(name, "") for name in _FILTERS},
            page=page,
            problems=list(problems),
            facets=register.search.catalogue_facets(),
            provider_names=names,
            forms=[form.value for form in ParticipationForm],
            kinds=[kind.value for kind in OfferingKind],
        )

    @router.get("/", response_class=HTMLResponse)
    def catalogue(request: Request) -> Response:
        register = register_of(request)
        query, problems = parse_catalogue_query(dict(request.query_params), language_of(request))
        on_error(request, lambda error: catalogue_page(request, query, problems=error.problems))
        if problems:
            raise Invalid("search-invalid", problems=problems)
        return catalogue_page(request, query, page=register.search.search_offerings(query))

    @router.get("/offerings/{provider}/{code:path}", response_class=HTMLResponse)
    def offering_page(request: Request, provider: str, code: str) -> Response:
        register = register_of(request)
        shown = register.search.published_offering(provider, code)
        lang = language_of(request)
        return pages.render(
            request,
            "offering.html",
            offering=shown.offering,
            provider=shown.provider,
            trusted=register.catalogue.is_trusted(shown.provider),
            awarding_name=shown.awarding_body.name.get(lang),
            editions=shown.editions,
            upcoming=shown.upcoming,
            stacks_into=[
                {"name": name, "href": None}
                if target is None
                else {"name": target.title.get(lang), "href": f"/offerings/{provider}/{name}"}
                for name, target in shown.stacks_into
            ],
            missing=check_eu_elements(shown.offering),
            counts_towards=register.stacking.counts_towards(provider, shown.offering.code),
        )

    @router.get("/providers", response_class=HTMLResponse)
    def providers_page(request: Request) -> Response:
        register = register_of(request)
        counts = register.search.published_counts()
        rows = [
            {"provider": p, "trusted": register.catalogue.is_trusted(p), "offerings": counts.get(p.slug, 0)}
            for p in register.catalogue.list_providers()
        ]
        lang = language_of(request)
        rows.sort(key=lambda row: row["provider"].name.get(lang).casefold())  # type: ignore[attr-defined]
        return pages.render(request, "providers.html", rows=rows)

    @router.get("/providers/{slug}", response_class=HTMLResponse)
    def provider_page(request: Request, slug: str) -> Response:
        register = register_of(request)
        provider = register.catalogue.get_provider(slug)
        profile = register.search.provider_profile(slug)
        stats = {
            "offerings": profile.total,
            "editions": profile.editions,
            "ects": profile.ects,
            "by_kind": profile.by_kind,
            "by_level": profile.by_level,
        }
        return pages.render(
            request,
            "provider.html",
            provider=provider,
            trusted=register.catalogue.is_trusted(provider),
            offerings=profile.offerings,
            more=profile.total > len(profile.offerings),
            stats=stats,
        )

    @router.get("/language/{lang}")
    def switch_language(lang: str, next: str = "/") -> Response:
        response = RedirectResponse(safe_next(next), status_code=303)
        if lang in LANGUAGES:
            response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
        return response

    return router
