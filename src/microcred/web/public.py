"""Public pages: the catalogue with search and filters, an offering, the providers, and the language switch."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from microcred.bootstrap import Register
from microcred.domain import OfferingKind, ParticipationForm, check_eu_elements, is_trusted
from microcred.errors import FieldProblem, Invalid, NotFound
from microcred.services import catalogue, search
from microcred.web.i18n import LANGUAGE_COOKIE, LANGUAGES
from microcred.web.templating import Pages, language_of

__all__ = ["public_routes", "safe_next"]

_FILTERS = ("provider", "field", "eqf", "vks", "ects_min", "ects_max", "language", "form", "kind", "starts_from")


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to return to; anything that could leave the site becomes ``default``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def parse_catalogue_query(params: dict[str, str]) -> tuple[search.CatalogueQuery, list[FieldProblem]]:
    """The search a visitor asked for; values that do not parse are reported, not fatal."""
    problems: list[FieldProblem] = []
    values: dict[str, Any] = {"text": params.get("q", "").strip()[:200]}

    def number(name: str, target: str, kind: type[int] | type[Decimal]) -> None:
        raw = params.get(name, "").strip().replace(",", ".")
        if not raw:
            return
        try:
            values[target] = kind(raw)
        except (ValueError, InvalidOperation):
            problems.append(FieldProblem(target, "must be a number", raw))

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
                problems.append(FieldProblem(target, "is not a known value", raw))
    raw_start = params.get("starts_from", "").strip()
    if raw_start:
        try:
            values["starts_from"] = date.fromisoformat(raw_start)
        except ValueError:
            problems.append(FieldProblem("starts_from", "must be a date (YYYY-MM-DD)", raw_start))
    query = search.CatalogueQuery(**values)
    return query, problems + query.problems()


def public_routes(register: Register, pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def provider_names(lang: str) -> dict[str, str]:
        return {p.slug: (p.short_name.get(lang) or p.name.get(lang)) for p in catalogue.list_providers(register.uow)}

    @router.get("/", response_class=HTMLResponse)
    def catalogue_page(request: Request) -> Response:
        params = dict(request.query_params)
        query, problems = parse_catalogue_query(params)
        page = None
        if not problems:
            try:
                page = search.search_offerings(query, register.uow)
            except Invalid as error:
                problems = error.problems
        return pages.render(
            request,
            "catalogue.html",
            status=200 if not problems else 400,
            query=query,
            raw={name: params.get(name, "") for name in _FILTERS},
            page=page,
            problems=problems,
            facets=search.catalogue_facets(register.uow),
            provider_names=provider_names(language_of(request)),
            forms=[form.value for form in ParticipationForm],
            kinds=[kind.value for kind in OfferingKind],
        )

    @router.get("/offerings/{provider}/{code:path}", response_class=HTMLResponse)
    def offering_page(request: Request, provider: str, code: str) -> Response:
        try:
            offering = catalogue.get_offering(provider, code, register.uow)
            owner = catalogue.get_provider(provider, register.uow)
        except NotFound as error:
            return pages.render(request, "not_found.html", status=404, message=error.message)
        if offering.status.value != "published":
            return pages.render(request, "not_found.html", status=404, message=f"{provider}/{code}")
        lang = language_of(request)
        awarding = owner
        if offering.awarding_body and offering.awarding_body != owner.slug:
            try:
                awarding = catalogue.get_provider(offering.awarding_body, register.uow)
            except NotFound:
                awarding = owner
        editions = search.editions_of(provider, code, register.uow)
        return pages.render(
            request,
            "offering.html",
            offering=offering,
            provider=owner,
            trusted=is_trusted(owner, register.clock().date()),
            awarding_name=awarding.name.get(lang),
            editions=editions,
            stacks_into=_stack_targets(offering.stackable_into, provider, register, lang),
            missing=check_eu_elements(offering),
        )

    @router.get("/providers", response_class=HTMLResponse)
    def providers_page(request: Request) -> Response:
        today = register.clock().date()
        counts = search.published_counts(register.uow)
        rows = [
            {"provider": p, "trusted": is_trusted(p, today), "offerings": counts.get(p.slug, 0)}
            for p in catalogue.list_providers(register.uow)
        ]
        lang = language_of(request)
        rows.sort(key=lambda row: row["provider"].name.get(lang).casefold())  # type: ignore[attr-defined]
        return pages.render(request, "providers.html", rows=rows)

    @router.get("/providers/{slug}", response_class=HTMLResponse)
    def provider_page(request: Request, slug: str) -> Response:
        try:
            provider = catalogue.get_provider(slug, register.uow)
            profile = search.provider_profile(slug, register.uow)
        except NotFound as error:
            return pages.render(request, "not_found.html", status=404, message=error.message)
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
            trusted=is_trusted(provider, register.clock().date()),
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


def _stack_targets(names: list[str], provider: str, register: Register, lang: str) -> list[dict[str, str | None]]:
    """Each credential it stacks into, linked when it names another offering of the same provider."""
    targets: list[dict[str, str | None]] = []
    for name in names:
        try:
            target = catalogue.get_offering(provider, name, register.uow)
        except NotFound:
            targets.append({"name": name, "href": None})
        else:
            targets.append({"name": target.title.get(lang), "href": f"/offerings/{provider}/{name}"})
    return targets
