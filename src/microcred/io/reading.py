"""Reading an institution's file, whatever it throws at us, into rows keyed by layout column.

Handles CSV (UTF-8 with or without BOM, or Windows-1252/Latin-1 when detected; ``;``, ``,`` or tab
delimiters sniffed from the header), XLSX (streamed with openpyxl's read-only mode), JSON Lines and
Parquet (through DuckDB). Header problems (unknown, duplicated or missing columns) reject the file;
cell-level problems are left to the layout, row by row.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import charset_normalizer

from microcred.io.cells import Problem, format_cell, join_list, unneutralise
from microcred.io.layouts import Layout, normalise_header

__all__ = ["FORMATS", "MAX_CELL_CHARS", "MAX_ROW_CHARS", "FileRejected", "Table", "format_of", "open_table"]

FORMATS = ("csv", "xlsx", "jsonl", "parquet")
MAX_CELL_CHARS = 32_767  # a spreadsheet cell holds at most this much
MAX_ROW_CHARS = 200_000
_PARQUET_BATCH_ROWS = 10_000
"""Parquet rows fetched from DuckDB at a time: a batch to bound memory, not a limit (every row is read)."""
_WESTERN = {"cp1252", "latin_1", "iso8859_15", "iso8859_1", "windows-1252"}
_CP1252_EXTRAS = set("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ")


class FileRejected(Exception):
    """The whole file cannot be read; ``problems`` say where and why (in English and Dutch)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.column or 'file'}: {p.reason('en')}" for p in problems))
        self.problems = problems


def _reject(code: str, /, *, at_row: int = 0, **params: Any) -> FileRejected:
    return FileRejected([Problem(at_row, "", None, code, params)])


@dataclass
class Table:
    """An open input file: its rows as ``(row number, cells by column, problems)``, and how far we got."""

    format: str
    encoding: str | None
    delimiter: str | None
    rows: Iterator[tuple[int, dict[str, str], list[Problem]]]
    progress: Callable[[], float]
    columns: list[str] = field(default_factory=list)


def format_of(path: Path, given: str | None = None) -> str:
    """The file format: as given, else from the file name's suffix."""
    name = (given or path.suffix.lstrip(".")).lower()
    name = {"json": "jsonl", "ndjson": "jsonl", "xlsm": "xlsx", "txt": "csv", "tsv": "csv"}.get(name, name)
    if name not in FORMATS:
        raise _reject("file-format-unknown", name=name, allowed=", ".join(FORMATS))
    return name


@contextmanager
def open_table(
    path: Path, layout: Layout[Any], *, max_bytes: int, fmt: str | None = None, optional: Sequence[str] = ()
) -> Iterator[Table]:
    """Open ``path`` for reading rows of ``layout``; FileRejected when the file as a whole is unusable."""
    kind = format_of(path, fmt)
    size = path.stat().st_size
    if size > max_bytes:
        raise _reject("file-too-large", size=size, limit=max_bytes)
    with ExitStack() as stack:
        if kind == "csv":
            yield _csv_table(stack, path, size, layout, optional)
        elif kind == "xlsx":
            yield _xlsx_table(stack, path, layout, optional)
        elif kind == "jsonl":
            yield _jsonl_table(stack, path, size, layout)
        else:
            yield _parquet_table(path, layout, optional)


def _column_map(layout: Layout[Any], header: Sequence[str], optional: Sequence[str]) -> list[str | None]:
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
            problems.append(Problem(1, text, text, "unknown-column"))
        elif column in seen:
            problems.append(Problem(1, column, text, "header-twice", {"first": seen[column], "second": index}))
        else:
            seen[column] = index
        mapped.append(column)
    for wanted in layout.columns:
        if wanted.required and wanted.name not in seen and wanted.name not in optional:
            problems.append(Problem(1, wanted.name, None, "column-missing"))
    if problems:
        raise FileRejected(problems)
    return mapped


