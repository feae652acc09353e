"""Data in and out: import an institution's file in one of the layouts, export the same layouts, templates.

An import is one transaction. Every row is validated (cells, domain rules, references, tenancy, repeated
keys); without ``skip_invalid`` one bad row means nothing is stored, with it the valid rows are stored
and the rejected ones written to a file, learner identifiers only as pseudonyms. Records are upserted on
their natural keys, so importing the same file twice reports every row unchanged. Enrolments go through
the unit of work's bulk store in batches, which is what makes a million rows fit in a minute.
"""

from __future__ import annotations

import csv
import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from microcred.domain import Change, Edition, Enrolment, Offering, Provider, pseudonymise
from microcred.errors import Invalid, NotFound
from microcred.i18n import translate
from microcred.io import (
    FORMATS,
    TEMPLATE_FORMATS,
    FileRejected,
    Layout,
    ParseContext,
    Problem,
    RowInvalid,
    layout,
    open_table,
    write_rows,
    write_template,
)
from microcred.services.dependencies import Dependencies
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

KINDS = ("providers", "offerings", "editions", "enrolments")
EXPORT_FORMATS = FORMATS
BATCH_ROWS = 5_000
MAX_LISTED_PROBLEMS = 1_000


@dataclass
class ImportReport:
    """What an import found and did: counts per change, and every problem with row, column and value."""

    kind: str
    file: Path
    format: str = ""
    encoding: str | None = None
    delimiter: str | None = None
    rows: int = 0
    counts: Counter[Change] = field(default_factory=Counter)
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)
    unlisted_problems: int = 0
    dry_run: bool = False
    skip_invalid: bool = False
    committed: bool = False
    rejected_file: Path | None = None

    @property
    def created(self) -> int:
        return self.counts[Change.CREATED]

    @property
    def updated(self) -> int:
        return self.counts[Change.UPDATED]

    @property
    def unchanged(self) -> int:
        return self.counts[Change.UNCHANGED]

    @property
    def ok(self) -> bool:
        """True when the import did (or, in a dry run, would do) what was asked."""
        return not self.problems or (self.skip_invalid and self.rejected > 0 and self.rows > 0 and self._row_level)

    @property
    def _row_level(self) -> bool:
        return all(problem.row > 1 or self.format == "jsonl" for problem in self.problems)

    def add_problems(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            if len(self.problems) < MAX_LISTED_PROBLEMS:
                self.problems.append(problem)
            else:
                self.unlisted_problems += 1

    def render(self, lang: str = "en") -> str:
        """The report as text for a person, in English or Dutch (the words from the i18n catalogue)."""
        where = ", ".join(part for part in (self.format, self.encoding) if part)
        counts = {name: getattr(self, name) for name in ("rows", "created", "updated", "unchanged", "rejected")}
        lines = [
            translate("import_report.file", lang, file=self.file, where=where, kind=self.kind),
            translate("import_report.counts", lang, **counts),
        ]
        lines += [_problem_line(problem, lang) for problem in self.problems]
        if self.unlisted_problems:
            lines.append(translate("import_report.more_problems", lang, count=self.unlisted_problems))
        if self.rejected_file is not None:
            lines.append(translate("import_report.rejected_file", lang, path=self.rejected_file))
        outcome = "dry_run" if self.dry_run else "committed" if self.committed else "refused"
        lines.append(translate(f"import_report.{outcome}", lang))
        return "\n".join(lines)


def _problem_line(problem: Problem, lang: str) -> str:
    """``row 3, column ects, value '90': must be ...``; the column and value only when the problem has them."""
    key = "import_report.problem"
    if problem.column:
        key += "_value" if problem.value is not None else "_column"
    reason = problem.reason(lang)
    return translate(key, lang, row=problem.row, column=problem.column, value=problem.value, reason=reason)


def import_file(
    kind: str,
    path: Path,
    uow: UnitOfWorkFactory,
    *,
    pepper: str,
    max_bytes: int,
    provider: str | None = None,
    fmt: str | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    rejected_path: Path | None = None,
    progress: Callable[[float], None] | None = None,
    before_commit: Callable[[UnitOfWork, ImportReport], None] | None = None,
) -> ImportReport:
    """Import ``path`` as ``kind`` rows in one transaction and report what happened.

    ``before_commit`` runs in that transaction just before it commits (a job records its result there)."""
    rows_layout = layout(kind)
    report = ImportReport(kind, path, dry_run=dry_run, skip_invalid=skip_invalid)
    context = ParseContext(pepper=pepper, provider=provider)
    with uow() as work:
        if provider is not None and kind != "providers":
            work.providers.id_of(provider)  # NotFound: an unknown provider is a usage error
        sink = _Sink(kind, work)
        rejects = _RejectedRows(rejected_path or _rejected_name(path), rows_layout, context) if skip_invalid else None
        try:
            optional = ("provider",) if provider else ()
            with open_table(path, rows_layout, max_bytes=max_bytes, fmt=fmt, optional=optional) as table:
                report.format, report.encoding, report.delimiter = table.format, table.encoding, table.delimiter
                for row, cells, found in table.rows:
                    report.rows += 1
                    problems = found or _check(rows_layout, sink, cells, row, context)
                    if problems:
                        report.rejected += 1
                        report.add_problems(problems)
                        if rejects is not None:
                            rejects.write(row, cells, problems)
                    elif skip_invalid or not report.problems:
                        sink.add(sink.pending)
                    if progress is not None and report.rows % 2_000 == 0:
                        progress(table.progress())
                sink.flush()
        except FileRejected as rejected:
            report.add_problems(rejected.problems)
        finally:
            if rejects is not None:
                report.rejected_file = rejects.close()
        report.counts = sink.counts
        if report.ok and not dry_run and (not report.problems or skip_invalid):
            report.committed = True
            if before_commit is not None:
                before_commit(work, report)
            work.commit()
    if progress is not None:
        progress(1.0)
    log.info(
        "import %s: %s rows, %s created, %s updated, %s unchanged, %s rejected, committed=%s",
        kind, report.rows, report.created, report.updated, report.unchanged, report.rejected, report.committed,
    )  # fmt: skip
    return report


def _check(
    rows_layout: Layout[Any], sink: _Sink, cells: Mapping[str, str], row: int, context: ParseContext
) -> list[Problem]:
    try:
        record = rows_layout.parse_row(cells, row, context)
    except RowInvalid as invalid:
        return invalid.problems
    return sink.check(record, row)


def _rejected_name(path: Path) -> Path:
    return path.with_name(f"{path.stem}.rejected.csv")


class _RejectedRows:
    """The rejected rows as CSV next to the input: the row's cells plus row number and reasons.

    A learner identifier is written only as its pseudonym (``learner_pseudonym``), never in clear.
    """

    def __init__(self, path: Path, rows_layout: Layout[Any], context: ParseContext) -> None:
        self.path = path
        self._context = context
        self._columns = [c.name for c in rows_layout.columns if not c.secret]
        self._handle = path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._handle)
        self._writer.writerow(["row", "problems", *self._columns])

    def write(self, row: int, cells: Mapping[str, str], problems: list[Problem]) -> None:
        shown = dict(cells)
        raw = shown.pop("learner_id", "")
        if raw and not shown.get("learner_pseudonym"):
            owner = shown.get("provider") or self._context.provider or ""
            try:
                shown["learner_pseudonym"] = pseudonymise(raw, provider=owner, pepper=self._context.pepper)
            except Invalid:
                shown["learner_pseudonym"] = ""
        reasons = "; ".join(f"{p.column or 'row'}: {p.reason('en')}" for p in problems)
        from microcred.io import neutralise

        self._writer.writerow([row, reasons, *(neutralise(shown.get(name, "")) for name in self._columns)])

    def close(self) -> Path:
        self._handle.close()
        return self.path


