"""``microcred provider …`` and ``microcred offering …``: register and inspect the catalogue."""

from __future__ import annotations

from datetime import date

import typer
from rich.table import Table

from microcred.cli.context import console, language, register, resolve_code, say
from microcred.domain import (
    FlemishMcType,
    LangText,
    LearningOutcome,
    Offering,
    OfferingKind,
    OfferingStatus,
    ParticipationForm,
    Provider,
    ProviderType,
    QaKind,
    QualityAssurance,
    ects,
)
from microcred.errors import Invalid

__all__ = ["offerings", "providers"]

providers = typer.Typer(
    help="Register and inspect providers (institutions) and their quality assurance.", no_args_is_help=True
)
offerings = typer.Typer(
    help="Register, inspect and check offerings (micro-credentials) against the EU elements.", no_args_is_help=True
)


@providers.command("add")
def provider_add(
    slug: str = typer.Argument(..., help="Short URL-safe key, e.g. kuleuven."),
    name_nl: str = typer.Option(..., "--name-nl", help="Official name in Dutch."),
    name_en: str = typer.Option("", "--name-en", help="Official name in English."),
    provider_type: str = typer.Option(
        ...,
        "--type",
        help="university, university-college, school-of-arts, registered-institution, other-public or other-private.",
    ),
    country: str = typer.Option("BE", help="ISO 3166-1 alpha-2 country code."),
    region: str | None = typer.Option(None, help="NUTS region code, e.g. BE24."),
    kbo: str | None = typer.Option(None, "--kbo", help="Belgian enterprise (KBO) number."),
    erasmus: str | None = typer.Option(None, help="Erasmus institution code."),
    schac: str | None = typer.Option(None, help="SCHAC home organisation."),
    domain: str | None = typer.Option(None, help="Web domain, e.g. kuleuven.be."),
    qa_agency: str | None = typer.Option(None, "--qa-agency", help="Quality-assurance agency, e.g. NVAO."),
    qa_kind: str = typer.Option(
        "institutional-review", "--qa-kind", help="institutional-review, programme-accreditation or other."
    ),
    qa_from: str | None = typer.Option(None, "--qa-from", help="QA valid from (YYYY-MM-DD)."),
    qa_until: str | None = typer.Option(None, "--qa-until", help="QA valid until (YYYY-MM-DD)."),
) -> None:
    """Register a new provider."""
    records = []
    if qa_agency:
        if not qa_from:
            raise Invalid.field("--qa-from", "qa-from-required")
        records.append(
            QualityAssurance(
                qa_agency,
                QaKind(resolve_code("qa-kinds", qa_kind, option="--qa-kind")),
                _required_date(qa_from, "--qa-from"),
                _date(qa_until, "--qa-until"),
            )
        )
    provider = Provider(
        slug=slug,
        name=LangText.of(name_nl, name_en or None),
        type=ProviderType(resolve_code("provider-types", provider_type, option="--type")),
        country=country.upper(),
        region=region,
        kbo_number=kbo,
        erasmus_code=erasmus,
        schac_code=schac,
        web_domain=domain,
        quality_assurances=records,
    )
    register().catalogue.add_provider(provider)
    console.print(say("provider.registered", slug=f"[bold]{slug}[/]"))


@providers.command("list")
def provider_list() -> None:
    """List providers with their type and whether they are trusted today."""
    table = Table("slug", "name", "type", "trusted today", "offerings")
    catalogue = register().catalogue
    counts: dict[str, int] = {}
    for offering in catalogue.list_offerings():
        counts[offering.provider] = counts.get(offering.provider, 0) + 1
    for provider in catalogue.list_providers():
        table.add_row(
            provider.slug,
            provider.name.get("nl"),
            provider.type.value,
            "yes" if catalogue.is_trusted(provider) else "no",
            str(counts.get(provider.slug, 0)),
        )
    console.print(table)


@providers.command("show")
def provider_show(slug: str = typer.Argument(..., help="The provider's slug.")) -> None:
    """Show one provider, its identifiers and quality-assurance records."""
    provider = register().catalogue.get_provider(slug)
    console.print(f"[bold]{provider.name.get('nl')}[/] ({provider.slug}) — {provider.type.value}, {provider.country}")
    for label, value in (
        ("English name", provider.name.texts.get("en")),
        ("region", provider.region),
        ("KBO", provider.kbo_number),
        ("Erasmus", provider.erasmus_code),
        ("SCHAC", provider.schac_code),
        ("domain", provider.web_domain),
    ):
        if value:
            console.print(f"  {label}: {value}")
    console.print(f"  trusted today: {'yes' if register().catalogue.is_trusted(provider) else 'no'}")
    for record in provider.quality_assurances:
        until = record.valid_until.isoformat() if record.valid_until else "open-ended"
        console.print(f"  QA: {record.agency} {record.kind.value} {record.valid_from.isoformat()} – {until}")


