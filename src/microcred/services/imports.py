"""Data in and out: import an institution's file in one of the layouts, export the same layouts, templates.

An import is one transaction. Every row is validated (cells, domain rules, references, tenancy, repeated
keys, dates no reading makes plausible); without ``skip_invalid`` one bad row means nothing is stored,
with it the valid rows are stored and the rejected ones written to a file, learner identifiers only as
pseudonyms. Values read in a documented but unusual way are kept and reported as warnings. Records are
upserted on their natural keys, so importing the same file twice reports every row unchanged.
Enrolments go through the unit of work's bulk store in batches, which is what makes a million rows fit
in a minute, and the keys seen go to disk, which keeps memory flat.
"""

from __future__ import annotations

import csv
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from microcred.domain import (
    Change,
    Enrolment,
    LearnerScheme,
    Offering,
    Provider,
    check_academic_year,
    identify,
    pseudonymise,
)
from microcred.domain.fields import RECORDS
from microcred.errors import FieldProblem, Invalid, NotFound
from microcred.io import (
    FORMATS,
    TEMPLATE_FORMATS,
    FileRejected,
    Layout,
    Notice,
    ParseContext,
    Problem,
    RowInvalid,
    echoed_cells,
    format_of,
    layout,
    neutralise,
    open_table,
    screen,
    write_rows,
    write_template,
)
from microcred.services.dependencies import Dependencies
from microcred.services.import_keys import SeenKeys
from microcred.services.import_report import ImportReport
from microcred.services.ports import UnitOfWork, UnitOfWorkFactory
from microcred.vocab import vocabulary

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
BATCH_ROWS = 5_000
FUTURE_LIMIT = timedelta(days=366)
"""An enrolment or outcome dated further ahead than this is refused: no reading makes it plausible."""


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
) -> ImportReport:
    """Import ``path`` as ``kind`` rows in one transaction and report what happened.

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
        sink = _Sink(rows_layout, work, seen, context, today or date.today())
        rejects = _RejectedRows(rejected_path or _rejected_name(path), rows_layout, context) if skip_invalid else None
        try:
            report.format = format_of(path, fmt)
            optional = ("provider",) if provider else ()
            with open_table(path, rows_layout, max_bytes=max_bytes, fmt=fmt, optional=optional) as table:
                report.format, report.encoding, report.delimiter = table.format, table.encoding, table.delimiter
                report.sheet, report.other_sheets = table.sheet, table.other_sheets
                for row, cells, found in table.rows:
                    report.rows += 1
                    notes: list[Notice] = []
                    problems = _row_problems(rows_layout, sink, cells, row, found, notes)
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


def _row_problems(
    rows_layout: Layout[Any], sink: _Sink, cells: Mapping[str, str], row: int, found: list[Problem], notes: list[Notice]
) -> list[Problem]:
    """Every problem of a row: the reader's, each cell's, its references, its key and its dates.

    A row-wide problem from the reader (cells that do not line up with the header, an unreadable JSON
    object) is reported alone: its cells may be shifted or missing, and checking them would only add noise.
    """
    if not cells or any(not problem.column for problem in found):
        return found
    flagged = {problem.column for problem in found}
    try:
        record = rows_layout.parse_row(cells, row, sink.context, notes=notes)
    except RowInvalid as invalid:
        problems = found + [p for p in invalid.problems if p.column not in flagged]
        return problems + sink.cell_problems(cells, row, {p.column for p in problems})
    problems = found + _date_problems(record, row, cells, sink.today, notes)
    if problems:
        return problems + sink.cell_problems(cells, row, {p.column for p in problems})
    return sink.check(record, row, cells)


def _scheme(cell: str) -> LearnerScheme | None:
    """The scheme a rejected row's cell names (ValueError when it names none), None when it is empty."""
    if not cell.strip():
        return None
    concept = vocabulary("learner-id-schemes").resolve(cell)
    if concept is None:
        raise ValueError(cell)
    return LearnerScheme(concept.code)