class _Sink:
    """Checks references and repeated keys for one kind of record, then stores records (in batches)."""

    def __init__(self, kind: str, work: UnitOfWork) -> None:
        self.kind = kind
        self.counts: Counter[Change] = Counter()
        self.pending: Any = None
        self._work = work
        self._provider_ids = work.bulk.provider_ids() if kind != "providers" else {}
        self._children: dict[int, dict[str, int]] = {}
        self._seen: set[bytes] = set()
        self._batch: list[tuple[int, int, Enrolment]] = []

    def check(self, record: Any, row: int) -> list[Problem]:
        """Problems with ``record``'s references and key; empty when it may be stored (kept as pending)."""
        owner = record.slug if isinstance(record, Provider) else record.provider
        key = record.slug if isinstance(record, Provider) else f"{owner}\x1f{_key_of(record)}"
        digest = hashlib.blake2b(key.encode(), digest_size=12).digest()
        key_column = (
            "slug" if isinstance(record, Provider) else ("reference" if isinstance(record, Enrolment) else "code")
        )
        if digest in self._seen:
            return [Problem(row, key_column, _key_of(record), "repeated-key")]
        problems: list[Problem] = []
        if not isinstance(record, Provider):
            if owner not in self._provider_ids:
                problems.append(Problem(row, "provider", owner, "provider-unknown"))
            else:
                problems += self._reference_problems(record, row)
        if problems:
            return problems
        self._seen.add(digest)
        self.pending = record
        return []

    def _reference_problems(self, record: Any, row: int) -> list[Problem]:
        provider_id = self._provider_ids[record.provider]
        if isinstance(record, Edition) and record.offering_code not in self._children_of(provider_id):
            return [Problem(row, "offering_code", record.offering_code, "offering-unknown")]
        if isinstance(record, Enrolment) and record.edition_code not in self._children_of(provider_id):
            return [Problem(row, "edition_code", record.edition_code, "edition-unknown")]
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