def _detect_encoding(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if b"\x00" in head:
        raise _reject("file-has-nul")
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


def _csv_table(stack: ExitStack, path: Path, size: int, layout: Layout[Any], optional: Sequence[str]) -> Table:
    encoding = _detect_encoding(path)
    with path.open("r", encoding=encoding, newline="") as probe:
        first_line = probe.readline()
    delimiter = _sniff_delimiter(first_line)
    counting = _Counting(stack.enter_context(path.open("rb")))
    text = stack.enter_context(io.TextIOWrapper(io.BufferedReader(counting), encoding=encoding, newline=""))
    csv.field_size_limit(MAX_CELL_CHARS * 4)
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise _reject("file-empty") from None
    except UnicodeDecodeError:
        raise _reject("file-encoding-invalid", encoding=encoding) from None
    except csv.Error as error:  # e.g. a header cell over the limit (issue 15, finding 8)
        raise _reject("csv-header-unreadable", at_row=1, detail=str(error), limit=MAX_CELL_CHARS) from None
    columns = _column_map(layout, header, optional)
    rows = _tabular_rows(_csv_records(reader, encoding), columns, start=2)
    return Table("csv", encoding, delimiter, rows, lambda: counting.done / size if size else 1.0, header)


def _csv_records(reader: Any, encoding: str) -> Iterator[list[str]]:
    row = 1
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


def _tabular_rows(
    records: Iterator[Sequence[object]], columns: list[str | None], *, start: int, spreadsheet: bool = True
) -> Iterator[tuple[int, dict[str, str], list[Problem]]]:
    width = len(columns)
    pairs = [(index, name) for index, name in enumerate(columns) if name is not None]
    for row, record in enumerate(records, start=start):
        cells = [value if isinstance(value, str) else format_cell(value) for value in record]
        if not "".join(cells).strip():
            continue  # blank lines and empty spreadsheet rows
        problems: list[Problem] = []
        if len(cells) > width and "".join(cells[width:]).strip():
            problems.append(Problem(row, "", None, "too-many-cells", {"cells": len(cells), "width": width}))
        if sum(map(len, cells)) > MAX_ROW_CHARS:
            problems.append(Problem(row, "", None, "row-too-long", {"limit": MAX_ROW_CHARS}))
        count = len(cells)
        values = {name: cells[index].strip() for index, name in pairs if index < count}
        problems += control_character_problems(row, values)
        if spreadsheet:
            for name, value in values.items():
                if value[:1] == "'":
                    values[name] = unneutralise(value)
        yield row, values, problems


def _xlsx_table(stack: ExitStack, path: Path, layout: Layout[Any], optional: Sequence[str]) -> Table:
    import openpyxl  # imported here: only XLSX files need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as error:
        raise _reject("not-xlsx", detail=str(error)) from None
    stack.callback(book.close)
    sheet = book.worksheets[0]
    records = sheet.iter_rows(values_only=True)
    header_row = next(records, None)
    if header_row is None:
        raise _reject("sheet-empty")
    header = [format_cell(value) for value in header_row]
    while header and not header[-1]:
        header.pop()
    columns = _column_map(layout, header, optional)
    total = sheet.max_row or 0
    position = {"row": 1}

    def counted() -> Iterator[Sequence[object]]:
        for record in records:
            position["row"] += 1
            yield record

    rows = _tabular_rows(counted(), columns, start=2)
    return Table("xlsx", None, None, rows, lambda: position["row"] / total if total else 0.0, header)


def _jsonl_table(stack: ExitStack, path: Path, size: int, layout: Layout[Any]) -> Table:
    counting = _Counting(stack.enter_context(path.open("rb")))
    text = stack.enter_context(io.TextIOWrapper(io.BufferedReader(counting), encoding="utf-8-sig"))
    names = layout.header_names()

    def rows() -> Iterator[tuple[int, dict[str, str], list[Problem]]]:
        row = 0
        try:
            for row, line in enumerate(text, start=1):
                if not line.strip():
                    continue
                if len(line) > MAX_ROW_CHARS:
                    yield row, {}, [Problem(row, "", None, "line-too-long")]
                    continue
                yield _json_row(row, line, names)
        except UnicodeDecodeError:
            raise _reject("utf8-invalid-after-line", line=row) from None

    return Table("jsonl", "utf-8", None, rows(), lambda: counting.done / size if size else 1.0)


def _json_row(row: int, line: str, names: dict[str, str]) -> tuple[int, dict[str, str], list[Problem]]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return row, {}, [Problem(row, "", None, "not-json", {"detail": error.msg})]
    if not isinstance(record, dict):
        return row, {}, [Problem(row, "", None, "json-object")]
    values: dict[str, str] = {}
    problems: list[Problem] = []
    for key, value in record.items():
        column = names.get(normalise_header(str(key)))
        if column is None:
            problems.append(Problem(row, str(key), None, "unknown-column"))
        elif column in values:
            problems.append(Problem(row, column, None, "given-twice"))
        elif isinstance(value, list):
            values[column] = join_list([format_cell(item) for item in value])
        else:
            values[column] = format_cell(value).strip()
    return row, values, problems + control_character_problems(row, values)


# NUL and the other C0 controls (but tab, newline, carriage return) belong in no register text, and
# PostgreSQL cannot store NUL at all. One search per row keeps the 1M-row import fast.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character_problems(row: int, values: dict[str, str]) -> list[Problem]:
    """A problem for each cell holding a control character."""
    if not _CONTROL.search("".join(values.values())):
        return []
    return [
        Problem(row, name, repr(value), "control-character") for name, value in values.items() if _CONTROL.search(value)
    ]


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
    columns = _column_map(layout, header, optional)
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

    rows = _tabular_rows(records(), columns, start=2, spreadsheet=False)
    return Table("parquet", None, None, rows, lambda: position["row"] / total, header)
