"""What every reader shares: the open table, the header check, and the checks of each row's cells.

A row's checks name the row and the column of every problem (control characters, lone surrogates,
oversized cells, a row that does not line up with the header). A row-wide problem has an empty column:
its cells may be shifted, so none of them is shown (see :func:`microcred.io.privacy.screen`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from microcred.io.cells import Problem, format_cell, unneutralise
from microcred.io.layouts import Layout, normalise_header

__all__ = [
    "MAX_CELL_CHARS",
    "MAX_ROW_CHARS",
    "FileRejected",
    "Row",
    "Table",
    "cell_problems",
    "column_map",
    "may_be_data",
    "reject_file",
    "tabular_rows",
]

MAX_CELL_CHARS = 32_767  # a spreadsheet cell holds at most this much
MAX_ROW_CHARS = 200_000
Row = tuple[int, dict[str, str], list[Problem]]


class FileRejected(Exception):
    """The whole file cannot be read; ``problems`` say where and why (in English and Dutch)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.column or 'file'}: {p.reason('en')}" for p in problems))
        self.problems = problems


def _reject(code: str, /, *, at_row: int = 0, **params: Any) -> FileRejected:
    """The whole file refused for the reason ``code`` (with its ``params``), reported on ``at_row``."""
    return FileRejected([Problem(at_row, "", None, code, params)])


@dataclass
class Table:
    """An open input file: its rows as ``(row number, cells by column, problems)``, and how far we got."""

    format: str
    encoding: str | None
    delimiter: str | None
    rows: Iterator[Row]
    progress: Callable[[], float]
    columns: list[str] = field(default_factory=list)
    sheet: str | None = None  # the XLSX sheet read
    other_sheets: tuple[str, ...] = ()  # XLSX sheets with content that were not read
    items: Iterator[Any] | None = None  # rows and column blocks, when read in columns (see io.columnar)


def column_map(layout: Layout[Any], header: Sequence[str], optional: Sequence[str]) -> list[str | None]:
    """For each header cell, the layout column it names (None for blank trailing headers)."""
    names = layout.header_names()
    problems: list[Problem] = []
    mapped: list[str | None] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(header, start=1):
        text = raw.strip()
        if not text:
            mapped.append(None)
            continue
        column = names.get(normalise_header(text))
        if column is None:
            problems.append(_unknown_header(layout, index, text))
        elif column in seen:
            problems.append(Problem(1, column, text, "header-twice", {"first": seen[column], "second": index}))
        else:
            seen[column] = index
        mapped.append(column)
    if not seen and any(text.strip() for text in header):
        raise _reject("not-a-header", at_row=1)
    for wanted in layout.columns:
        if wanted.required and wanted.name not in seen and wanted.name not in optional:
            problems.append(Problem(1, wanted.name, None, "column-missing"))
    if problems:
        raise FileRejected(problems)
    return mapped


def may_be_data(layout: Layout[Any], name: str) -> bool:
    """True when an unknown column name might be a learner's data: the layout has a secret column and the
    name is not made of words (letters, joined by spaces, dashes, dots or underscores)."""
    return any(column.secret for column in layout.columns) and not re.fullmatch(r"[^\W\d]+(?:[ _.-][^\W\d]+)*", name)


def _unknown_header(layout: Layout[Any], index: int, text: str) -> Problem:
    """An unknown header cell, named unless it may be data (a learner identifier in a file without header)."""
    if may_be_data(layout, text):
        return Problem(1, f"#{index}", None, "unknown-column-not-shown")
    return Problem(1, text, text, "unknown-column")


def tabular_rows(
    records: Iterator[Sequence[object]],
    columns: list[str | None],
    layout: Layout[Any],
    *,
    start: int,
    spreadsheet: bool = True,
    complete: bool = False,
) -> Iterator[Row]:
    """Rows of cells by column from records of values in header order.

    ``complete``: every record must reach the header's last named column (CSV, where a short line means
    the delimiter or quoting went wrong and the cells may be shifted); spreadsheets leave empty cells out.
    """
    width = len(columns)
    needed = max((index + 1 for index, name in enumerate(columns) if name is not None), default=0)
    pairs = [(index, name) for index, name in enumerate(columns) if name is not None]
    secret = _secret_columns(layout)
    for row, record in enumerate(records, start=start):
        cells = [value if isinstance(value, str) else format_cell(value) for value in record]
        if not "".join(cells).strip():
            continue  # blank lines and empty spreadsheet rows
        problems = _shape_problems(row, cells, width, needed if complete else 0)
        count = len(cells)
        values = {name: cells[index].strip() for index, name in pairs if index < count}
        problems += cell_problems(row, values, secret)
        if spreadsheet:
            for name, value in values.items():
                if value[:1] == "'":
                    values[name] = unneutralise(value)
        yield row, values, problems


def _shape_problems(row: int, cells: list[str], width: int, needed: int) -> list[Problem]:
    problems: list[Problem] = []
    if len(cells) > width and "".join(cells[width:]).strip():
        problems.append(Problem(row, "", None, "too-many-cells", {"cells": len(cells), "width": width}))
    elif len(cells) < needed:
        problems.append(Problem(row, "", None, "too-few-cells", {"cells": len(cells), "width": width}))
    if sum(map(len, cells)) > MAX_ROW_CHARS:
        problems.append(Problem(row, "", None, "row-too-long", {"limit": MAX_ROW_CHARS}))
    return problems


def _secret_columns(layout: Layout[Any]) -> frozenset[str]:
    return frozenset(column.name for column in layout.columns if column.secret)


# NUL and the other C0 controls (but tab, newline, carriage return) belong in no register text, and
# PostgreSQL cannot store NUL at all. A lone surrogate (JSON "\ud800") is no character: it cannot be
# written as UTF-8, so an export holding one would fail. One search per row keeps a 1M-row import fast.
_SUSPECT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SHOWN_CHARS = 60


def cell_problems(row: int, values: dict[str, str], secret: frozenset[str] = frozenset()) -> list[Problem]:
    """A problem for each cell holding a control character or a lone surrogate, or longer than a cell may be."""
    problems: list[Problem] = []
    if _SUSPECT.search("".join(values.values())):
        for name, value in values.items():
            shown = None if name in secret else _abbreviated(repr(value))
            if _CONTROL.search(value):
                problems.append(Problem(row, name, shown, "control-character"))
            elif _SUSPECT.search(value):
                problems.append(Problem(row, name, shown, "lone-surrogate"))
    for name, value in values.items():
        if len(value) > MAX_CELL_CHARS:
            problems.append(Problem(row, name, None, "cell-too-long", {"length": len(value), "limit": MAX_CELL_CHARS}))
    return problems


def _abbreviated(text: str) -> str:
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


reject_file = _reject
"""For the readers of each format: ``raise reject_file("code", at_row=…, **params)``."""
