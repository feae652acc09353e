"""The one-page PDF certificate of a stacked credential: the larger credential, its components, a QR code.

As for a micro-credential's certificate (:mod:`microcred.credentials.pdf`), the PDF is a human-readable copy
and the QR code leads to the signed credential's verification page.
"""

from __future__ import annotations

from microcred.credentials.clr import StackAward
from microcred.credentials.pdf_page import certificate_page, pdf_text, qr_png
from microcred.i18n import translate

__all__ = ["stacked_certificate_pdf"]


def stacked_certificate_pdf(award: StackAward, *, verify_url: str, lang: str = "nl") -> bytes:
    """One A4 page: the larger credential's title, who awarded it, each component with its credential id."""
    lang = lang if lang in ("nl", "en") else "en"
    pdf = certificate_page(
        pdf_text(award.title.get(lang)), heading=pdf_text(translate("credential.pdf.stack.heading", lang))
    )
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 11)
    awarded = f"{translate('credential.pdf.awarded', lang)} {award.provider_name.get(lang)}"
    pdf.multi_cell(0, 6, pdf_text(awarded), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, pdf_text(f"{translate('credential.pdf.date', lang)}: {award.issued_at.date().isoformat()}"),
             new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, pdf_text(translate("credential.pdf.stack.parts", lang)), new_x="LMARGIN", new_y="NEXT")
    for part in award.parts[:12]:
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(0, 4.5, pdf_text(f"- {part.title.get(lang)} ({part.credential_id})"), new_x="LMARGIN",
                       new_y="NEXT")  # fmt: skip
    pdf.image(qr_png(verify_url), x=150, y=232, w=40, h=40)
    pdf.set_xy(20, 240)
    pdf.set_font("Helvetica", "", 8)
    verify = f"{translate('credential.pdf.verify', lang)} {verify_url}"
    pdf.multi_cell(125, 4, pdf_text(verify), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_x(20)
    identifier = f"{translate('credential.pdf.id', lang)}: {award.credential_id}"
    pdf.multi_cell(125, 4, pdf_text(identifier), new_x="LMARGIN", new_y="NEXT", align="L")
    return bytes(pdf.output())
