"""Empty templates for providers to fill in, generated from the layouts: a header and one example row.

The XLSX template has a second sheet listing every allowed code with its English and Dutch label and
the other spellings accepted for it, so a person filling it in never has to look a code up elsewhere.
The web UI serves the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from microcred.io.cells import neutralise
from microcred.io.layouts import Layout
from microcred.io.writing import write_table
from microcred.vocab import vocabulary

__all__ = ["TEMPLATE_FORMATS", "example_row", "write_template"]

TEMPLATE_FORMATS = ("csv", "xlsx", "jsonl")


def example_row(layout: Layout[Any]) -> dict[str, str]:
    """The example row of ``layout``: every column's documented example."""
    return {column.name: column.example for column in layout.template_columns}


def write_template(layout: Layout[Any], fmt: str, path: Path) -> None:
    """Write the template of ``layout`` in ``fmt`` (csv, xlsx or jsonl) to ``path``."""
    if fmt not in TEMPLATE_FORMATS:
        raise ValueError(f"templates come as {', '.join(TEMPLATE_FORMATS)}, not {fmt!r}")
    if fmt != "xlsx":
        write_table(path, fmt, layout.template_columns, [example_row(layout)])
        return
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    data = book.create_sheet(layout.kind)
    data.append([column.name for column in layout.template_columns])
    data.append([neutralise(value) or None for value in example_row(layout).values()])
    codes = book.create_sheet("codes")
    codes.append(["column", "code", "label_en", "label_nl", "also_accepted"])
    for column in layout.template_columns:
        if column.vocab is None:
            continue
        for concept in vocabulary(column.vocab):
            aliases = " | ".join(vocabulary(column.vocab).aliases(concept.code))
            row = [concept.code, concept.label("en"), concept.label("nl"), aliases]
            codes.append([column.name, *(neutralise(value) for value in row)])
    book.save(path)
