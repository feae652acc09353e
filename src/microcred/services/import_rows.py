"""What an import does with each row: check it whole, store it (enrolments in batches), or write it to the
rejected file.

Kept apart from :mod:`.imports`, which runs the one transaction around a file and exports the layouts: this
module is the per-row judgement (cells, references, repeated keys, dates) and where a row ends up.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Mapping
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
from microcred.errors import FieldProblem, Invalid, NotFound
from microcred.io import Layout, Notice, ParseContext, Problem, RowInvalid, echoed_cells, neutralise
from microcred.services.import_keys import SeenKeys
from microcred.services.ports import UnitOfWork
from microcred.vocab import vocabulary

__all__ = ["BATCH_ROWS", "FUTURE_LIMIT", "RejectedRows", "RowSink", "rejected_name", "row_problems"]

BATCH_ROWS = 5_000
FUTURE_LIMIT = timedelta(days=366)
"""An enrolment or outcome dated further ahead than this is refused: no reading makes it plausible."""


def row_problems(
    rows_layout: Layout[Any],
    sink: RowSink,
    cells: Mapping[str, str],
    row: int,
    found: list[Problem],
    notes: list[Notice],
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


def rejected_name(path: Path) -> Path:
    return path.with_name(f"{path.stem}.rejected.csv")


class RejectedRows:
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


class RowSink:
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
        self.work = work
        self.seen = seen
        self.provider_ids = work.bulk.provider_ids() if kind != "providers" else {}
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
            self.seen.add(f"{owner}\x1f{key}", row)
            self.pending = record
        return problems

    def _stored_status(self, offering: Offering, row: int, cells: Mapping[str, str]) -> tuple[Offering, list[Problem]]:
        """An offering row without a status keeps the stored offering's status (a new one is a draft)."""
        try:
            stored = self.work.offerings.get(offering.provider, offering.code)
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
        start = self.start_of(self.provider_ids[record.provider], record.edition_code)
        try:
            check_academic_year(cells.get("academic_year"), start)
        except Invalid as error:
            found = error.problems or [FieldProblem("academic_year", error.reason, params=error.params)]
            return record, [self._layout.problem_of(row, cells, problem) for problem in found]
        return (record if record.enrolment_date else replace(record, enrolment_date=start)), []

    def start_of(self, provider_id: int, edition_code: str) -> date:
        """The first day of one of the provider's editions (read once per provider)."""
        if provider_id not in self._starts:
            self._starts[provider_id] = self.work.bulk.edition_starts(provider_id)
        return self._starts[provider_id][edition_code]

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
        first = self.seen.first_row(f"{owner}\x1f{key}") if key else None
        if first is not None:
            return [Problem(row, self._key_column, key, "repeated-key", {"first": first})]
        if self.kind == "providers":
            return []
        if owner not in self.provider_ids:
            return [Problem(row, "provider", owner, "provider-unknown")]
        if child is not None and self._child_column and child not in self.children_of(self.provider_ids[owner]):
            editions = self.kind == "editions"
            return [Problem(row, self._child_column, child, "offering-unknown" if editions else "edition-unknown")]
        return []

    def children_of(self, provider_id: int) -> dict[str, int]:
        """The provider's offerings (an editions import) or editions (an enrolments import) by code."""
        if provider_id not in self._children:
            bulk = self.work.bulk
            load = bulk.offering_ids if self.kind == "editions" else bulk.edition_ids
            self._children[provider_id] = load(provider_id)
        return self._children[provider_id]

    def add(self, record: Any) -> None:
        if isinstance(record, Enrolment):
            provider_id = self.provider_ids[record.provider]
            self._batch.append((provider_id, self.children_of(provider_id)[record.edition_code], record))
            if len(self._batch) >= BATCH_ROWS:
                self.flush()
        elif isinstance(record, Provider):
            self.counts[self.work.providers.save(record)] += 1
        elif isinstance(record, Offering):
            self.counts[self.work.offerings.save(record)] += 1
        else:
            self.counts[self.work.editions.save(record)] += 1

    def count_unchanged(self, count: int) -> None:
        self.counts[Change.UNCHANGED] += count

    def count_created(self, count: int) -> None:
        self.counts[Change.CREATED] += count

    def flush(self) -> None:
        if self._batch:
            self.counts.update(self.work.bulk.save_enrolments(self._batch))
            self._batch = []


def _key_of(record: Any) -> str:
    if isinstance(record, Provider):
        return record.slug
    return str(record.reference if isinstance(record, Enrolment) else record.code)
