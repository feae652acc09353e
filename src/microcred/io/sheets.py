"""Reading an XLSX workbook: the one sheet that holds the layout, every row of it, streamed.

openpyxl's read-only mode streams the sheet's XML, so memory stays flat, but it stops at the size the
sheet's ``<dimension>`` element declares; writers other than Excel leave that element stale, and the
rows past it were silently dropped. The declared size is therefore reset and every row is read. A
workbook may hold several sheets (the template adds one of codes): the sheet whose header is a header of
the layout is read, and the report names it; two such sheets are refused rather than guessed between.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from microcred.io.cells import Problem, format_cell
from microcred.io.layouts import Layout
from microcred.io.table import FileRejected, Table, column_map, tabular_rows
from microcred.io.table import reject_file as _reject

__all__ = ["xlsx_table"]

# What a damaged or truncated workbook raises while it is opened or streamed: a broken ZIP, a cut-off
# deflate stream, XML that ends early (ElementTree's ParseError is a SyntaxError) or a missing part.
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, ValueError, SyntaxError)
_ZIP_MAGIC = b"PK\x03\x04"


def xlsx_table(stack: ExitStack, path: Path, layout: Layout[Any], optional: Sequence[str]) -> Table:
    """The rows of the workbook's sheet of ``layout``; FileRejected when there is none, or several."""
    import openpyxl  # imported here: only XLSX files need it

    _check_zip(path)
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, *_DAMAGED) as error:
        raise _reject("xlsx-unopenable", error=type(error).__name__) from None
    stack.callback(book.close)
    chosen, header, others = _choose_sheet(book.worksheets, layout, optional)
    columns = column_map(layout, header, optional)
    declared = chosen.max_row or 0  # before the reset: only a hint for the progress bar
    records = _streamed(chosen.iter_rows(min_row=2, values_only=True), first=2)
    position = {"row": 1}

    def counted() -> Iterator[Sequence[object]]:
        for record in records:
            position["row"] += 1
            yield record

    rows = tabular_rows(counted(), columns, layout, start=2)
    return Table(
        "xlsx",
        None,
        None,
        rows,
        lambda: min(position["row"] / declared, 0.99) if declared else 0.0,
        header,
        sheet=chosen.title,
        other_sheets=others,
    )


def _check_zip(path: Path) -> None:
    """An XLSX file is a ZIP archive; say plainly what it is when it is not (a CSV file named .xlsx)."""
    with path.open("rb") as handle:
        start = handle.read(4)
    if start != _ZIP_MAGIC:
        raise _reject("xlsx-not-zip")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise _reject("xlsx-damaged") from None
    if "xl/workbook.xml" not in names:
        raise _reject("zip-not-xlsx")


def _header_of(sheet: Any) -> list[str] | None:
    """The sheet's first row as text without trailing blanks, after resetting its stale declared size."""
    sheet.reset_dimensions()
    first = next(_streamed(sheet.iter_rows(min_row=1, max_row=1, values_only=True), first=1), None)
    if first is None:
        return None
    header = [format_cell(value) for value in first]
    while header and not header[-1].strip():
        header.pop()
    return header or None


def _choose_sheet(
    sheets: Sequence[Any], layout: Layout[Any], optional: Sequence[str]
) -> tuple[Any, list[str], tuple[str, ...]]:
    """The one sheet whose header fits ``layout``, its header and the names of the other sheets with content."""
    headers = [(sheet, _header_of(sheet)) for sheet in sheets]
    filled = [(sheet, header) for sheet, header in headers if header is not None]
    if not filled:
        raise _reject("workbook-empty", at_row=1)
    fitting: list[tuple[Any, list[str]]] = []
    for sheet, header in filled:
        try:
            column_map(layout, header, optional)
        except FileRejected:
            continue
        fitting.append((sheet, header))
    if len(fitting) > 1:
        names = ", ".join(repr(sheet.title) for sheet, _ in fitting)
        raise _reject("sheets-ambiguous", at_row=1, sheets=names, kind=layout.kind)
    if not fitting:
        first, header = filled[0]
        try:
            column_map(layout, header, optional)
        except FileRejected as rejected:
            where = Problem(1, "", None, "no-sheet-fits", {"kind": layout.kind, "sheet": first.title})
            raise FileRejected([where, *rejected.problems]) from None
    chosen, header = fitting[0]
    others = tuple(sheet.title for sheet, _ in filled if sheet is not chosen)
    return chosen, header, others


def _streamed(records: Iterator[Sequence[object]], *, first: int) -> Iterator[Sequence[object]]:
    """The sheet's rows from row ``first``; a workbook found damaged while it streams is refused, not a traceback."""
    row = first - 1
    try:
        for record in records:
            row += 1
            yield record
    except _DAMAGED:
        raise _reject("xlsx-damaged-after-row", at_row=row + 1, row=row) from None
