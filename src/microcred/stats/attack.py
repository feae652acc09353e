"""The attacker's integer program: the tightest interval of each protected count given the protected copy.

Every published figure about persons is a count on the protected copy (``stats.disclosure``), so an
attacker who combines all of them learns at most that copy. We grant the attacker more: the copy atom by
atom, and which atoms exist in the true register (as someone who knows a person's edition and profile
would). For each protected cell (a published cell of 1 to k - 1 true learners) what remains unknown is
how many real learners each of its atoms holds: an atom shown with ``k`` learners was rounded up from 1 to
k (or holds exactly k); an existing atom shown as 0 holds 1 to k - 1. HiGHS (``scipy.optimize.milp``)
minimises and maximises the cell's true count over all integer registers that give the same copy:

* learners ``T = R + y``: ``R`` the distinct real learners in the rounded-up atoms, tied to the copy by
  ``R = L* - sum(k - x_a)`` (the copy's distinct count ``L*`` less the stand-ins), ``max x_a <= R <=
  sum x_a``; ``y`` the learners seen only in atoms shown as 0, ``0 <= y <= sum z_a``, ``T >= z_a``;
* enrolments ``E = sum(e*_a - k + x_a) + sum z_a`` (one enrolment per learner and edition in a hidden atom).

The cells are independent blocks of one program, so one minimisation and one maximisation give every
cell's bounds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Cell", "intervals"]


@dataclass(frozen=True, slots=True)
class Cell:
    """What the attacker knows of one protected cell."""

    copy_learners: int  # distinct learners of the cell in the protected copy (L*)
    up_enrolments: tuple[int, ...]  # per atom shown with k learners: its enrolments in the copy (e*)
    hidden_atoms: int  # atoms of the cell that exist but are shown as 0


def intervals(cells: Sequence[Cell], *, k: int, measure: str) -> list[tuple[int, int]]:
    """The attacker's tightest (low, high) of each cell's true learners or enrolments (``measure``)."""
    if not cells:
        return []
    program = _Program()
    targets = [(_learners if measure == "learners" else _enrolments)(program, cell, k) for cell in cells]
    low = program.solve(targets, sense=1)
    high = program.solve(targets, sense=-1)
    return [(round(a), round(b)) for a, b in zip(low, high, strict=True)]


class _Program:
    """A sparse integer program built one variable and one row at a time."""

    def __init__(self) -> None:
        self.low: list[float] = []
        self.high: list[float] = []
        self.rows: list[int] = []
        self.columns: list[int] = []
        self.values: list[float] = []
        self.row_low: list[float] = []
        self.row_high: list[float] = []

    def variable(self, low: float, high: float) -> int:
        self.low.append(low)
        self.high.append(high)
        return len(self.low) - 1

    def row(self, terms: Sequence[tuple[int, float]], low: float, high: float) -> None:
        index = len(self.row_low)
        for column, value in terms:
            self.rows.append(index)
            self.columns.append(column)
            self.values.append(value)
        self.row_low.append(low)
        self.row_high.append(high)

    def solve(self, targets: Sequence[int], *, sense: int) -> list[float]:
        # scipy loads here, not at import time: over a second that only the disclosure audit needs.
        from scipy.optimize import Bounds, LinearConstraint, milp
        from scipy.sparse import coo_array

        size = len(self.low)
        objective = np.zeros(size)
        objective[list(targets)] = sense
        matrix = coo_array((self.values, (self.rows, self.columns)), shape=(len(self.row_low), size)).tocsr()
        result = milp(
            objective,
            integrality=np.ones(size),
            bounds=Bounds(np.array(self.low), np.array(self.high)),
            constraints=LinearConstraint(matrix, np.array(self.row_low), np.array(self.row_high)),
        )
        if result.x is None:  # pragma: no cover - the true register is always a solution
            raise AssertionError(f"the attacker's program has no solution: {result.message}")
        return [float(result.x[t]) for t in targets]


_INF = np.inf


def _learners(program: _Program, cell: Cell, k: int) -> int:
    real = [program.variable(1, k) for _ in cell.up_enrolments]
    hidden = [program.variable(1, k - 1) for _ in range(cell.hidden_atoms)]
    in_up = program.variable(0, _INF)
    only_hidden = program.variable(0, _INF)
    total = program.variable(0, _INF)
    # R - sum(x) = L* - k * |up|: the copy's distinct learners less the stand-ins
    program.row([(in_up, 1), *((x, -1) for x in real)], *(2 * (float(cell.copy_learners - k * len(real)),)))
    for x in real:
        program.row([(in_up, 1), (x, -1)], 0, _INF)
    program.row([(in_up, 1), *((x, -1) for x in real)], -_INF, 0)
    program.row([(only_hidden, 1), *((z, -1) for z in hidden)], -_INF, 0)
    program.row([(total, 1), (in_up, -1), (only_hidden, -1)], 0, 0)
    for z in hidden:
        program.row([(total, 1), (z, -1)], 0, _INF)
    return total


def _enrolments(program: _Program, cell: Cell, k: int) -> int:
    real = [program.variable(1, k) for _ in cell.up_enrolments]
    hidden = [program.variable(1, k - 1) for _ in range(cell.hidden_atoms)]
    total = program.variable(0, _INF)
    shown = float(sum(e - k for e in cell.up_enrolments))
    program.row([(total, 1), *((v, -1) for v in (*real, *hidden))], shown, shown)
    return total
