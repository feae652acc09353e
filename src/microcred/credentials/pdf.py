"""The learner's one-page PDF certificate (nl or en) with the EU elements and a QR code to verify it.

The PDF is a human-readable copy; what counts is the signed credential the QR code leads to, on the
register's public verification page. Core PDF fonts keep the file small and need no font files; text is
folded to the Latin-1 repertoire they cover (typographic dashes and quotes become plain ones).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from microcred.credentials.ob3 import Award
from microcred.credentials.pdf_page import certificate_page, pdf_text, qr_png
from microcred.i18n import translate
from microcred.vocab import vocabulary

if TYPE_CHECKING:
    from fpdf import FPDF

__all__ = ["certificate_pdf"]

_LABELS = (
    "heading", "awarded", "to", "learner", "date", "valid", "ects", "eqf", "vks", "isced", "assessment",
    "participation", "qa", "country", "grade", "outcomes", "verify", "id",
)  # fmt: skip


def _labels(lang: str) -> dict[str, str]:
    """The certificate's own words in ``lang`` (``credential.pdf.*`` in the i18n catalogue)."""
    return {key: translate(f"credential.pdf.{key}", lang) for key in _LABELS}


def _label(vocab: str, code: str | None, lang: str) -> str | None:
    if code is None or code not in vocabulary(vocab):
        return None
    return vocabulary(vocab).get(code).label(lang)


def _day(moment: datetime | None) -> str:
    return "" if moment is None else moment.date().isoformat()


def _elements(award: Award, lang: str) -> list[tuple[str, str]]:
    offering, labels = award.offering, _labels(lang)
    workload = [f"{offering.ects} ECTS"] if offering.ects is not None else []
    workload += [f"{offering.hours} h"] if offering.hours is not None else []
    quality = [
        f"{record.agency}" for record in award.provider.quality_assurances if record.covers(award.issued_at.date())
    ]
    rows = [
        (labels["ects"], ", ".join(workload)),
        (labels["eqf"], str(offering.eqf_level or "")),
        (labels["vks"], str(offering.vks_level or "")),
        (labels["isced"], _label("isced-f", offering.isced_field, lang) or ""),
        (labels["assessment"], _label("assessment-types", offering.assessment_type, lang) or ""),
        (
            labels["participation"],
            _label(
                "participation-forms", offering.participation_form.value if offering.participation_form else None, lang
            )
            or "",
        ),
        (labels["qa"], ", ".join(quality)),
        (labels["country"], _label("countries", offering.issuer_country, lang) or ""),
        (labels["grade"], award.enrolment.grade or ""),
    ]
    return [(name, value) for name, value in rows if value]


def _outcomes(pdf: FPDF, heading: str, outcomes: Sequence[str]) -> None:
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, pdf_text(heading), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    for outcome in outcomes[:8]:
        pdf.multi_cell(0, 4.5, pdf_text(f"- {outcome}"), new_x="LMARGIN", new_y="NEXT")


def certificate_pdf(award: Award, *, verify_url: str, lang: str = "nl") -> bytes:
    """One A4 page: title, provider, learner reference, the EU elements, the outcomes and a verifying QR code."""
    lang = lang if lang in ("nl", "en") else "en"
    labels = _labels(lang)
    offering = award.offering
    pdf = certificate_page(pdf_text(offering.title.get(lang)), heading=pdf_text(labels["heading"]))
    other = "en" if lang == "nl" else "nl"
    if other in offering.title.texts and offering.title.texts[other] != offering.title.get(lang):
        pdf.set_font("Helvetica", "I", 11)
        pdf.multi_cell(0, 6, pdf_text(offering.title.texts[other]), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 11)
    holder = award.learner.email or labels["learner"]
    awarded = f"{labels['awarded']} {award.provider.name.get(lang)} {labels['to']} {holder}"
    pdf.multi_cell(0, 6, pdf_text(awarded), new_x="LMARGIN", new_y="NEXT", align="L")
    if award.enrolment.outcome_date is not None:
        pdf.cell(
            0,
            6,
            pdf_text(f"{labels['date']}: {award.enrolment.outcome_date.isoformat()}"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    if award.valid_until is not None:
        pdf.cell(0, 6, pdf_text(f"{labels['valid']}: {_day(award.valid_until)}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for name, value in _elements(award, lang):
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(55, 5.5, pdf_text(name))
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(0, 5.5, pdf_text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _outcomes(pdf, labels["outcomes"], [outcome.text.get(lang) for outcome in offering.learning_outcomes])
    pdf.image(qr_png(verify_url), x=150, y=232, w=40, h=40)
    pdf.set_xy(20, 240)
    pdf.set_font("Helvetica", "", 8)
    pdf.multi_cell(125, 4, pdf_text(f"{labels['verify']} {verify_url}"), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_x(20)
    pdf.multi_cell(125, 4, pdf_text(f"{labels['id']}: {award.credential_id}"), new_x="LMARGIN", new_y="NEXT", align="L")
    return bytes(pdf.output())
