"""The disclosure audit of the recognition section: every published recognition cell, attacked.

The section publishes, per scope and academic year and over the range, the recognised decisions and their
ECTS by deciding provider and by kind, with totals (``stats.recognition``). Each figure is a sum over atoms
(one provider, year, kind and ECTS value) of the protected copy. For every cell of 1 to k - 1 true learners
the attacker gets the copy atom by atom, which atoms exist in the true register, and more than the copy
says: how many decisions each atom holds beyond one per learner. The decisions of an atom are then known up
to its learners: 1 to k when it is shown rounded up, 1 to k - 1 when it exists but is shown as 0, exactly
otherwise. Atoms do not share anything else for these two measures, so the tightest interval of a cell is
the sum of its atoms' (decisions) or of their ECTS-weighted ranges (ECTS; the values it can take are counted
exactly, as ECTS move in steps of the atoms' ECTS) — what the integer program of ``stats.attack`` would find,
without the solver. The learners of a cell only decide whether it is protected: the section publishes no
count of learners.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from numpy.typing import NDArray

from microcred.stats.cells import Mismatch, Span, span_label
from microcred.stats.disclosure import Rounding
from microcred.stats.model import ParliamentReport
from microcred.stats.queries import Scope
from microcred.stats.recognition import KINDS, Recognitions, recognition_atoms

__all__ = ["RecognitionCensus", "RecognitionTarget"]

Ints = NDArray[np.int64]
Mask = NDArray[np.bool_]
# table name -> (dimension, whether it sums ECTS)
_TABLES = {
    "recognitions_by_provider": ("provider", False),
    "recognised_ects_by_provider": ("provider", True),
    "recognitions_by_recognition_kind": ("recognition_kind", False),
    "recognised_ects_by_recognition_kind": ("recognition_kind", True),
}


@dataclass(frozen=True, slots=True)
class RecognitionTarget:
    """A protected recognition cell and the attacker's tightest interval of one of its measures."""

    scope: str
    years: str
    dimension: str
    value: str
    measure: str  # "decisions" or "ects"
    true: int | Decimal
    low: int | Decimal
    high: int | Decimal
    values: int  # how many values in low..high the cell can take


