"""Disclosure control: the one suppression layer every published table passes.

A cell counting fewer than ``k`` distinct learners (but at least one) is suppressed (primary suppression).
Because tables are published with their row and column totals, more cells are then suppressed (secondary
suppression) until no suppressed value can be recomputed from what is published:

1. every row and column of the table *including its total* holds either no suppressed cell or at least two;
2. every suppressed cell lies on a cycle of suppressed cells (alternating between rows and columns), so
   that it can move up or down together with that cycle while all published values stay the same. A cell
   that is a "bridge" between two cycles would be fixed by the totals, so a fourth cell closes a cycle
   through it.

Secondary cells are chosen among the smallest positive values, so each cycle can move by at least one in
some direction without a count going negative. Totals are treated as cells of an extended grid (row ``m``
holds the column totals, column ``n`` the row totals), which is how a reader would use them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Protected", "protect", "suppression_pattern"]

Position = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Protected:
    """A learner-count grid with its totals and which positions of the extended grid are suppressed."""

    cells: tuple[tuple[int, ...], ...]  # extended grid: rows + totals row, columns + totals column
    suppressed: frozenset[Position]
    primary: frozenset[Position]

    def hidden(self, row: int, column: int) -> bool:
        return (row, column) in self.suppressed


def protect(
    cells: Sequence[Sequence[int]], row_totals: Sequence[int], column_totals: Sequence[int], total: int, *, k: int
) -> Protected:
    """Suppress the grid's small learner counts and enough others that none can be recomputed."""
    body = [(*(int(v) for v in row), int(row_totals[i])) for i, row in enumerate(cells)]
    grid = (*body, (*(int(v) for v in column_totals), int(total)))
    primary = frozenset((i, j) for i, row in enumerate(grid) for j, v in enumerate(row) if 0 < v < k)
    return Protected(grid, frozenset(suppression_pattern(grid, primary)), primary)


def suppression_pattern(grid: Sequence[Sequence[int]], primary: frozenset[Position]) -> set[Position]:
    """The primary positions plus the secondary ones rules 1 and 2 (module docstring) require."""
    hidden = set(primary)
    if not hidden:
        return hidden
    while True:
        _complete_lines(grid, hidden)
        bridge = _first_bridge(grid, hidden)
        if bridge is None:
            return hidden
        hidden.add(_close_cycle(grid, hidden, bridge))


def _lines(grid: Sequence[Sequence[int]]) -> list[list[Position]]:
    """Every row and column of the extended grid; the last position of each is its total."""
    height, width = len(grid), len(grid[0])
    rows = [[(i, j) for j in range(width)] for i in range(height)]
    columns = [[(i, j) for i in range(height)] for j in range(width)]
    return rows + columns


def _complete_lines(grid: Sequence[Sequence[int]], hidden: set[Position]) -> None:
    changed = True
    while changed:
        changed = False
        for line in _lines(grid):
            if sum(position in hidden for position in line) != 1:
                continue
            inner = [p for p in line[:-1] if p not in hidden and grid[p[0]][p[1]] > 0]
            total = line[-1]
            if inner:
                hidden.add(min(inner, key=lambda p: (grid[p[0]][p[1]], p)))
            elif total not in hidden and grid[total[0]][total[1]] > 0:
                hidden.add(total)
            else:  # only zeros remain: hide one so the line's single hidden cell is not its total's value
                hidden.add(next(p for p in line if p not in hidden))
            changed = True


def _first_bridge(grid: Sequence[Sequence[int]], hidden: set[Position]) -> Position | None:
    """A hidden cell on no cycle of hidden cells (a bridge of the row/column graph), or None."""
    for cell in sorted(hidden):
        others = hidden - {cell}
        if not _connected(others, ("r", cell[0]), ("c", cell[1])):
            return cell
    return None


def _connected(edges: set[Position], start: tuple[str, int], goal: tuple[str, int]) -> bool:
    seen = {start}
    frontier = [start]
    while frontier:
        side, index = frontier.pop()
        for i, j in edges:
            if (side == "r" and i == index) or (side == "c" and j == index):
                node = ("c", j) if side == "r" else ("r", i)
                if node == goal:
                    return True
                if node not in seen:
                    seen.add(node)
                    frontier.append(node)
    return False


def _close_cycle(grid: Sequence[Sequence[int]], hidden: set[Position], bridge: Position) -> Position:
    """The cell that closes a four-cycle through ``bridge``, preferring the smallest positive value."""
    row, column = bridge
    in_row = [j for (i, j) in hidden if i == row and j != column]
    in_column = [i for (i, j) in hidden if j == column and i != row]
    options = [(i, j) for i in in_column for j in in_row if (i, j) not in hidden]
    if not options:  # pragma: no cover - rule 1 guarantees both lists are non-empty and a free corner
        raise AssertionError(f"cannot close a cycle through {bridge}")
    return min(options, key=lambda p: (grid[p[0]][p[1]] == 0, grid[p[0]][p[1]], p))
