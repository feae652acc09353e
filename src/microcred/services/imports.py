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
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from microcred.domain import (
    Change,
    Edition,
    Enrolment,
    LearnerScheme,
    Offering,
    Provider,
    check_academic_year,
    identify,
    pseudonymise,
)
from microcred.errors import FieldProblem, Invalid, NotFound
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
        """The report as text for a person, in English or Dutch."""
        nl = lang == "nl"
        where = ", ".join(part for part in (self.format, self.encoding) if part)
        lines = [f"{'bestand' if nl else 'file'}: {self.file} ({where}) — {self.kind}"]
        labels = ("rijen", "nieuw", "bijgewerkt", "ongewijzigd", "geweigerd") if nl else (
            "rows", "created", "updated", "unchanged", "rejected",
        )  # fmt: skip
        numbers = (self.rows, self.created, self.updated, self.unchanged, self.rejected)
        lines.append(", ".join(f"{label}: {number}" for label, number in zip(labels, numbers, strict=True)))
        for problem in self.problems:
            shown = "" if problem.value is None else f" {'waarde' if nl else 'value'} {problem.value!r}:"
            column = f"{'kolom' if nl else 'column'} {problem.column}, " if problem.column else ""
            lines.append(
                f"  {'rij' if nl else 'row'} {problem.row}, {column}{shown} {problem.reason(lang)}".replace(", :", ":")
            )
        if self.unlisted_problems:
            lines.append(f"  … {self.unlisted_problems} {'problemen meer' if nl else 'more problems'}")
        if self.rejected_file is not None:
            lines.append(f"{'geweigerde rijen' if nl else 'rejected rows'}: {self.rejected_file}")
        lines.append(self._outcome(nl))
        return "\n".join(lines)

    def _outcome(self, nl: bool) -> str:
        if self.dry_run:
            return "proefdraai: er is niets opgeslagen" if nl else "dry run: nothing was written"
        if self.committed:
            return "ingevoerd" if nl else "imported"
        return "niets gewijzigd (alles of niets)" if nl else "nothing was changed (all or nothing)"


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
) -> ImportReport:
    """Import ``path`` as ``kind`` rows in one transaction and report what happened."""
    rows_layout = layout(kind)
    report = ImportReport(kind, path, dry_run=dry_run, skip_invalid=skip_invalid)
    context = ParseContext(pepper=pepper, provider=provider)
    with uow() as work:
        if provider is not None and kind != "providers":
            work.providers.id_of(provider)  # NotFound: an unknown provider is a usage error
        sink = _Sink(rows_layout, work)
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
            work.commit()
            report.committed = True
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
    return sink.check(record, row, cells)


def _scheme(cell: str) -> LearnerScheme | None:
    """The scheme a rejected row's cell names (ValueError when it names none), None when it is empty."""
    if not cell.strip():
        return None
    concept = vocabulary("learner-id-schemes").resolve(cell)
    if concept is None:
        raise ValueError(cell)
    return LearnerScheme(concept.code)


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
                scheme = identify(raw, _scheme(shown.get("learner_scheme", "")))
                shown["learner_pseudonym"] = pseudonymise(
                    raw, provider=owner, pepper=self._context.pepper, scheme=scheme
                )
            except (Invalid, ValueError):
                shown["learner_pseudonym"] = ""
        reasons = "; ".join(f"{p.column or 'row'}: {p.reason_en}" for p in problems)
        from microcred.io import neutralise

        self._writer.writerow([row, reasons, *(neutralise(shown.get(name, "")) for name in self._columns)])

    def close(self) -> Path:
        self._handle.close()
        return self.path


