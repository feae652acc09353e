"""The report as PDF (fpdf2): the same outline as the HTML, charts as PNG, DejaVu Sans for every character."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from microcred.stats.charts import render_chart
from microcred.stats.labels import text
from microcred.stats.model import ParliamentReport
from microcred.stats.outline import offering_rows, outline, table_cells

if TYPE_CHECKING:
    from fpdf import FPDF

__all__ = ["to_pdf"]


def _font_dir() -> Path:
    """DejaVu Sans as shipped with matplotlib, so always offline."""
    import matplotlib as mpl

    return Path(mpl.get_data_path()) / "fonts" / "ttf"


def to_pdf(report: ParliamentReport, lang: str) -> bytes:
    """A PDF with the headings, paragraphs, tables and charts of the HTML report, in the same order."""
    # fpdf and matplotlib load here, not at import time: about two seconds that only a PDF needs.
    from fpdf import FPDF

    from microcred.stats.render import scope_text

    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_creation_date(datetime(2000, 1, 1, tzinfo=UTC))  # reproducible output: no wall-clock date
    pdf.add_font("DejaVu", "", str(_font_dir() / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(_font_dir() / "DejaVuSans-Bold.ttf"))
    pdf.set_title(text("title", lang))
    pdf.set_lang(lang)
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 9, text("title", lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 6, scope_text(report, lang), new_x="LMARGIN", new_y="NEXT")
    for section in outline(report, lang):
        pdf.ln(3)
        pdf.start_section(section.heading)
        pdf.set_font("DejaVu", "B", 13)
        pdf.multi_cell(0, 8, section.heading, new_x="LMARGIN", new_y="NEXT")
        for block in (*section.blocks, *section.details):
            if block.kind == "p":
                pdf.set_font("DejaVu", "", 9)
                pdf.multi_cell(0, 5, block.text, new_x="LMARGIN", new_y="NEXT")
            elif block.kind == "figures":
                pdf.set_font("DejaVu", "", 9)
                for name, value in block.items:
                    pdf.multi_cell(0, 5, f"{name}: {value}", new_x="LMARGIN", new_y="NEXT")
            elif block.kind == "list":
                pdf.set_font("DejaVu", "", 9)
                for sentence, _ in block.items:
                    pdf.multi_cell(0, 5, f"• {sentence}", new_x="LMARGIN", new_y="NEXT")
            elif block.kind == "chart":
                pdf.image(io.BytesIO(render_chart(block.text, report, lang, fmt="png")), w=180)
            elif block.kind == "table" and block.table is not None:
                title, header, body = table_cells(block.table, lang, report)
                _table(pdf, title, header, body)
                if block.table.rounded:
                    pdf.set_font("DejaVu", "", 7)
                    pdf.multi_cell(0, 4, text("rounded_note", lang, k=report.threshold), new_x="LMARGIN", new_y="NEXT")
                    pdf.ln(2)
            elif block.kind == "offerings":
                header, body = offering_rows(report, lang)
                _table(pdf, text("offerings_list", lang), header, body)
    return bytes(pdf.output())


def _table(pdf: FPDF, title: str, header: list[str], body: list[list[str]]) -> None:
    from fpdf.fonts import FontFace

    pdf.set_font("DejaVu", "B", 9)
    pdf.multi_cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 7)
    first = 3 if len(header) > 6 else 2
    widths = (first, *([1] * (len(header) - 1)))
    with pdf.table(
        col_widths=widths,
        text_align=("LEFT", *(["RIGHT"] * (len(header) - 1))),
        headings_style=FontFace(emphasis="BOLD"),
        line_height=4,
    ) as grid:
        for cells in (header, *body):
            row = grid.row()
            for cell in cells:
                row.cell(cell)
    pdf.ln(2)
