"""Data in and out: import an institution's file in one of the layouts, export the same layouts, templates.

An import is one transaction. Every row is validated (cells, domain rules, references, tenancy, repeated
keys, dates no reading makes plausible); without ``skip_invalid`` one bad row means nothing is stored,
with it the valid rows are stored and the rejected ones written to a file, learner identifiers only as
pseudonyms. Values read in a documented but unusual way are kept and reported as warnings. Records are
upserted on their natural keys, so importing the same file twice reports every row unchanged.
Enrolment CSV files are read and judged in column blocks (:mod:`.import_blocks`, decision 0037) and
stored through the unit of work's bulk store in batches; a row whose digest equals the stored one is
only counted; the keys seen go to disk, which keeps memory flat.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from microcred.domain import Change, Enrolment
from microcred.domain.fields import RECORDS
from microcred.errors import Invalid, NotFound
from microcred.io import (
    FORMATS,
    TEMPLATE_FORMATS,
    Block,
    FileRejected,
    Notice,
    ParseContext,
    Problem,
    format_of,
    layout,
    open_table,
    screen,
    write_rows,
    write_template,
)
from microcred.services.dependencies import Dependencies
from microcred.services.import_blocks import EnrolmentBlocks
from microcred.services.import_keys import SeenKeys
from microcred.services.import_report import ImportReport
from microcred.services.import_rows import BATCH_ROWS, RejectedRows, RowSink, rejected_name, row_problems
from microcred.services.ports import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "EXPORT_FORMATS",
    "KINDS",
    "TEMPLATE_FORMATS",
    "ImportReport",
    "Imports",
    "export_records",
    "import_file",
    "store_enrolments",
    "write_kind_template",
]

log = logging.getLogger(__name__)

KINDS = tuple(RECORDS)  # the record names files and reports use, declared once (decision 0013)
EXPORT_FORMATS = FORMATS


def import_file(
    kind: str,
    path: Path,
    uow: UnitOfWorkFactory,
    *,
    pepper: str,
    max_bytes: int,
    today: date | None = None,
    provider: str | None = None,
    fmt: str | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    rejected_path: Path | None = None,
    progress: Callable[[float], None] | None = None,
    before_commit: Callable[[UnitOfWork, ImportReport], None] | None = None,
    in_columns: bool = True,
) -> ImportReport:
    """Import ``path`` as ``kind`` rows in one transaction and report what happened.

    ``in_columns``: an enrolments CSV file is read and judged in column blocks (decision 0037), with the
    same reports; False reads it row by row, the reference path ``benchmarks/bench_import.py`` times.

    ``today`` dates the check of enrolment and outcome dates: later than today is a warning, more than a
    year later is refused (without it, today's date). ``before_commit`` runs in that transaction just before
    it commits (a job records its result there).
    """
    rows_layout = layout(kind)
    report = ImportReport(kind, path, dry_run=dry_run, skip_invalid=skip_invalid)
    context = ParseContext(pepper=pepper, provider=provider)
    with uow() as work, SeenKeys() as seen:
        if provider is not None and kind != "providers":
            work.providers.id_of(provider)  # NotFound: an unknown provider is a usage error
        sink = RowSink(rows_layout, work, seen, context, today or date.today())
        rejects = RejectedRows(rejected_path or rejected_name(path), rows_layout, context) if skip_invalid else None
        try:
            report.format = format_of(path, fmt)
            optional = ("provider",) if provider else ()
            columnar = in_columns and kind == "enrolments"
            with open_table(
                path, rows_layout, max_bytes=max_bytes, fmt=fmt, optional=optional, columnar=columnar
            ) as table:
                report.format, report.encoding, report.delimiter = table.format, table.encoding, table.delimiter
                report.sheet, report.other_sheets = table.sheet, table.other_sheets

                def take_row(row: int, cells: dict[str, str], found: list[Problem]) -> None:
                    report.rows += 1
                    notes: list[Notice] = []
                    problems = row_problems(rows_layout, sink, cells, row, found, notes)
                    if problems:
                        problems = screen(problems, cells, rows_layout)
                        report.rejected += 1
                        report.add_problems(problems)
                        if rejects is not None:
                            rejects.write(row, cells, problems)
                    else:
                        report.add_warnings(notes)
                        if skip_invalid or not report.problems:
                            sink.add(sink.pending)
                    if progress is not None and report.rows % 2_000 == 0:
                        progress(table.progress())

                blocks = EnrolmentBlocks(rows_layout, sink, take_row, store=lambda: skip_invalid or not report.problems)
                for item in table.items if table.items is not None else table.rows:
                    if isinstance(item, Block):
                        clean = blocks.take(item)  # the rows sent back to take_row count themselves
                        report.rows += clean
                        if progress is not None:
                            progress(table.progress())
                    else:
                        take_row(*item)
                blocks.flush()
                sink.flush()
        except FileRejected as rejected:
            report.add_problems(rejected.problems)
        finally:
            if rejects is not None:
                report.rejected_file = rejects.close()
        if report.ok:  # otherwise the counts describe a transaction that is rolled back: nothing happened
            report.counts = sink.counts
        if report.ok and not dry_run:
            report.committed = True
            if before_commit is not None:
                before_commit(work, report)
            work.commit()
    if progress is not None:
        progress(1.0)
    log.info(
        "import %s: %s rows, %s created, %s updated, %s unchanged, %s rejected, %s warnings, committed=%s",
        kind, report.rows, report.created, report.updated, report.unchanged, report.rejected,
        len(report.warnings) + report.unlisted_warnings, report.committed,
    )  # fmt: skip
    return report


def store_enrolments(work: UnitOfWork, records: Iterable[Enrolment]) -> Counter[Change]:
    """Upsert many enrolments inside ``work`` through its bulk store; NotFound for an unknown edition."""
    provider_ids = work.bulk.provider_ids()
    editions: dict[int, dict[str, int]] = {}
    counts: Counter[Change] = Counter()
    batch: list[tuple[int, int, Enrolment]] = []
    for record in records:
        provider_id = provider_ids.get(record.provider)
        if provider_id is None:
            raise NotFound("no-provider", slug=record.provider)
        if provider_id not in editions:
            editions[provider_id] = work.bulk.edition_ids(provider_id)
        codes = editions[provider_id]
        if record.edition_code not in codes:
            raise NotFound("no-edition", provider=record.provider, code=record.edition_code)
        batch.append((provider_id, codes[record.edition_code], record))
        if len(batch) >= BATCH_ROWS:
            counts.update(work.bulk.save_enrolments(batch))
            batch = []
    if batch:
        counts.update(work.bulk.save_enrolments(batch))
    return counts


def _records(kind: str, work: UnitOfWork, provider: str | None) -> Iterator[Any]:
    if kind == "providers":
        return (p for p in work.providers.all() if provider is None or p.slug == provider)
    if kind == "offerings":
        return work.offerings.iterate(provider)
    if kind == "editions":
        return work.bulk.iter_editions(provider)
    return work.bulk.iter_enrolments(provider)


def export_records(kind: str, path: Path, uow: UnitOfWorkFactory, *, fmt: str, provider: str | None = None) -> int:
    """Write every ``kind`` record (of one provider) to ``path`` in the import layout; return the row count."""
    rows_layout = layout(kind)
    if fmt not in EXPORT_FORMATS:
        raise Invalid.field("format", "one-of", fmt, allowed=", ".join(EXPORT_FORMATS))
    with uow() as work:
        if provider is not None:
            work.providers.id_of(provider)
        count = write_rows(path, fmt, rows_layout, _records(kind, work, provider))
    log.info("export %s: %s rows as %s", kind, count, fmt)
    return count


def write_kind_template(kind: str, fmt: str, path: Path) -> None:
    """Write the fill-in template of ``kind`` (header, example row; XLSX adds a sheet of allowed codes)."""
    if fmt not in TEMPLATE_FORMATS:
        raise Invalid.field("format", "one-of", fmt, allowed=", ".join(TEMPLATE_FORMATS))
    write_template(layout(kind), fmt, path)


class Imports:
    """Files in and out, bound to one register (its pepper and upload limit)."""

    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps

    def import_file(
        self,
        kind: str,
        path: Path,
        *,
        provider: str | None = None,
        fmt: str | None = None,
        dry_run: bool = False,
        skip_invalid: bool = False,
        rejected_path: Path | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> ImportReport:
        return import_file(
            kind,
            path,
            self._deps.uow,
            pepper=self._deps.pepper,
            max_bytes=self._deps.settings.max_upload_bytes,
            today=self._deps.clock().date(),
            provider=provider,
            fmt=fmt,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            rejected_path=rejected_path,
            progress=progress,
        )

    def export_records(self, kind: str, path: Path, *, fmt: str, provider: str | None = None) -> int:
        return export_records(kind, path, self._deps.uow, fmt=fmt, provider=provider)

    def write_template(self, kind: str, fmt: str, path: Path) -> None:
        write_kind_template(kind, fmt, path)
