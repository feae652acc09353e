"""``microcred provider …`` and ``microcred offering …``: register and inspect the catalogue."""

from __future__ import annotations

import inspect
from typing import Any

import typer
from rich.table import Table

from microcred.cli.context import console, language, register, say
from microcred.cli.options import RecordOptions
from microcred.domain import OfferingStatus
from microcred.domain.fields import OFFERING, PROVIDER
from microcred.vocab import vocabulary

__all__ = ["offerings", "providers"]

providers = typer.Typer(
    help="Register and inspect providers (institutions) and their quality assurance.", no_args_is_help=True
)
offerings = typer.Typer(
    help="Register, inspect and check offerings (micro-credentials) against the EU elements.", no_args_is_help=True
)


PROVIDER_OPTIONS = RecordOptions(
    PROVIDER,
    arguments=("slug",),
    fields=(
        "name", "type", "country", "region", "kbo_number", "erasmus_code", "schac_code", "web_domain",
        "quality_assurances.agency", "quality_assurances.kind", "quality_assurances.valid_from",
        "quality_assurances.valid_until",
    ),
    defaults={"quality_assurances.kind": "institutional-review"},
)  # fmt: skip


def provider_add(**given: Any) -> None:
    """Register a new provider."""
    provider = PROVIDER.build(PROVIDER_OPTIONS.values(given))
    register().catalogue.add_provider(provider)
    console.print(say("provider.registered", slug=f"[bold]{provider.slug}[/]"))


providers.command("add")(PROVIDER_OPTIONS.command(provider_add))


@providers.command("list")
def provider_list() -> None:
    """List providers with their type and whether they are trusted today."""
    table = Table(*(say(f"provider.column.{column}") for column in ("slug", "name", "type", "trusted", "offerings")))
    catalogue = register().catalogue
    counts: dict[str, int] = {}
    for offering in catalogue.list_offerings():
        counts[offering.provider] = counts.get(offering.provider, 0) + 1
    for provider in catalogue.list_providers():
        table.add_row(
            provider.slug,
            provider.name.get("nl"),
            provider.type.value,
            say("yes") if catalogue.is_trusted(provider) else say("no"),
            str(counts.get(provider.slug, 0)),
        )
    console.print(table)


@providers.command("show")
def provider_show(slug: str = typer.Argument(..., help="The provider's slug.")) -> None:
    """Show one provider, its identifiers and quality-assurance records."""
    provider = register().catalogue.get_provider(slug)
    console.print(f"[bold]{provider.name.get('nl')}[/] ({provider.slug}) — {provider.type.value}, {provider.country}")
    for label, value in (
        ("name_en", provider.name.texts.get("en")),
        ("region", provider.region),
        ("kbo", provider.kbo_number),
        ("erasmus", provider.erasmus_code),
        ("schac", provider.schac_code),
        ("domain", provider.web_domain),
    ):
        if value:
            console.print(f"  {say(f'provider.label.{label}')}: {value}")
    trusted = say("yes") if register().catalogue.is_trusted(provider) else say("no")
    console.print(f"  {say('provider.label.trusted')}: {trusted}")
    for record in provider.quality_assurances:
        until = record.valid_until.isoformat() if record.valid_until else say("open_ended")
        qa = say("provider.label.qa")
        console.print(f"  {qa}: {record.agency} {record.kind.value} {record.valid_from.isoformat()} – {until}")


OFFERING_OPTIONS = RecordOptions(
    OFFERING,
    arguments=("provider", "code"),
    fields=(
        "title", "learning_outcomes", "ects", "hours", "eqf_level", "vks_level", "isced_field", "assessment_type",
        "participation_form", "quality_assurance", "languages", "kind", "flemish_type", "info_url",
        "price_eur",
    ),
)  # fmt: skip
_PUBLISH = inspect.Parameter(
    "publish",
    inspect.Parameter.KEYWORD_ONLY,
    annotation=bool,
    default=typer.Option(False, "--publish", help="Publish now (requires every EU element)."),
)