def _date_problems(record: Any, row: int, cells: Mapping[str, str], today: date, notes: list[Notice]) -> list[Problem]:
    """An enrolment or outcome dated in the future is a warning; more than a year ahead, a problem."""
    if not isinstance(record, Enrolment):
        return []
    problems: list[Problem] = []
    for column, day in (("enrolment_date", record.enrolment_date), ("outcome_date", record.outcome_date)):
        if day is None or day <= today:
            continue
        if day > today + FUTURE_LIMIT:
            problems.append(Problem(row, column, day.isoformat(), "date-too-far-ahead", {"today": today.isoformat()}))
        else:
            read = cells.get(column, "")
            notes.append(Notice(row, column, read, day.isoformat(), "date-in-future", {"today": today.isoformat()}))
    return problems


def _rejected_name(path: Path) -> Path:
    return path.with_name(f"{path.stem}.rejected.csv")


class _RejectedRows:
    """The rejected rows as CSV next to the input: the row's cells plus row number and reasons.

    A learner identifier is written only as its pseudonym (``learner_pseudonym``), never in clear, and a
    cell that might hold one (see :func:`microcred.io.echoed_cells`) is left empty.
    """

    def __init__(self, path: Path, rows_layout: Layout[Any], context: ParseContext) -> None:
        self.path = path
        self._layout = rows_layout
        self._context = context
        self._columns = [c.name for c in rows_layout.columns if not c.secret]
        self._handle = path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._handle)
        self._writer.writerow(["row", "problems", *self._columns])

    def write(self, row: int, cells: Mapping[str, str], problems: list[Problem]) -> None:
        shown = echoed_cells(cells, problems, self._layout)
        raw = shown.pop("learner_id", "")
        if raw and not shown.get("learner_pseudonym"):
            owner = shown.get("provider") or self._context.provider or ""
            try:
                scheme = identify(raw, _scheme(shown.get("learner_scheme", "")))
                shown["learner_pseudonym"] = pseudonymise(
                    raw, provider=owner, pepper=self._context.pepper, scheme=scheme
                )
            except (Invalid, ValueError):
                shown["learner_pseudonym"] = ""
        reasons = "; ".join(f"{p.column or 'row'}: {p.reason('en')}" for p in problems)
        self._writer.writerow([row, reasons, *(neutralise(shown.get(name, "")) for name in self._columns)])

    def close(self) -> Path:
        self._handle.close()
        return self.path


