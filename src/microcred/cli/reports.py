"""``microcred report parliament``: the answer to the parliament's written question 223 in one command."""

from __future__ import annotations

from pathlib import Path

import typer

from microcred.cli.context import console, err_console, language, register, say

__all__ = ["reports"]

reports = typer.Typer(help="Statistical reports over the register, with disclosure control.", no_args_is_help=True)


@reports.command("parliament")
def parliament(
    from_year: str = typer.Option("2020-21", "--from", help="First academic year, e.g. 2020-21."),
    to_year: str = typer.Option("2024-25", "--to", help="Last academic year, e.g. 2024-25."),
    provider: list[str] = typer.Option([], "--provider", help="Only this provider (slug; repeat for more)."),
    provider_type: list[str] = typer.Option([], "--provider-type", help="Only these provider types (repeat)."),
    all_providers: bool = typer.Option(
        False, "--all-providers", help="Every provider type, not only universities and university colleges."
    ),
    kind: list[str] = typer.Option([], "--kind", help="Only these offer kinds (default: the broad EU reading)."),
    lang: str = typer.Option("nl", "--lang", help="nl or en."),
    fmt: str = typer.Option("html", "--format", help="html, pdf, xlsx, csv or json."),
    out: Path = typer.Option(..., "--out", help="File to write the report to."),
) -> None:
    """Offer, enrolments (working or not) and growth of micro-credentials, counts of few learners hidden."""
    content = register().reports.parliament_report_file(
        fmt=fmt,
        lang=lang,
        from_year=from_year,
        to_year=to_year,
        providers=provider,
        provider_types=provider_type,
        all_providers=all_providers,
        kinds=kind,
    )
    out.write_bytes(content)
    console.print(say("report.wrote", out=out, format=fmt, lang=lang))


@reports.command("facts")
def facts(
    parquet: Path = typer.Option(
        ..., "--parquet", help="Directory to write the Parquet dataset to (an earlier export there is replaced)."
    ),
) -> None:
    """Statistics facts as Parquet by academic year and provider, for the statistics office: not protected."""
    written = register().reports.export_facts(parquet)
    enrolments = written.rows["stat_enrolments"]
    _say(say("report.facts_written", out=written.directory, enrolments=enrolments))
    _say(say("report.facts_unprotected"), error=True)


@reports.command("audit")
def audit() -> None:
    """Attack every publishable statistic of the register; exit 1 if a small count is narrowed too far."""
    found = register().reports.audit_disclosure()
    lang = language()
    _say(
        say(
            "audit.summary", reports=found.reports, scopes=found.scopes, ranges=found.ranges, cells=found.cells,
            protected=found.protected, k=found.k, seconds=found.seconds, recognition_cells=found.recognition_cells,
            recognition_protected=found.recognition_protected,
        )
    )  # fmt: skip
    if found.weakest is not None:
        _say(say("audit.weakest", finding=found.weakest.describe(lang)))
    for mismatch in found.mismatches[:10]:
        _say(mismatch.describe(lang), error=True)
    for finding in found.narrowed[:10]:
        _say(finding.describe(lang), error=True)
    if not found.passed:
        failed = say(
            "audit.failed", narrowed=len(found.narrowed), required=found.required, mismatches=len(found.mismatches)
        )
        _say(failed, error=True)
        raise typer.Exit(1)
    _say(say("audit.passed", k=found.k, required=found.required))


def _say(line: str, *, error: bool = False) -> None:
    (err_console if error else console).print(line, markup=False, highlight=False, soft_wrap=True)
