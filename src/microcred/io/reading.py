"""Reading an institution's file, whatever it throws at us, into rows keyed by layout column.

Handles CSV (UTF-8 with or without BOM, or Windows-1252/Latin-1 when detected; ``;``, ``,`` or tab
delimiters sniffed from the header), XLSX (:mod:`microcred.io.sheets`), JSON Lines and Parquet (through
DuckDB). Header problems (unknown, duplicated or missing columns) reject the file; cell-level problems
are left to the layout, row by row.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Any

import charset_normalizer

from microcred.io.cells import Problem, format_cell, join_list
from microcred.io.columnar import Block, csv_blocks, header_end
from microcred.io.layouts import Layout, normalise_header
from microcred.io.sheets import xlsx_table
from microcred.io.table import (
    MAX_CELL_CHARS,
    MAX_ROW_CHARS,
    FileRejected,
    Row,
    Table,
    cell_problems,
    column_map,
    may_be_data,
    tabular_rows,
)
from microcred.io.table import reject_file as _reject

__all__ = ["FORMATS", "MAX_CELL_CHARS", "MAX_ROW_CHARS", "FileRejected", "Table", "format_of", "open_table"]

FORMATS = ("csv", "xlsx", "jsonl", "parquet")
_CSV_CELL_LIMIT = 1 << 24
"""The csv module's own cap on a cell: far above MAX_CELL_CHARS, so an oversized cell is read whole and
reported with its row and column; it bounds the memory a single runaway quote can take."""
_PARQUET_BATCH_ROWS = 10_000
"""Parquet rows fetched from DuckDB at a time: a batch to bound memory, not a limit (every row is read)."""
_WESTERN = {"cp1252", "latin_1", "iso8859_15", "iso8859_1", "windows-1252"}
_CP1252_EXTRAS = set("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ")


def format_of(path: Path, given: str | None = None) -> str:
    """The file format: as given, else from the file name's suffix."""
    name = (given or path.suffix.lstrip(".")).lower()
    name = {"json": "jsonl", "ndjson": "jsonl", "xlsm": "xlsx", "txt": "csv", "tsv": "csv"}.get(name, name)
    if name not in FORMATS:
        raise _reject("file-format-unknown", name=name, allowed=", ".join(FORMATS))
    return name


@contextmanager
def open_table(
    path: Path,
    layout: Layout[Any],
    *,
    max_bytes: int,
    fmt: str | None = None,
    optional: Sequence[str] = (),
    columnar: bool = False,
) -> Iterator[Table]:
    """Open ``path`` for reading rows of ``layout``; FileRejected when the file as a whole is unusable.

    ``columnar``: a UTF-8 CSV file's ``Table.items`` gives column blocks where it can (:mod:`.columnar`).
    """
    kind = format_of(path, fmt)
    size = path.stat().st_size
    if size > max_bytes:
        raise _reject("file-too-large", size=size, limit=max_bytes)
    with ExitStack() as stack:
        if kind == "csv":
            yield _csv_table(stack, path, size, layout, optional, columnar=columnar)
        elif kind == "xlsx":
            yield xlsx_table(stack, path, layout, optional)
        elif kind == "jsonl":
            yield _jsonl_table(stack, path, size, layout)
        else:
            yield _parquet_table(path, layout, optional)