class _Sink:
    """Checks references and repeated keys for one kind of record, then stores records (in batches)."""

    def __init__(
        self, rows_layout: Layout[Any], work: UnitOfWork, seen: SeenKeys, context: ParseContext, today: date
    ) -> None:
        self.kind = kind = rows_layout.kind
        self._layout = rows_layout
        self.context = context
        self.today = today
        self.counts: Counter[Change] = Counter()
        self.pending: Any = None
        self._work = work
        self._seen = seen
        self._provider_ids = work.bulk.provider_ids() if kind != "providers" else {}
        self._children: dict[int, dict[str, int]] = {}
        self._starts: dict[int, dict[str, date]] = {}
        self._batch: list[tuple[int, int, Enrolment]] = []

    @property
    def _key_column(self) -> str:
        return {"providers": "slug", "enrolments": "reference"}.get(self.kind, "code")

    @property
    def _child_column(self) -> str | None:
        return {"editions": "offering_code", "enrolments": "edition_code"}.get(self.kind)

    def check(self, record: Any, row: int, cells: Mapping[str, str]) -> list[Problem]:
        """Problems with ``record``'s references and key; empty when it may be stored (kept as pending)."""
        owner = record.slug if isinstance(record, Provider) else record.provider
        key = _key_of(record)
        problems = self._problems(row, owner, key, getattr(record, self._child_column or "", None))
        if isinstance(record, Offering) and not cells.get("status") and not problems:
            record, problems = self._stored_status(record, row, cells)
        if isinstance(record, Enrolment) and not problems:
            record, problems = self._dated(record, row, cells)
        if not problems:
            self._seen.add(f"{owner}\x1f{key}", row)
            self.pending = record
        return problems

    def _stored_status(self, offering: Offering, row: int, cells: Mapping[str, str]) -> tuple[Offering, list[Problem]]:
        """An offering row without a status keeps the stored offering's status (a new one is a draft)."""
        try:
            stored = self._work.offerings.get(offering.provider, offering.code)
        except NotFound:
            return offering, []
        kept = replace(offering, status=stored.status)
        try:
            return kept.validate(), []
        except Invalid as error:
            found = error.problems or [FieldProblem("", error.reason, params=error.params)]
            return kept, [self._layout.problem_of(row, cells, problem) for problem in found]

    def _dated(self, record: Enrolment, row: int, cells: Mapping[str, str]) -> tuple[Enrolment, list[Problem]]:
        """Check an enrolment row's ``academic_year`` (when given) against its edition's start, and date an
        enrolment without a date on that start (the documented meaning of an empty ``enrolment_date``)."""
        provider_id = self._provider_ids[record.provider]
        if provider_id not in self._starts:
            self._starts[provider_id] = self._work.bulk.edition_starts(provider_id)
        start = self._starts[provider_id][record.edition_code]
        try:
            check_academic_year(cells.get("academic_year"), start)
        except Invalid as error:
            found = error.problems or [FieldProblem("academic_year", error.reason, params=error.params)]
            return record, [self._layout.problem_of(row, cells, problem) for problem in found]
        return (record if record.enrolment_date else replace(record, enrolment_date=start)), []

    def cell_problems(self, cells: Mapping[str, str], row: int, reported: set[str]) -> list[Problem]:
        """The reference and key problems of a row that could not be read whole, from its cells as text."""
        owner_column = "slug" if self.kind == "providers" else "provider"
        owner = cells.get(owner_column) or self.context.provider or ""
        key = cells.get(self._key_column, "")
        child = cells.get(self._child_column or "", "")
        if owner_column in reported or not owner:
            return []
        return [p for p in self._problems(row, owner, key, child or None) if p.column not in reported]

    def _problems(self, row: int, owner: str, key: str, child: str | None) -> list[Problem]:
        first = self._seen.first_row(f"{owner}\x1f{key}") if key else None
        if first is not None:
            return [Problem(row, self._key_column, key, "repeated-key", {"first": first})]
        if self.kind == "providers":
            return []
        if owner not in self._provider_ids:
            return [Problem(row, "provider", owner, "provider-unknown")]
        if child is not None and self._child_column and child not in self._children_of(self._provider_ids[owner]):
            editions = self.kind == "editions"
            return [Problem(row, self._child_column, child, "offering-unknown" if editions else "edition-unknown")]
        return []

    def _children_of(self, provider_id: int) -> dict[str, int]:
        if provider_id not in self._children:
            bulk = self._work.bulk
            load = bulk.offering_ids if self.kind == "editions" else bulk.edition_ids
            self._children[provider_id] = load(provider_id)
        return self._children[provider_id]

    def add(self, record: Any) -> None:
        if isinstance(record, Enrolment):
            provider_id = self._provider_ids[record.provider]
            self._batch.append((provider_id, self._children_of(provider_id)[record.edition_code], record))
            if len(self._batch) >= BATCH_ROWS:
                self.flush()
        elif isinstance(record, Provider):
            self.counts[self._work.providers.save(record)] += 1
        elif isinstance(record, Offering):
            self.counts[self._work.offerings.save(record)] += 1
        else:
            self.counts[self._work.editions.save(record)] += 1

    def flush(self) -> None:
        if self._batch:
            self.counts.update(self._work.bulk.save_enrolments(self._batch))
            self._batch = []


def _key_of(record: Any) -> str:
    if isinstance(record, Provider):
        return record.slug
    return str(record.reference if isinstance(record, Enrolment) else record.code)


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
