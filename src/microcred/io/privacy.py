"""What an import may echo of a row: never a learner identifier, even from a file that is laid out wrongly.

A secret column's cell is never shown. A file with a wrong delimiter, a stray quote or a whole line pasted
into one spreadsheet cell puts a learner identifier into another column's cell, so in a layout with a
secret column a cell is echoed (in a problem or in the rejected-rows file) only when it cannot hold one:
the row lines up with the header, the cell looks like one value (no line break, tab, ``;``, at most one
``,``), holds no secret cell's text and is short.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from microcred.io.cells import Problem
from microcred.io.layouts import HIDDEN, Layout

__all__ = ["HIDDEN", "echoed_cells", "screen"]

_MAX_ECHOED = 128  # the longest key or code a layout holds
_SEVERAL_CELLS = re.compile(r"[\r\n\t;]|,.*,")


def _secret(layout: Layout[Any]) -> tuple[str, ...]:
    return tuple(column.name for column in layout.columns if column.secret)


def _echoable(value: str, secrets: list[str]) -> bool:
    return len(value) <= _MAX_ECHOED and not _SEVERAL_CELLS.search(value) and not any(s in value for s in secrets)


def _shifted(problems: list[Problem]) -> bool:
    """True when a problem concerns the whole row: its cells may be shifted against the header."""
    return any(problem.row > 1 and not problem.column for problem in problems)


def screen(problems: list[Problem], cells: Mapping[str, str], layout: Layout[Any]) -> list[Problem]:
    """``problems`` with every value that might hold a learner identifier replaced by HIDDEN."""
    names = _secret(layout)
    if not names:
        return problems
    secrets = [cells[name] for name in names if cells.get(name)]
    shifted = _shifted(problems)
    return [
        p
        if p.value is None or p.value == HIDDEN or (not shifted and _echoable(p.value, secrets))
        else replace(p, value=HIDDEN)
        for p in problems
    ]


def echoed_cells(cells: Mapping[str, str], problems: list[Problem], layout: Layout[Any]) -> dict[str, str]:
    """The cells a rejected-rows file may repeat: none of a shifted row, and none that might hold an identifier."""
    names = _secret(layout)
    if not names:
        return dict(cells)
    if _shifted(problems):
        return {}
    secrets = [cells[name] for name in names if cells.get(name)]
    return {name: value for name, value in cells.items() if name in names or _echoable(value, secrets)}