def _detect_encoding(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head.count(b"\x00") > len(head) // 10:
        # UTF-16 (or no text at all): a NUL here and there is a cell's problem, reported with its row and column
        raise _reject("file-utf16-or-binary")
    if _is_utf8(path):
        return "utf-8"
    best = charset_normalizer.from_bytes(head).best()
    if (best is not None and best.encoding in _WESTERN) or _looks_western(head):
        return "cp1252"
    guess = best.encoding if best is not None else "unknown"
    raise _reject("file-encoding-unknown", guess=guess)


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _looks_western(head: bytes) -> bool:
    """True when the non-ASCII characters read as Windows-1252 are (nearly all) Latin letters or punctuation."""
    try:
        text = head.decode("cp1252")
    except UnicodeDecodeError:
        return False
    special = [ch for ch in text if ord(ch) > 127]
    fitting = sum(1 for ch in special if "\u00c0" <= ch <= "\u00ff" or ch in _CP1252_EXTRAS or ch in "«»°©®")
    # Western text has an accent here and there; Cyrillic or Greek bytes read as Latin-1 come in runs.
    runs = sum(1 for before, ch in itertools.pairwise(text) if ord(before) > 127 and ord(ch) > 127)
    return bool(special) and fitting >= 0.9 * len(special) and runs <= 0.25 * len(special)


def _sniff_delimiter(first_line: str) -> str:
    counts = dict.fromkeys((";", ",", "\t"), 0)
    quoted = False
    for ch in first_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


class _Counting(io.RawIOBase):
    """A binary file that remembers how many bytes were read, for the progress bar."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        self.done += count or 0
        return int(count or 0)


def _csv_table(
    stack: ExitStack, path: Path, size: int, layout: Layout[Any], optional: Sequence[str], *, columnar: bool
) -> Table:
    encoding = _detect_encoding(path)
    with path.open("r", encoding=encoding, newline="") as probe:
        first_line = probe.readline()
    delimiter = _sniff_delimiter(first_line)
    counting = _Counting(stack.enter_context(path.open("rb")))
    text = stack.enter_context(io.TextIOWrapper(io.BufferedReader(counting), encoding=encoding, newline=""))
    csv.field_size_limit(_CSV_CELL_LIMIT)
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise _reject("file-empty") from None
    except UnicodeDecodeError:
        raise _reject("file-encoding-invalid", encoding=encoding) from None
    except csv.Error as error:  # e.g. a header cell over the limit (issue 15, finding 8)
        raise _reject("csv-header-unreadable", at_row=1, detail=str(error), limit=MAX_CELL_CHARS) from None
    columns = column_map(layout, header, optional)
    rows = tabular_rows(csv_records(reader, encoding), columns, layout, start=2, complete=True)
    table = Table("csv", encoding, delimiter, rows, lambda: counting.done / size if size else 1.0, header)
    if columnar and encoding != "cp1252" and None not in columns:
        table.items = _csv_blocks(stack, path, size, table, columns, layout)
    return table


def _csv_blocks(
    stack: ExitStack, path: Path, size: int, table: Table, columns: list[str | None], layout: Layout[Any]
) -> Iterator[Row | Block] | None:
    """The file in column blocks (:mod:`.columnar`) when its header line is plain, else None (rows it is)."""
    raw = stack.enter_context(path.open("rb"))
    head = raw.read(1 << 20)
    start = header_end(head)
    if start is None:
        return None
    done = {"bytes": start}

    def counted(count: int) -> None:
        done["bytes"] += count

    table.progress = lambda: done["bytes"] / size if size else 1.0
    delimiter, encoding = table.delimiter or ",", table.encoding or "utf-8"
    return csv_blocks(raw, start, columns, layout, delimiter=delimiter, encoding=encoding, counted=counted)


def csv_records(reader: Any, encoding: str, *, first: int = 1) -> Iterator[list[str]]:
    """The reader's records; FileRejected naming the row (counted from ``first``, the header) where it fails."""
    row = first
    try:
        for record in reader:
            row += 1
            yield record
    except csv.Error as error:
        raise _reject(
            "csv-row-unreadable", at_row=row + 1, row=row + 1, detail=str(error), limit=MAX_CELL_CHARS
        ) from None
    except UnicodeDecodeError:
        raise _reject("encoding-invalid-after-row", at_row=row + 1, row=row, encoding=encoding) from None


def _jsonl_table(stack: ExitStack, path: Path, size: int, layout: Layout[Any]) -> Table:
    counting = _Counting(stack.enter_context(path.open("rb")))
    text = stack.enter_context(io.TextIOWrapper(io.BufferedReader(counting), encoding="utf-8-sig"))

    def rows() -> Iterator[Row]:
        row = 0
        try:
            for row, line in enumerate(text, start=1):
                if line.strip():
                    yield _json_row(row, line, layout)
        except UnicodeDecodeError:
            raise _reject("utf8-invalid-after-line", line=row) from None

    return Table("jsonl", "utf-8", None, rows(), lambda: counting.done / size if size else 1.0)


class _RepeatedKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a key given twice (json.loads would silently keep the last value)."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _RepeatedKey(key)
        found[key] = value
    return found


_KEY_NOT_SHOWN = "(key not shown)"


def _key_shown(layout: Layout[Any], key: str) -> str:
    """A JSON key as a report names it: not at all when it may be data, escaped when it holds a control character."""
    if may_be_data(layout, key):
        return _KEY_NOT_SHOWN
    return repr(key) if cell_problems(0, {"key": key}) else key


def _json_row(row: int, line: str, layout: Layout[Any]) -> Row:
    names = layout.header_names()
    try:
        record = json.loads(line, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as error:
        return row, {}, [Problem(row, "", None, "not-json", {"detail": error.msg})]
    except _RepeatedKey as repeated:
        return row, {}, [Problem(row, _key_shown(layout, repeated.key), None, "key-twice-in-object")]
    if not isinstance(record, dict):
        return row, {}, [Problem(row, "", None, "json-object")]
    values: dict[str, str] = {}
    problems: list[Problem] = []
    for key, value in record.items():
        column = names.get(normalise_header(str(key)))
        if column is None:
            problems.append(Problem(row, _key_shown(layout, key), None, "unknown-column"))
        elif column in values:
            problems.append(Problem(row, column, None, "given-twice"))
        elif isinstance(value, list):
            values[column] = join_list([format_cell(item) for item in value])
        else:
            values[column] = format_cell(value).strip()
    if len(line) > MAX_ROW_CHARS:
        problems.append(Problem(row, "", None, "row-too-long", {"limit": MAX_ROW_CHARS}))
    secret = frozenset(column.name for column in layout.columns if column.secret)
    return row, values, problems + cell_problems(row, values, secret)


def _parquet_table(path: Path, layout: Layout[Any], optional: Sequence[str]) -> Table:
    import duckdb

    connection = duckdb.connect()
    try:
        total_row = connection.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()
        cursor = connection.execute("SELECT * FROM read_parquet(?)", [str(path)])
    except duckdb.Error as error:
        connection.close()
        raise _reject("not-parquet", detail=str(error)) from None
    header = [str(entry[0]) for entry in cursor.description or ()]
    columns = column_map(layout, header, optional)
    total = max(1, int(total_row[0]) if total_row else 1)
    position = {"row": 0}

    def records() -> Iterator[Sequence[object]]:
        try:
            while batch := cursor.fetchmany(_PARQUET_BATCH_ROWS):
                for record in batch:
                    position["row"] += 1
                    yield record
        finally:
            connection.close()

    rows = tabular_rows(records(), columns, layout, start=2, spreadsheet=False)
    return Table("parquet", None, None, rows, lambda: position["row"] / total, header)
