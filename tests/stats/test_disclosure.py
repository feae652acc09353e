"""Disclosure control: no suppressed learner count can be recovered from the published table and margins.

An attacker knows every published cell and total, that counts are whole numbers of at least zero and that
rows and columns add up. For each suppressed cell we solve for the interval it can take (an exact linear
programme over Fractions; the constraint matrix of a table with totals is totally unimodular, so the LP
bounds are whole numbers) and require it to hold more than one value.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microcred.stats.disclosure import protect

Grid = list[list[int]]


def with_totals(cells: Grid) -> tuple[list[int], list[int], int]:
    return [sum(r) for r in cells], [sum(c) for c in zip(*cells, strict=True)], sum(map(sum, cells))


def constraints(grid: tuple[tuple[int, ...], ...], hidden: frozenset[tuple[int, int]]):
    """Equations sum(interior) - total = 0 for every row and column, over the hidden cells as unknowns."""
    unknowns = sorted(hidden)
    index = {p: i for i, p in enumerate(unknowns)}
    height, width = len(grid), len(grid[0])
    lines = [[(i, j) for j in range(width)] for i in range(height)]
    lines += [[(i, j) for i in range(height)] for j in range(width)]
    rows, rhs = [], []
    for line in lines:
        coefficients = [Fraction(0)] * len(unknowns)
        constant = Fraction(0)
        for position in line:
            sign = -1 if position == line[-1] else 1
            if position in index:
                coefficients[index[position]] += sign
            else:
                constant -= sign * grid[position[0]][position[1]]
        if any(coefficients):
            rows.append(coefficients)
            rhs.append(constant)
    return unknowns, rows, rhs


def lp_max(rows: list[list[Fraction]], rhs: list[Fraction], objective: list[Fraction]) -> Fraction | None:
    """max objective·x subject to rows·x = rhs, x >= 0 (two-phase simplex, Bland's rule); None if unbounded."""
    m, n = len(rows), len(objective)
    table = []
    for i, (row, b) in enumerate(zip(rows, rhs, strict=True)):
        sign = -1 if b < 0 else 1
        table.append([sign * v for v in row] + [Fraction(int(i == r)) for r in range(m)] + [sign * b])
    basis = [n + i for i in range(m)]
    _simplex(table, basis, [Fraction(0)] * n + [Fraction(-1)] * m, n + m)
    for i in range(m):  # drive degenerate artificials out of the basis
        if basis[i] >= n:
            column = next((j for j in range(n) if table[i][j] != 0), None)
            if column is not None:
                _pivot(table, basis, i, column)
    if not _simplex(table, basis, [*objective, *([Fraction(0)] * m)], n):
        return None
    return sum((objective[b] * table[i][-1] for i, b in enumerate(basis) if b < n), Fraction(0))


def _simplex(table: list[list[Fraction]], basis: list[int], cost: list[Fraction], allowed: int) -> bool:
    while True:
        reduced = [cost[j] - sum(cost[basis[i]] * table[i][j] for i in range(len(table))) for j in range(allowed)]
        entering = next((j for j in range(allowed) if reduced[j] > 0 and j not in basis), None)
        if entering is None:
            return True
        candidates = [
            (table[i][-1] / table[i][entering], basis[i], i) for i in range(len(table)) if table[i][entering] > 0
        ]
        if not candidates:  # unbounded: the totals that would bound this cell are hidden too
            return False
        _pivot(table, basis, min(candidates)[2], entering)


def _pivot(table: list[list[Fraction]], basis: list[int], row: int, column: int) -> None:
    factor = table[row][column]
    table[row] = [v / factor for v in table[row]]
    for i in range(len(table)):
        if i != row and table[i][column] != 0:
            times = table[i][column]
            table[i] = [a - times * b for a, b in zip(table[i], table[row], strict=True)]
    basis[row] = column


def intervals(cells: Grid, k: int) -> dict[tuple[int, int], tuple[Fraction, Fraction]]:
    rows_, columns, total = with_totals(cells)
    shield = protect(cells, rows_, columns, total, k=k)
    unknowns, rows, rhs = constraints(shield.cells, shield.suppressed)
    found = {}
    for i, position in enumerate(unknowns):
        unit = [Fraction(int(j == i)) for j in range(len(unknowns))]
        high = lp_max([r[:] for r in rows], rhs[:], unit) if rows else None
        low = lp_max([r[:] for r in rows], rhs[:], [-u for u in unit]) if rows else Fraction(0)
        assert low is not None, "a count is never below zero"
        found[position] = (-low, Fraction(10**9) if high is None else high)
    return found


counts = st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 20, 35])
tables = st.integers(1, 4).flatmap(lambda w: st.lists(st.lists(counts, min_size=w, max_size=w), min_size=1, max_size=4))


@pytest.mark.slow  # about 6 s: 300 tables, two exact linear programmes per hidden cell
@settings(max_examples=300, deadline=None)
@given(tables, st.integers(2, 6))
def test_no_suppressed_cell_can_be_recomputed_from_the_published_table_and_margins(cells: Grid, k: int) -> None:
    for position, (low, high) in intervals(cells, k).items():
        assert low < high, f"cell {position} is pinned to {low} in {cells}"


@settings(max_examples=300, deadline=None)
@given(tables, st.integers(2, 6))
def test_small_counts_are_hidden_and_every_line_hides_none_or_at_least_two(cells: Grid, k: int) -> None:
    rows, columns, total = with_totals(cells)
    shield = protect(cells, rows, columns, total, k=k)
    for i, row in enumerate(shield.cells):
        for j, value in enumerate(row):
            if 0 < value < k:
                assert shield.hidden(i, j)
    height, width = len(shield.cells), len(shield.cells[0])
    for line in [[(i, j) for j in range(width)] for i in range(height)] + [
        [(i, j) for i in range(height)] for j in range(width)
    ]:
        assert sum(p in shield.suppressed for p in line) != 1


def test_a_table_without_small_counts_is_published_whole() -> None:
    shield = protect([[10, 12], [7, 30]], [22, 37], [17, 42], 59, k=5)
    assert shield.suppressed == frozenset()


def test_one_small_cell_takes_a_partner_in_its_row_and_column() -> None:
    shield = protect([[3, 12, 9], [8, 30, 10]], [24, 48], [11, 42, 19], 72, k=5)
    assert shield.primary == {(0, 0)}
    assert {(0, 0), (0, 2), (1, 0), (1, 2)} <= shield.suppressed  # the smallest partners close a cycle
    for low, high in intervals([[3, 12, 9], [8, 30, 10]], 5).values():
        assert low < high


def test_a_small_cell_bridging_two_hidden_blocks_is_put_on_a_cycle_of_its_own() -> None:
    # Two blocks of small counts joined by one small cell (1, 2): every row and column already hides two
    # cells, yet the joining cell would follow from the totals; a fourth cell must close a cycle through it.
    cells = [
        [2, 3, 40, 50, 60],
        [4, 2, 1, 70, 80],
        [90, 45, 3, 2, 55],
        [65, 75, 4, 3, 85],
        [95, 35, 25, 15, 30],
    ]
    rows, columns, total = with_totals(cells)
    shield = protect(cells, rows, columns, total, k=5)
    assert len(shield.suppressed) > len(shield.primary)
    for position, (low, high) in intervals(cells, 5).items():
        assert low < high, position