@offerings.command("add")
def offering_add(
    provider: str = typer.Argument(..., help="The provider's slug."),
    code: str = typer.Argument(..., help="The provider's own code for the offering."),
    title_nl: str = typer.Option("", "--title-nl", help="Title in Dutch."),
    title_en: str = typer.Option("", "--title-en", help="Title in English."),
    outcome: list[str] = typer.Option([], "--outcome", help="A learning outcome (repeat for more)."),
    ects_value: str | None = typer.Option(None, "--ects", help="Workload in ECTS (> 0, ≤ 60)."),
    hours: int | None = typer.Option(None, help="Notional workload in hours."),
    eqf: int | None = typer.Option(None, "--eqf", help="EQF level 1-8."),
    vks: int | None = typer.Option(None, "--vks", help="Flemish qualifications framework (VKS) level 1-8."),
    isced: str | None = typer.Option(None, "--isced", help="ISCED-F 2013 field code or label."),
    assessment: str | None = typer.Option(None, help="Type of assessment (code or label)."),
    participation: str | None = typer.Option(None, help="online, on-site or blended."),
    qa: str | None = typer.Option(None, "--qa", help="Type of quality assurance."),
    language: list[str] = typer.Option([], "--language", help="Teaching language (ISO 639-1, repeat)."),
    kind: str = typer.Option(
        "micro-credential", help="micro-credential, course-units, postgraduate, further-training or other."
    ),
    flemish_type: str | None = typer.Option(None, "--flemish-type", help="Flemish micro-credential type."),
    info_url: str | None = typer.Option(None, "--info-url", help="Further information URL."),
    publish: bool = typer.Option(False, "--publish", help="Publish now (requires every EU element)."),
) -> None:
    """Register a new offering (a draft unless --publish). Outcomes are in Dutch unless only --title-en is given."""
    outcome_language = "en" if title_en and not title_nl else "nl"
    offering = Offering(
        provider=provider,
        code=code,
        title=LangText.of(title_nl or None, title_en or None),
        kind=OfferingKind(resolve_code("offering-kinds", kind, option="--kind")),
        status=OfferingStatus.PUBLISHED if publish else OfferingStatus.DRAFT,
        learning_outcomes=[LearningOutcome(LangText({outcome_language: text})) for text in outcome],
        ects=ects(ects_value, field="--ects") if ects_value is not None else None,
        hours=hours,
        eqf_level=eqf,
        vks_level=vks,
        isced_field=resolve_code("isced-f", isced, option="--isced") if isced else None,
        assessment_type=resolve_code("assessment-types", assessment, option="--assessment") if assessment else None,
        participation_form=ParticipationForm(
            resolve_code("participation-forms", participation, option="--participation")
        )
        if participation
        else None,
        quality_assurance=QaKind(resolve_code("qa-kinds", qa, option="--qa")) if qa else None,
        languages=[resolve_code("languages", lang, option="--language") for lang in language],
        flemish_type=FlemishMcType(resolve_code("flemish-mc-types", flemish_type, option="--flemish-type"))
        if flemish_type
        else None,
        info_url=info_url,
    )
    register().catalogue.add_offering(offering)
    shown = f"[bold]{provider}/{code}[/]"
    console.print(say("offering.registered", offering=shown, status=offering.status.value))


@offerings.command("list")
def offering_list(provider: str | None = typer.Option(None, help="Only this provider's offerings.")) -> None:
    """List offerings with their ECTS, EQF level and status."""
    table = Table("provider", "code", "title", "ECTS", "EQF", "kind", "status")
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
        ("English title", offering.title.texts.get("en")),
        ("awarding body", offering.awarding_provider),
        ("country", offering.issuer_country),
        ("ECTS", offering.ects),
        ("hours", offering.hours),
        ("EQF", offering.eqf_level),
        ("VKS", offering.vks_level),
        ("ISCED-F", offering.isced_field),
        ("assessment", offering.assessment_type),
        ("participation", offering.participation_form),
        ("quality assurance", offering.quality_assurance),
        ("languages", ", ".join(offering.languages)),
        ("kind", offering.kind.value),
        ("info", offering.info_url),
    )
    for label, value in rows:
        if value not in (None, ""):
            console.print(f"  {label}: {getattr(value, 'value', value)}")
    for index, learning_outcome in enumerate(offering.learning_outcomes, start=1):
        console.print(f"  outcome {index}: {learning_outcome.text.get('nl')}")


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


def _required_date(text: str, option: str) -> date:
    found = _date(text, option)
    assert found is not None
    return found


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid.field(option, "date-format", text) from None