def offering_add(**given: Any) -> None:
    """Register a new offering (a draft unless --publish). Outcomes are in Dutch unless only --title-en is given."""
    language = "en" if given["title_en"] and not given["title_nl"] else "nl"
    values = OFFERING_OPTIONS.values(given, language=language)
    values["status"] = OfferingStatus.PUBLISHED if given["publish"] else OfferingStatus.DRAFT
    offering = OFFERING.build(values)
    register().catalogue.add_offering(offering)
    shown = f"[bold]{offering.provider}/{offering.code}[/]"
    console.print(say("offering.registered", offering=shown, status=offering.status.value))


offerings.command("add")(OFFERING_OPTIONS.command(offering_add, _PUBLISH))


@offerings.command("list")
def offering_list(provider: str | None = typer.Option(None, help="Only this provider's offerings.")) -> None:
    """List offerings with their ECTS, EQF level and status."""
    columns = ("provider", "code", "title", "ects", "eqf", "kind", "status")
    table = Table(*(say(f"offering.column.{column}") for column in columns))
    for offering in register().catalogue.list_offerings(provider=provider):
        table.add_row(
            offering.provider,
            offering.code,
            offering.title.get("nl"),
            str(offering.ects or ""),
            str(offering.eqf_level or ""),
            offering.kind.value,
            offering.status.value,
        )
    console.print(table)


@offerings.command("show")
def offering_show(provider: str = typer.Argument(...), code: str = typer.Argument(...)) -> None:
    """Show one offering with every EU standard element."""
    offering = register().catalogue.get_offering(provider, code)
    console.print(
        f"[bold]{offering.title.get('nl')}[/] — {offering.provider}/{offering.code} ({offering.status.value})"
    )
    rows = (
        ("title_en", offering.title.texts.get("en")),
        ("awarding_body", offering.awarding_provider),
        ("country", _labelled("countries", offering.issuer_country)),
        ("ects", offering.ects),
        ("hours", offering.hours),
        ("eqf", _labelled("eqf", offering.eqf_level)),
        ("vks", _labelled("vks", offering.vks_level)),
        ("isced", _labelled("isced-f", offering.isced_field)),
        ("assessment", _labelled("assessment-types", offering.assessment_type)),
        ("participation", _labelled("participation-forms", offering.participation_form)),
        ("quality_assurance", _labelled("qa-kinds", offering.quality_assurance)),
        ("languages", ", ".join(_labelled("languages", code) or code for code in offering.languages)),
        ("kind", _labelled("offering-kinds", offering.kind)),
        ("info", offering.info_url),
    )
    for label, value in rows:
        if value not in (None, ""):
            console.print(f"  {say(f'offering.label.{label}')}: {getattr(value, 'value', value)}")
    for index, learning_outcome in enumerate(offering.learning_outcomes, start=1):
        console.print(f"  {say('offering.label.outcome', index=index)}: {learning_outcome.text.get('nl')}")


@offerings.command("check")
def offering_check(provider: str = typer.Argument(...), code: str = typer.Argument(...)) -> None:
    """Print the mandatory EU elements the offering misses or gets wrong; exit 1 when any."""
    problems = register().catalogue.check_offering(provider, code)
    if not problems:
        console.print(say("offering.complete", provider=provider, code=code))
        return
    console.print(say("offering.incomplete", provider=provider, code=code, count=len(problems)))
    for problem in problems:
        console.print(f"  - {problem.describe(language())}", highlight=False)
    raise typer.Exit(1)


def _labelled(name: str, code: object) -> str | None:
    """A vocabulary code as a person reads it: its label in the command line's language, then the code."""
    if code is None:
        return None
    plain = str(getattr(code, "value", code))
    concepts = vocabulary(name)
    return f"{concepts.get(plain).label(language())} ({plain})" if plain in concepts else plain
