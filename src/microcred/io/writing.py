"""Writing records out in a layout: CSV, XLSX, JSON Lines or Parquet, streamed row by row.

CSV and XLSX cells that a spreadsheet would run as a formula are neutralised with a leading apostrophe
(:func:`microcred.io.cells.neutralise`); the reader undoes exactly that, so exports import unchanged.
JSON Lines and Parquet are not opened by spreadsheets and are written as they are.

A file is written next to its target and moved into place when complete, so a failed export never leaves
a truncated file. A lone surrogate (which older versions let in through JSON) cannot be written as UTF-8;
it is written as U+FFFD instead of failing the export of the whole register.
"""

from __future__ import annotations

import csv
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from microcred.io.cells import neutralise
from microcred.io.layouts import Column, Layout

__all__ = ["write_rows", "write_table"]


def write_table(
    path: Path, fmt: str, columns: Sequence[Column], rows: Iterable[dict[str, str]], *, sheet: str = "data"
) -> int:
    """Write ``rows`` (cells by column name) to ``path`` in ``fmt``; return how many rows were written."""
    names = [column.name for column in columns]
    writers = {"csv": _write_csv, "xlsx": _write_xlsx, "jsonl": _write_jsonl, "parquet": _write_parquet}
    if fmt not in writers:
        raise ValueError(f"unknown format {fmt!r}")
    partial = path.with_name(f".{path.name}.partial")
    try:
        count = writers[fmt](partial, names, _characters(rows), sheet)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return count


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _characters(rows: Iterable[dict[str, str]]) -> Iterator[dict[str, str]]:
    """The rows with any lone surrogate replaced by U+FFFD, the character for "not a character"."""
    for row in rows:
        if _SURROGATE.search("".join(row.values())):
            yield {name: _SURROGATE.sub("\ufffd", value) for name, value in row.items()}
        else:
            yield row


def write_rows(path: Path, fmt: str, layout: Layout[Any], records: Iterable[Any]) -> int:
    """Export ``records`` (domain objects) in ``layout``."""
    return write_table(path, fmt, layout.exported_columns, (layout.cells(r) for r in records), sheet=layout.kind)


def _write_csv(path: Path, names: list[str], rows: Iterable[dict[str, str]], sheet: str) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for row in rows:
            writer.writerow([neutralise(row.get(name, "")) for name in names])
            count += 1
    return count


def _write_xlsx(path: Path, names: list[str], rows: Iterable[dict[str, str]], sheet: str) -> int:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    data = book.create_sheet(sheet[:31])
    data.append(names)
    count = 0
    for row in rows:
        data.append([neutralise(row.get(name, "")) or None for name in names])
        count += 1
    book.save(path)
    return count


def _write_jsonl(path: Path, names: list[str], rows: Iterable[dict[str, str]], sheet: str) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for row in rows:
            handle.write(json.dumps({name: row.get(name, "") for name in names}, ensure_ascii=False) + "\n")
            count += 1
    return count


def _write_parquet(path: Path, names: list[str], rows: Iterable[dict[str, str]], sheet: str) -> int:
    """Parquet through DuckDB (no pyarrow): stage as CSV, then COPY with every column as text."""
    import duckdb

    with tempfile.TemporaryDirectory() as staging:
        staged = Path(staging) / "rows.csv"
        count = 0
        with staged.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(names)
            for row in rows:
                writer.writerow([row.get(name, "") for name in names])
                count += 1
        columns = ", ".join(f"'{name}': 'VARCHAR'" for name in names)
        target = str(path).replace("'", "''")
        connection = duckdb.connect()
        try:
            connection.execute(
                f"COPY (SELECT * FROM read_csv(?, header=true, columns={{{columns}}})) TO '{target}' (FORMAT parquet)",
                [str(staged)],
            )
        finally:
            connection.close()
    return count
