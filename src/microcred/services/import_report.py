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
        """The report as text for a person, in English or Dutch."""
        nl = lang == "nl"
        lines = [f"{'bestand' if nl else 'file'}: {self.file}{self._where(nl)} — {self.kind}", self._counts(nl)]
        for problem in self.problems:
            shown = "" if problem.value is None else f" {'waarde' if nl else 'value'} {problem.value!r}:"
            column = f"{'kolom' if nl else 'column'} {problem.column}, " if problem.column else ""
            lines.append(
                f"  {'rij' if nl else 'row'} {problem.row}, {column}{shown} {problem.reason(lang)}".replace(", :", ":")
            )
        if self.unlisted_problems:
            lines.append(f"  … {self.unlisted_problems} {'problemen meer' if nl else 'more problems'}")
        if self.warnings:
            lines.append("waarschuwingen (bewaard zoals gelezen):" if nl else "warnings (kept as read):")
        for warning in self.warnings:
            row, column = ("rij", "kolom") if nl else ("row", "column")
            read, stored = ("gelezen", "bewaard") if nl else ("read", "stored")
            lines.append(
                f"  {row} {warning.row}, {column} {warning.column}: {read} {warning.read!r}, {stored} "
                f"{warning.stored!r}: {warning.reason(lang)}"
            )
        if self.unlisted_warnings:
            lines.append(f"  … {self.unlisted_warnings} {'waarschuwingen meer' if nl else 'more warnings'}")
        if self.rejected_file is not None:
            lines.append(f"{'geweigerde rijen' if nl else 'rejected rows'}: {self.rejected_file}")
        lines.append(self._outcome(nl))
        return "\n".join(lines)

    def _where(self, nl: bool) -> str:
        parts = [part for part in (self.format, self.encoding) if part]
        if self.sheet is not None:
            parts.append(f"{'blad' if nl else 'sheet'} {self.sheet!r}")
        if self.other_sheets:
            others = ", ".join(repr(name) for name in self.other_sheets)
            parts.append(f"{'niet gelezen' if nl else 'not read'}: {others}")
        return f" ({', '.join(parts)})" if parts else ""

    def _counts(self, nl: bool) -> str:
        labels: tuple[str, ...]
        numbers: tuple[int, ...]
        if not self.ok:  # nothing happened, and nothing would: only what was read
            labels = ("rijen", "geldig", "geweigerd") if nl else ("rows", "valid", "rejected")
            numbers = (self.rows, self.valid, self.rejected)
        elif self.dry_run:
            labels = ("rijen", "zou nieuw", "zou bijwerken", "ongewijzigd", "geweigerd") if nl else (
                "rows", "would create", "would update", "unchanged", "rejected",
            )  # fmt: skip
            numbers = (self.rows, self.created, self.updated, self.unchanged, self.rejected)
        else:
            labels = ("rijen", "nieuw", "bijgewerkt", "ongewijzigd", "geweigerd") if nl else (
                "rows", "created", "updated", "unchanged", "rejected",
            )  # fmt: skip
            numbers = (self.rows, self.created, self.updated, self.unchanged, self.rejected)
        return ", ".join(f"{label}: {number}" for label, number in zip(labels, numbers, strict=True))

    def _outcome(self, nl: bool) -> str:
        if self.committed:
            return "ingevoerd" if nl else "imported"
        if self.dry_run and self.ok:
            return "proefdraai: er is niets opgeslagen" if nl else "dry run: nothing was written"
        refused = self._refusal(nl)
        if self.dry_run:
            return f"proefdraai: niets opgeslagen; {refused}" if nl else f"dry run: nothing was written; {refused}"
        return f"er is niets opgeslagen: {refused}" if nl else f"nothing was written: {refused}"

    def _refusal(self, nl: bool) -> str:
        if not self._row_level or self.valid == 0 or self.rows == 0:
            return "het bestand is geweigerd" if nl else "the file was refused"
        if nl:
            return (
                f"het bestand is geweigerd (alles of niets); verbeter de geweigerde rijen en importeer opnieuw, "
                f"of voer met --skip-invalid alleen de {self.valid} geldige rijen in"
            )
        return (
            f"the file was refused (all or nothing); fix the rejected rows and import again, "
            f"or import only the {self.valid} valid rows with --skip-invalid"
        )
