"""Import and export layouts: one definition per layout drives the reader, the writer, templates and docs."""

from __future__ import annotations

from microcred.io.cells import Notice, Problem, neutralise, unneutralise
from microcred.io.columnar import Block
from microcred.io.layouts import LAYOUTS, Column, Layout, ParseContext, RowInvalid, layout
from microcred.io.privacy import echoed_cells, screen
from microcred.io.reading import FORMATS, FileRejected, Table, format_of, open_table
from microcred.io.templates import TEMPLATE_FORMATS, write_template
from microcred.io.writing import write_rows, write_table

__all__ = [
    "FORMATS",
    "LAYOUTS",
    "TEMPLATE_FORMATS",
    "Block",
    "Column",
    "FileRejected",
    "Layout",
    "Notice",
    "ParseContext",
    "Problem",
    "RowInvalid",
    "Table",
    "echoed_cells",
    "format_of",
    "layout",
    "neutralise",
    "open_table",
    "screen",
    "unneutralise",
    "write_rows",
    "write_table",
    "write_template",
]
