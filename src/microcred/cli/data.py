"""``microcred import``, ``microcred export`` and ``microcred template``: institutions' files in and out."""

from __future__ import annotations

from pathlib import Path

import typer

from microcred.cli.context import console, err_console, language, register, say
from microcred.domain.fields import RECORDS
from microcred.errors import Invalid

__all__ = ["attach"]

_KINDS = ", ".join(RECORDS)


def attach(app: typer.Typer) -> None:
    app.command("import")(import_command)
    app.command("export")(export_command)
    app.command("template")(template_command)


def _kind(kind: str) -> str:
    if kind not in RECORDS:
        raise Invalid.field("KIND", "one-of", kind, allowed=_KINDS)
    return kind


def import_command(
    kind: str = typer.Argument(..., help=f"What the file holds: {_KINDS}."),
    file: Path = typer.Argument(..., help="CSV, XLSX, JSON Lines or Parquet file.", exists=True, dir_okay=False),
    provider: str | None = typer.Option(None, "--provider", help="Accept only rows of this provider (slug)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and count, write nothing."),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="Import the valid rows; write the rejected ones to FILE.rejected.csv."
    ),
    lang: str | None = typer.Option(
        None, "--lang", help="Language of the report: en or nl (default: microcred --lang)."
    ),
    file_format: str | None = typer.Option(None, "--format", help="csv, xlsx, jsonl or parquet (default: suffix)."),
    report: Path | None = typer.Option(None, "--report", help="Also write the report to this file."),
) -> int:
    """Import a file of providers, offerings, editions or enrolments (all or nothing, idempotent)."""
    wired = register()
    wired.migrate()
    rejected = report.with_name(f"{file.stem}.rejected.csv") if report is not None else None
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn  # bar only

    with Progress(
        TextColumn(say("import.progress", name=file.name)),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("import", total=1.0)
        result = wired.imports.import_file(
            _kind(kind),
            file,
            provider=provider,
            fmt=file_format,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            rejected_path=rejected,
            progress=lambda done: bar.update(task, completed=done),
        )
    text = result.render("nl" if (lang or language()) == "nl" else "en")
    console.print(text, highlight=False, markup=False, soft_wrap=True)
    if report is not None:
        report.write_text(text + "\n", encoding="utf-8")
    return 0 if result.ok else 1


def export_command(
    kind: str = typer.Argument(..., help=f"What to export: {_KINDS}."),
    file_format: str = typer.Option("csv", "--format", help="csv, xlsx, jsonl or parquet."),
    provider: str | None = typer.Option(None, "--provider", help="Only this provider's records."),
    out: Path = typer.Option(..., "--out", help="File to write.", dir_okay=False),
) -> None:
    """Export records in the import layout (enrolments carry pseudonyms, never learner identifiers)."""
    count = register().imports.export_records(_kind(kind), out, fmt=file_format, provider=provider)
    console.print(say("export.written", count=say(f"kind.{kind}", count=count), out=out), highlight=False)


def template_command(
    kind: str = typer.Argument(..., help=f"Which layout: {_KINDS}."),
    file_format: str = typer.Option("xlsx", "--format", help="csv, xlsx or jsonl."),
    out: Path | None = typer.Option(None, "--out", help="File to write (default: KIND-template.FORMAT)."),
) -> None:
    """Write a fill-in template: the header, one example row and (XLSX) a sheet of allowed codes."""
    target = out or Path(f"{_kind(kind)}-template.{file_format}")
    from microcred.services import imports

    imports.write_kind_template(_kind(kind), file_format, target)
    console.print(say("template.written", target=target), highlight=False)
