"""Reading a CSV file in column blocks (pyarrow), falling back to the exact row reader where a block is unusual.

The row reader (:mod:`microcred.io.reading`) turns every line into Python strings and checks it alone,
which costs tens of microseconds a row. Here the file is cut into blocks of whole lines and each block is
parsed by pyarrow into columns. A block is only taken this way when its lines are records one to one (no
quote character, no lone carriage return, no control character, every line as wide as the header); then a
row's number is its line's, exactly as the row reader counts. Any other block, and everything after the
first quote character (a quoted cell may span lines and blocks), is read by the row reader itself, so what
is reported about an unusual row is what it always was. Within a column block, a cell that the row reader
would change (surrounding white space, a leading apostrophe) marks its row, which the caller then checks
the exact way too. Memory is one block at a time, whatever the file's length.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from microcred.io.layouts import Layout
from microcred.io.table import MAX_CELL_CHARS, MAX_ROW_CHARS, Row, tabular_rows

__all__ = ["BLOCK_BYTES", "Block", "csv_blocks"]

BLOCK_BYTES = 4 << 20
"""Bytes of whole lines parsed at a time: about 50,000 enrolment rows, a few megabytes of columns."""
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# what str.strip() removes that is no control character: RE2's \s, NEL and the Unicode separators
_EDGE = r"^[\s\x{85}\pZ']|[\s\x{85}\pZ]$"


@dataclass(frozen=True, slots=True)
class Block:
    """Consecutive rows read in columns: row numbers, each layout column's cells, and the rows to check alone.

    ``unusual`` rows hold a cell the row reader would have changed (trimmed, an apostrophe removed); their
    cells here are the raw ones, so callers send them through the row checks. A row whose cells are all
    empty is a blank line, which the readers skip.
    """

    first_row: int
    size: int
    cells: dict[str, list[str]]
    unusual: frozenset[int]
    columns: tuple[str, ...]  # the layout columns in the file's order

    def row(self, index: int, layout: Layout[Any]) -> Row | None:
        """The block's ``index``-th row exactly as the row reader gives it; None for a blank line."""
        record = [self.cells[name][index] for name in self.columns]
        found = tabular_rows(iter([record]), list(self.columns), layout, start=self.first_row + index, complete=True)
        return next(found, None)


def csv_blocks(
    handle: IO[bytes],
    start: int,
    columns: list[str | None],
    layout: Layout[Any],
    *,
    delimiter: str,
    encoding: str,
    counted: Any,
) -> Iterator[Row | Block]:
    """Blocks (and exact rows where a block is unusual) of a UTF-8 CSV file from byte offset ``start``.

    ``columns`` maps each header cell to its layout column; ``counted`` is told how many bytes were read.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pv

    handle.seek(start)
    names = [f"c{index}" for index in range(len(columns))]
    block_bytes = BLOCK_BYTES  # read when called: a test sets a small one to put rows on both sides of a boundary
    read = pv.ReadOptions(column_names=names, use_threads=False, block_size=block_bytes + (1 << 20))
    convert = pv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False)
    row = 2
    while chunk := _lines(handle, block_bytes):
        counted(len(chunk))
        if b'"' in chunk or chunk.count(b"\r") != chunk.count(b"\r\n"):
            yield from _rows(io.BytesIO(chunk + handle.read()), columns, layout, delimiter, encoding, row)
            return
        lines = chunk.count(b"\n") + (not chunk.endswith(b"\n"))
        invalid: list[object] = []
        table = None
        if not _CONTROL.search(chunk):

            def refuse(found: object, invalid: list[object] = invalid) -> str:
                invalid.append(found)
                return "skip"

            parse = pv.ParseOptions(
                delimiter=delimiter, quote_char=False, ignore_empty_lines=False, invalid_row_handler=refuse
            )
            table = pv.read_csv(io.BytesIO(chunk), read_options=read, parse_options=parse, convert_options=convert)
        if table is None or invalid or table.num_rows != lines:
            yield from _rows(io.BytesIO(chunk), columns, layout, delimiter, encoding, row)
        else:
            cells: dict[str, list[str]] = {}
            marked = pa.array([False] * table.num_rows)
            length = pa.array([0] * table.num_rows, pa.int64())
            for name, column in zip(names, columns, strict=True):
                array = table.column(name)
                size = pc.utf8_length(array).cast(pa.int64())
                marked = pc.or_(
                    marked, pc.or_(pc.match_substring_regex(array, _EDGE), pc.greater(size, MAX_CELL_CHARS))
                )
                length = pc.add(length, size)
                cells[str(column)] = array.to_pylist()
            marked = pc.or_(marked, pc.greater(length, MAX_ROW_CHARS))
            unusual = frozenset(pc.indices_nonzero(marked).to_pylist()) if pc.any(marked).as_py() else frozenset()
            yield Block(row, lines, cells, unusual, tuple(str(column) for column in columns))
        row += lines


def _lines(handle: IO[bytes], size: int) -> bytes:
    """About ``size`` bytes ending at a line end (or at the end of the file)."""
    chunk = handle.read(size)
    if not chunk or chunk.endswith(b"\n"):
        return chunk
    rest = handle.readline()
    return chunk + rest


def _rows(
    raw: IO[bytes], columns: list[str | None], layout: Layout[Any], delimiter: str, encoding: str, first: int
) -> Iterator[Row]:
    """The exact row reader over ``raw``, numbering its rows from ``first``."""
    from microcred.io.reading import csv_records

    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    records = csv_records(csv.reader(text, delimiter=delimiter), encoding, first=first - 1)
    yield from tabular_rows(records, columns, layout, start=first, complete=True)


def header_end(head: bytes) -> int | None:
    """The byte offset after a header line without quotes, or None when the header must be read the exact way."""
    end = head.find(b"\n")
    if end < 0 or b'"' in head[:end] or b"\r" in head[: end - 1]:
        return None
    return end + 1
