"""The built-in attacker: every publishable output of a register, and what it reveals of each small count.

For every publishable scope (the ones the caller lists: what ``/statistics``, the API and the CLI offer)
and every year range over the register's academic years, the audit counts each cell a report can publish
(per year and over the range, for every dimension of the people tables, the narrow and broad readings,
decided and passed results for the completion rate, editions with a capacity for the fill rate, and every
offering for the top list), on the true register and on its protected copy (``stats.cells``). It then

1. checks that what the reports publish is exactly those counts on the copy (one report per scope over
   the whole range; the other ranges are counted by the same pass): a figure counted on the true register
   would break the guarantee below, and is reported as a mismatch;
2. takes every *protected* cell (1 to k - 1 true learners) and asks the attacker's integer program
   (``stats.attack``, HiGHS) for the tightest interval of its true learners and enrolments, granting the
   attacker the copy atom by atom and the existence of every true atom;
3. fails when an interval holds fewer than ``k - 1`` values (the documented protection interval) or does
   not hold the true value (the model would be wrong).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass, replace
from decimal import Decimal

from microcred.i18n import translate
from microcred.stats.attack import intervals
from microcred.stats.cells import PEOPLE, CellCounts, Census, Found, Mismatch, Span, span_label
from microcred.stats.disclosure import Rounding
from microcred.stats.model import ParliamentReport, year_label
from microcred.stats.queries import Scope
from microcred.stats.recognition import Recognitions
from microcred.stats.recognition_audit import RecognitionCensus, RecognitionTarget
from microcred.stats.report import build_report
from microcred.stats.snapshot import Snapshot

__all__ = ["Audit", "Finding", "Mismatch", "audit"]

_OUTCOME = {"passed": (1, 1), "failed": (1, 0), "withdrawn": (1, 0)}  # (decided, passed)


@dataclass(frozen=True, slots=True)
class Finding:
    """One protected count and the tightest interval the attacker can give it."""

    scope: str
    years: str
    dimension: str
    value: str
    measure: str  # "learners" or "enrolments"; of the recognition section "decisions" or "ects"
    true: int | Decimal
    low: int | Decimal
    high: int | Decimal
    distinct: int = 0  # how many values in low..high are possible, when not all are (ECTS move in steps)

    @property
    def values(self) -> int:
        """How many values the attacker cannot tell apart."""
        return self.distinct or int(self.high - self.low) + 1

    def describe(self, lang: str = "en") -> str:
        measure = translate(f"audit.measure.{self.measure}", lang)
        return translate(
            "audit.finding", lang, measure=measure, dimension=self.dimension, value=self.value, years=self.years,
            scope=self.scope, true=self.true, low=self.low, high=self.high, values=self.values,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Audit:
    """What the attacker found over every publishable output."""

    k: int
    required: int  # the documented protection interval: at least this many values
    scopes: int
    ranges: int
    reports: int  # reports built and compared figure by figure
    cells: int  # distinct cells counted (scope x years x dimension value), the recognition section's included
    protected: int  # of which 1 to k - 1 true learners
    recognition_cells: int  # of the cells, those of the recognition section
    recognition_protected: int
    weakest: Finding | None
    narrowed: tuple[Finding, ...]
    mismatches: tuple[Mismatch, ...]
    seconds: float

    @property
    def passed(self) -> bool:
        return not self.narrowed and not self.mismatches


Publisher = Callable[..., ParliamentReport]


def audit(
    snapshot: Snapshot,
    scopes: Sequence[tuple[str, Scope]],
    *,
    k: int,
    secret: bytes = b"",
    publisher: Publisher = build_report,
    recognitions: Recognitions | None = None,
) -> Audit:
    """Attack every output of ``scopes`` (label, scope) over every year range of the register, the
    recognition section of ``recognitions`` (the source's recognised decisions) included.

    ``publisher(snapshot, scope, k=, secret=, recognitions=)`` makes the reports whose figures are checked
    (the report builder; a test hands it another to see the audit catch a leak)."""
    started = time.perf_counter()
    recognitions = recognitions or Recognitions()
    years = _years(snapshot, recognitions)
    ranges = [(a, b) for a in years for b in years if a <= b]
    found = Found()
    reports = 0
    recognised = RecognitionCensus.read(recognitions, k, Rounding(k, secret))
    recognition: list[RecognitionTarget] = []
    recognition_cells = 0
    if years:
        register = Census.read(snapshot, years, k, secret) if _has_editions(snapshot) else None
        # an offering's cells are the same in every scope that holds it: count them once, over every edition
        offerings = register.count("any", None, ranges, found, ("offering",)) if register else {}
        for label, scope in scopes:
            whole = replace(scope, from_year=years[0], to_year=years[-1])
            counts = register.count(label, whole, ranges, found, PEOPLE) if register else {}
            inside = recognised.holds(whole)
            cells, targets = recognised.attack(label, inside, ranges)
            recognition_cells, recognition = recognition_cells + cells, recognition + targets
            if not counts and not inside.any():
                continue  # nothing of this scope is in the register: every figure is 0
            report = publisher(snapshot, whole, k=k, secret=secret, recognitions=recognitions)
            span = (years[0], years[-1])
            if counts:
                found.mismatches += _compare(report, counts | offerings, label, span)
            found.mismatches += recognised.compare(report, inside, label, span)
            reports += 1
    findings = _attack(found, k) + [Finding(*astuple(t)) for t in recognition]
    required = max(k - 1, 1)
    narrowed = tuple(f for f in findings if f.values < required or not f.low <= f.true <= f.high)
    weakest = min(findings, key=lambda f: (f.values, f.true, f.scope, f.years, f.dimension), default=None)
    return Audit(
        k,
        required,
        len(scopes),
        len(ranges),
        reports,
        found.cells + recognition_cells,
        len(found.targets) + len(recognition) // 2,  # two measures of each protected recognition cell
        recognition_cells,
        len(recognition) // 2,
        weakest,
        narrowed,
        tuple(found.mismatches),
        time.perf_counter() - started,
    )


def _years(snapshot: Snapshot, recognitions: Recognitions) -> list[int]:
    """The academic years of the register: of its editions and of its recognition decisions."""
    rows = snapshot.db.execute("SELECT MIN(academic_year), MAX(academic_year) FROM stat_editions").fetchall()
    bounds = [int(y) for y in rows[0] if y is not None] + list(recognitions.academic_year)
    return list(range(min(bounds), max(bounds) + 1)) if bounds else []


def _has_editions(snapshot: Snapshot) -> bool:
    return bool(snapshot.db.execute("SELECT COUNT(*) FROM stat_editions").fetchall()[0][0])


def _attack(found: Found, k: int) -> list[Finding]:
    findings = []
    for measure, position in (("learners", 4), ("enrolments", 5)):
        for target, (low, high) in zip(found.targets, intervals(found.blocks, k=k, measure=measure), strict=True):
            scope, years, name, value = target[:4]
            findings.append(Finding(scope, years, name, value, measure, int(target[position]), low, high))
    return findings


def _compare(report: ParliamentReport, counts: CellCounts, label: str, span: Span) -> list[Mismatch]:
    """Published figures that differ from the same cell counted on the protected copy."""
    problems = []
    years = list(range(span[0], span[1] + 1))
    expected: list[tuple[str, str, str, object, tuple[str, str, Span], int]] = []
    for tables, which in ((report.learners_by, 0), (report.enrolments_by, 1)):
        for table in tables:
            for row in (*table.rows, *((table.total,) if table.total else ())):
                dimension, value = ("total", "all") if row is table.total else (table.dimension, row.key)
                for column, figure in zip(table.columns, row.figures, strict=True):
                    cell = span if column == "total" else (years[table.columns.index(column)],) * 2
                    key = (dimension, value, cell)
                    expected.append((table.name, row.key, column, figure.value, key, which))
    for reading in ("narrow", "broad"):
        for which, measure in ((0, "learners"), (1, "enrolments")):
            for year, figure in zip(years, report.readings.row(f"{measure}_{reading}").figures, strict=True):
                key = (reading, "yes", (year, year))
                expected.append(("readings", f"{measure}_{reading}", year_label(year), figure.value, key, which))
    for row in report.top_offerings.rows:
        expected.append(("top_offerings", row.key, "enrolments", row.figures[0].value, ("offering", row.key, span), 1))
        expected.append(("top_offerings", row.key, "learners", row.figures[1].value, ("offering", row.key, span), 0))
    for name, key_of_row, column, published, key, which in expected:
        counted = counts.get(key, (0, 0))[which]
        if published != counted:
            where = f"{label} {span_label(span)} {name}[{key_of_row}, {column}]"
            problems.append(Mismatch(where, published, counted))
    return problems
