"""What every PDF certificate is made of: its first page, its text in the core fonts' repertoire, its QR code.

Core PDF fonts keep the file small and need no font files; text is folded to the Latin-1 repertoire they
cover (typographic dashes and quotes become plain ones). Shared by the micro-credential's certificate
(``pdf.py``) and the stacked credential's (``pdf_stack.py``).
"""

from __future__ import annotations

import io
import unicodedata
from typing import TYPE_CHECKING

import segno

if TYPE_CHECKING:
    from fpdf import FPDF

__all__ = ["certificate_page", "pdf_text", "qr_png"]

_FOLD = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "•": "-", "€": "EUR"})


def pdf_text(value: str) -> str:
    """``value`` as the core fonts can print it (Latin-1, with typographic marks folded to plain ones)."""
    folded = unicodedata.normalize("NFC", value.translate(_FOLD))
    return folded.encode("latin-1", "replace").decode("latin-1")


def qr_png(url: str) -> io.BytesIO:
    """The QR code that leads to ``url``, as a PNG in memory."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=2)
    buffer.seek(0)
    return buffer


def certificate_page(title: str, *, heading: str) -> FPDF:
    """A new A4 page, as every certificate starts: the heading line, then the title in large type."""
    from fpdf import FPDF  # here, not at the top: a second of import time that only a certificate needs

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.set_title(title)
    pdf.set_creator("microcred")
    pdf.add_page()
    pdf.set_margins(20, 20, 20)
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 20)
    pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    return pdf
