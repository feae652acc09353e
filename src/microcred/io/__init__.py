"""Import and export layouts: one definition per layout drives the reader, the writer, templates and docs."""

from __future__ import annotations

from microcred.io.cells import Problem, neutralise, unneutralise
from microcred.io.layouts import LAYOUTS, Column, Layout, ParseContext, RowInvalid, layout
from microcred.io.reading import FORMATS, FileRejected, Table, open_table
from microcred.io.templates import TEMPLATE_FORMATS, write_template
from microcred.io.writing import write_rows, write_table

__all__ = [
    "FORMATS",
    "LAYOUTS",
    "TEMPLATE_FORMATS",
    "Column",
    "FileRejected",
    "Layout",
    "ParseContext",
    "Problem",
    "RowInvalid",
    "Table",
    "layout",
    "neutralise",
    "open_table",
    "unneutralise",
    "write_rows",
    "write_table",
    "write_template",
]
