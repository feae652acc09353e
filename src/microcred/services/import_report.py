"""What an import found and did, and how the command line shows it.

Counts of created, updated and unchanged records are kept only when they describe something that
happened (an import that was stored) or would happen (a dry run that would be accepted); a refused
file reports how many rows were valid and that nothing was written, never "created: N".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from microcred.domain import Change
from microcred.i18n import translate
from microcred.io import Notice, Problem

__all__ = ["MAX_LISTED", "ImportReport"]

MAX_LISTED = 1_000
"""Problems and warnings listed one by one; the rest are counted."""


@dataclass
class ImportReport:
    """Counts per change, every problem (row, column, value, reason) and every warning (value read and stored)."""

    kind: str
    file: Path
    format: str = ""
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    other_sheets: tuple[str, ...] = ()
    rows: int = 0
    counts: Counter[Change] = field(default_factory=Counter)
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)
    unlisted_problems: int = 0
    warnings: list[Notice] = field(default_factory=list)
    unlisted_warnings: int = 0
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
    def valid(self) -> int:
        """Rows without a problem (they were, or would have been, stored)."""
        return self.rows - self.rejected

    @property
    def ok(self) -> bool:
        """True when the import did (or, in a dry run, would do) what was asked."""
        return not self.problems or (self.skip_invalid and self.rejected > 0 and self.rows > 0 and self._row_level)

    @property
    def _row_level(self) -> bool:
        return all(problem.row > 1 or self.format == "jsonl" for problem in self.problems)

    def add_problems(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            if len(self.problems) < MAX_LISTED:
                self.problems.append(problem)
            else:
                self.unlisted_problems += 1

    def add_warnings(self, warnings: Iterable[Notice]) -> None:
        for warning in warnings:
            if len(self.warnings) < MAX_LISTED:
                self.warnings.append(warning)
            else:
                self.unlisted_warnings += 1

    def render(self, lang: str = "en") -> str:
        """The report as text for a person, in English or Dutch (the words from the i18n catalogue)."""
        where = self._where(lang)
        lines = [
            translate("import_report.file", lang, file=self.file, where=where, kind=self.kind)
            if where
            else translate("import_report.file_bare", lang, file=self.file, kind=self.kind),
            self._counts(lang),
        ]
        lines += [_problem_line(problem, lang) for problem in self.problems]
        if self.unlisted_problems:
            lines.append(translate("import_report.more_problems", lang, count=self.unlisted_problems))
        if self.warnings:
            lines.append(translate("import_report.warnings", lang))
        lines += [
            translate(
                "import_report.warning",
                lang,
                row=w.row,
                column=w.column,
                read=w.read,
                stored=w.stored,
                reason=w.reason(lang),
            )
            for w in self.warnings
        ]
        if self.unlisted_warnings:
            lines.append(translate("import_report.more_warnings", lang, count=self.unlisted_warnings))
        if self.rejected_file is not None:
            lines.append(translate("import_report.rejected_file", lang, path=self.rejected_file))
        lines.append(self._outcome(lang))
        return "\n".join(lines)

    def _where(self, lang: str) -> str:
        parts = [part for part in (self.format, self.encoding) if part]
        if self.sheet is not None:
            parts.append(translate("import_report.sheet", lang, sheet=self.sheet))
        if self.other_sheets:
            others = ", ".join(repr(name) for name in self.other_sheets)
            parts.append(translate("import_report.not_read", lang, sheets=others))
        return ", ".join(parts)

    def _counts(self, lang: str) -> str:
        if not self.ok:  # nothing happened, and nothing would: only what was read
            return translate(
                "import_report.counts_refused", lang, rows=self.rows, valid=self.valid, rejected=self.rejected
            )
        counts = {name: getattr(self, name) for name in ("rows", "created", "updated", "unchanged", "rejected")}
        return translate("import_report.counts_dry_run" if self.dry_run else "import_report.counts", lang, **counts)

    def _outcome(self, lang: str) -> str:
        if self.committed:
            return translate("import_report.committed", lang)
        if self.dry_run and self.ok:
            return translate("import_report.dry_run", lang)
        rows = self._row_level and self.valid > 0 and self.rows > 0
        key = "refused_rows" if rows else "refused"
        return translate(f"import_report.{'dry_run_' if self.dry_run else ''}{key}", lang, valid=self.valid)


def _problem_line(problem: Problem, lang: str) -> str:
    """``row 3, column ects, value '90': must be ...``; the column and value only when the problem has them."""
    key = "import_report.problem"
    if problem.column:
        key += "_value" if problem.value is not None else "_column"
    reason = problem.reason(lang)
    return translate(key, lang, row=problem.row, column=problem.column, value=problem.value, reason=reason)