class _Sink:
    """Checks references and repeated keys for one kind of record, then stores records (in batches)."""

    def __init__(self, rows_layout: Layout[Any], work: UnitOfWork) -> None:
        self.kind = kind = rows_layout.kind
        self._layout = rows_layout
        self.counts: Counter[Change] = Counter()
        self.pending: Any = None
        self._work = work
        self._provider_ids = work.bulk.provider_ids() if kind != "providers" else {}
        self._children: dict[int, dict[str, int]] = {}
        self._starts: dict[int, dict[str, date]] = {}
        self._seen: set[bytes] = set()
        self._batch: list[tuple[int, int, Enrolment]] = []

    def check(self, record: Any, row: int, cells: Mapping[str, str]) -> list[Problem]:
        """Problems with ``record``'s references and key; empty when it may be stored (kept as pending)."""
        owner = record.slug if isinstance(record, Provider) else record.provider
        key = record.slug if isinstance(record, Provider) else f"{owner}\x1f{_key_of(record)}"
        digest = hashlib.blake2b(key.encode(), digest_size=12).digest()
        key_column = (
            "slug" if isinstance(record, Provider) else ("reference" if isinstance(record, Enrolment) else "code")
        )
        if digest in self._seen:
            return [
                _problem(
                    row,
                    key_column,
                    _key_of(record),
                    "repeats the key of an earlier row",
                    "herhaalt de sleutel van een eerdere rij",
                )
            ]
        problems: list[Problem] = []
        if not isinstance(record, Provider):
            if owner not in self._provider_ids:
                problems.append(
                    _problem(row, "provider", owner, "is not a registered provider", "is geen geregistreerde aanbieder")
                )
            else:
                problems += self._reference_problems(record, row)
        if isinstance(record, Offering) and not cells.get("status") and not problems:
            record, problems = self._stored_status(record, row, cells)
        if isinstance(record, Enrolment) and not problems:
            record, problems = self._dated(record, row, cells)
        if problems:
            return problems
        self._seen.add(digest)
        self.pending = record
        return []

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
            found = error.problems or [FieldProblem("", str(error))]
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
            found = error.problems or [FieldProblem("academic_year", str(error))]
            return record, [self._layout.problem_of(row, cells, problem) for problem in found]
        return (record if record.enrolment_date else replace(record, enrolment_date=start)), []

    def _reference_problems(self, record: Any, row: int) -> list[Problem]:
        provider_id = self._provider_ids[record.provider]
        if isinstance(record, Edition) and record.offering_code not in self._children_of(provider_id):
            return [
                _problem(
                    row,
                    "offering_code",
                    record.offering_code,
                    "is not an offering of this provider",
                    "is geen aanbod van deze aanbieder",
                )
            ]
        if isinstance(record, Enrolment) and record.edition_code not in self._children_of(provider_id):
            return [
                _problem(
                    row,
                    "edition_code",
                    record.edition_code,
                    "is not an edition of this provider",
                    "is geen editie van deze aanbieder",
                )
            ]
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


def _problem(row: int, column: str, value: str, en: str, nl: str) -> Problem:
    return Problem(row, column, value, en, nl)


def store_enrolments(work: UnitOfWork, records: Iterable[Enrolment]) -> Counter[Change]:
    """Upsert many enrolments inside ``work`` through its bulk store; NotFound for an unknown edition."""
    provider_ids = work.bulk.provider_ids()
    editions: dict[int, dict[str, int]] = {}
    counts: Counter[Change] = Counter()
    batch: list[tuple[int, int, Enrolment]] = []
    for record in records:
        provider_id = provider_ids.get(record.provider)
        if provider_id is None:
            raise NotFound(f"no provider with slug {record.provider!r}")
        if provider_id not in editions:
            editions[provider_id] = work.bulk.edition_ids(provider_id)
        codes = editions[provider_id]
        if record.edition_code not in codes:
            raise NotFound(f"provider {record.provider!r} has no edition with code {record.edition_code!r}")
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
        raise Invalid.field("format", f"must be one of {', '.join(EXPORT_FORMATS)}", fmt)
    with uow() as work:
        if provider is not None:
            work.providers.id_of(provider)
        count = write_rows(path, fmt, rows_layout, _records(kind, work, provider))
    log.info("export %s: %s rows as %s", kind, count, fmt)
    return count


def write_kind_template(kind: str, fmt: str, path: Path) -> None:
    """Write the fill-in template of ``kind`` (header, example row; XLSX adds a sheet of allowed codes)."""
    if fmt not in TEMPLATE_FORMATS:
        raise Invalid.field("format", f"must be one of {', '.join(TEMPLATE_FORMATS)}", fmt)
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