@dataclass
class RecognitionCensus:
    """The recognised decisions as atoms, on the register and on its protected copy (``rounding`` None: the
    copy is the register itself, as an unprotected publication would be; what a test feeds the audit)."""

    provider: NDArray[np.str_]  # per atom
    provider_type: NDArray[np.str_]
    year: Ints
    kind: NDArray[np.str_]
    ects: Ints  # tenths
    learners: Ints  # true distinct learners
    decisions: Ints  # true decisions
    shown: Ints  # decisions in the copy
    low: Ints  # the attacker's least and most decisions of the atom
    high: Ints
    row_atom: Ints  # per decision, its atom
    row_learner: Ints
    k: int
    seen: set[bytes] = field(default_factory=set)  # cells already counted (the same atoms in another scope)

    @classmethod
    def read(cls, found: Recognitions, k: int, rounding: Rounding | None) -> RecognitionCensus:
        cells = sorted(set(zip(found.provider, found.academic_year, strict=True)))
        values = sorted(set(zip(found.kind, found.ects_tenths, strict=True)))
        cell_of, value_of = {c: n for n, c in enumerate(cells)}, {v: n for n, v in enumerate(values)}
        learner = np.array(found.learner_id, dtype=np.int64)
        cell = np.array([cell_of[c] for c in zip(found.provider, found.academic_year, strict=True)], np.int64)
        value = np.array([value_of[v] for v in zip(found.kind, found.ects_tenths, strict=True)], np.int64)
        split = recognition_atoms(learner, cell, value, cells, values, rounding or Rounding(k))
        types = dict(zip(found.provider, found.provider_type, strict=True))
        learners, decisions = split.learners, split.enrolments
        extra = decisions - learners  # decisions beyond one per learner: granted to the attacker
        shown, low, high = decisions.copy(), decisions.copy(), decisions.copy()
        if rounding is not None:
            up, out = split.rounded_up(k), split.left_out(k)
            shown = np.where(up, decisions + k - learners, np.where(out, 0, decisions))
            low = np.where(up | out, extra + 1, decisions)
            high = np.where(up, extra + k, np.where(out, extra + k - 1, decisions))
        return cls(
            np.array([cells[c][0] for c in split.edition], dtype=np.str_),
            np.array([types[cells[c][0]] for c in split.edition], dtype=np.str_),
            np.array([cells[c][1] for c in split.edition], dtype=np.int64),
            np.array([values[v][0] for v in split.group], dtype=np.str_),
            np.array([values[v][1] for v in split.group], dtype=np.int64),
            learners,
            decisions,
            shown,
            low,
            high,
            split.of_row,
            learner,
            k,
        )

    def holds(self, scope: Scope) -> Mask:
        """Which atoms ``scope`` holds (its years aside), as ``recognition_tables`` selects decisions."""
        inside = np.isin(self.provider_type, list(scope.provider_types))
        return inside & np.isin(self.provider, list(scope.providers)) if scope.providers else inside

    def keys(self, inside: Mask) -> Iterator[tuple[str, str, Mask]]:
        """Every row of the section in a scope: each provider, each kind, and the total."""
        for provider in sorted(set(self.provider[inside].tolist())):
            yield "provider", provider, inside & (self.provider == provider)
        for kind in KINDS:
            yield "recognition_kind", kind, inside & (self.kind == kind)
        yield "total", "all", inside

    def attack(self, label: str, inside: Mask, ranges: Sequence[Span]) -> tuple[int, list[RecognitionTarget]]:
        """Count every cell of the scope (atoms ``inside``) over ``ranges`` not counted before; attack the
        protected ones in decisions and ECTS."""
        cells, targets = 0, []
        for dimension, value, atoms in self.keys(inside):
            for span in sorted(ranges, key=lambda r: (r[1] - r[0], r[0])):  # a cell goes by its narrowest range
                mine = atoms & (self.year >= span[0]) & (self.year <= span[1])
                identity = np.packbits(mine).tobytes()
                if not mine.any() or identity in self.seen:
                    continue
                self.seen.add(identity)
                cells += 1
                people = len(np.unique(self.row_learner[mine[self.row_atom]]))
                if 0 < people < self.k:
                    where = (label, span_label(span), dimension, value)
                    targets += [self._decisions(where, mine), self._ects(where, mine)]
        return cells, targets

    def _decisions(self, where: tuple[str, str, str, str], mine: Mask) -> RecognitionTarget:
        low, high = int(self.low[mine].sum()), int(self.high[mine].sum())
        return RecognitionTarget(*where, "decisions", int(self.decisions[mine].sum()), low, high, high - low + 1)

    def _ects(self, where: tuple[str, str, str, str], mine: Mask) -> RecognitionTarget:
        """ECTS move in steps of each atom's ECTS: the values the cell can take are the sums of one value of
        every atom's range, counted on a grid of their greatest common step."""
        weight, low, high = self.ects[mine], self.low[mine], self.high[mine]
        step = int(np.gcd.reduce(weight))
        reach = np.ones(1, dtype=bool)
        for units, spread in zip(weight // step, high - low, strict=True):
            kernel = np.zeros(int(units * spread) + 1, dtype=bool)
            kernel[:: int(units)] = True
            reach = np.convolve(reach, kernel) > 0
        least = int((weight * low).sum())
        true = int((weight * self.decisions[mine]).sum())
        most = least + step * (len(reach) - 1)
        ects = (Decimal(true) / 10, Decimal(least) / 10, Decimal(most) / 10)
        return RecognitionTarget(*where, "ects", ects[0], ects[1], ects[2], int(reach.sum()))

    def compare(self, report: ParliamentReport, inside: Mask, label: str, span: Span) -> list[Mismatch]:
        """Published recognition figures that differ from the same cell summed on the protected copy."""
        problems = []
        years = list(range(span[0], span[1] + 1))
        for table in report.recognition:
            dimension, ects = _TABLES[table.name]
            for row in (*table.rows, *((table.total,) if table.total else ())):
                atoms = inside if row is table.total else inside & (self._column(dimension) == row.key)
                for column, figure in zip(table.columns, row.figures, strict=True):
                    first, last = span if column == "total" else (years[table.columns.index(column)],) * 2
                    mine = atoms & (self.year >= first) & (self.year <= last)
                    counted = int((self.shown[mine] * (self.ects[mine] if ects else 1)).sum())
                    if figure.value != (Decimal(counted) / 10 if ects else counted):
                        where = f"{label} {span_label(span)} {table.name}[{row.key}, {column}]"
                        problems.append(Mismatch(where, figure.value, Decimal(counted) / 10 if ects else counted))
        return problems

    def _column(self, dimension: str) -> NDArray[np.str_]:
        return self.provider if dimension == "provider" else self.kind
