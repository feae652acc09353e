"""The report's four charts, drawn offline with matplotlib as SVG (for HTML) or PNG (for the PDF)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING

from microcred.stats.labels import label, text
from microcred.stats.model import ParliamentReport

if TYPE_CHECKING:
    from matplotlib.figure import Figure as Canvas

__all__ = ["CHARTS", "render_chart"]


def _offer(report: ParliamentReport, lang: str, canvas: Canvas) -> None:
    axes = canvas.subplots()
    table = report.table("offer_by_provider_type")
    x = list(range(len(table.columns)))
    bottom = [0] * len(x)
    for row in table.rows:
        values = [int(f.value or 0) for f in row.figures]
        axes.bar(x, values, bottom=bottom, label=label("provider_type", row.key, lang, report))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_xticks(x, table.columns)
    axes.legend(fontsize=8)


def _ects(report: ParliamentReport, lang: str, canvas: Canvas) -> None:
    axes = canvas.subplots()
    table = report.table("offer_by_ects_band")
    axes.bar([row.key for row in table.rows], [int(row.figures[-1].value or 0) for row in table.rows])
    axes.set_xlabel(text("ects_col", lang) + f" ({table.columns[-1]})")


def _working(report: ParliamentReport, lang: str, canvas: Canvas) -> None:
    axes = canvas.subplots()
    table = report.table("learners_by_working")
    years = table.columns[:-1]
    x = list(range(len(years)))
    width = 0.8 / max(len(table.rows), 1)
    for index, row in enumerate(table.rows):
        values = [int(f.value or 0) for f in row.figures[:-1]]
        axes.bar([v + index * width for v in x], values, width, label=label("working", row.key, lang, report))
    axes.set_xticks([v + 0.4 - width / 2 for v in x], years)
    axes.legend(fontsize=8)


def _growth(report: ParliamentReport, lang: str, canvas: Canvas) -> None:
    axes = canvas.subplots()
    table = report.growth
    years = table.columns[:-1]
    for measure in ("offerings", "learners", "enrolments"):
        values = [f.value for f in table.row(f"{measure}_index").figures[:-1]]
        axes.plot(
            years,
            [float(v) if v is not None else float("nan") for v in values],
            marker="o",
            label=label("measure", measure, lang, report),
        )
    axes.axhline(100, color="grey", linewidth=0.5)
    axes.legend(fontsize=8)


CHARTS: dict[str, Callable[[ParliamentReport, str, Canvas], None]] = {
    "chart_offer": _offer,
    "chart_ects": _ects,
    "chart_working": _working,
    "chart_growth": _growth,
}


def render_chart(name: str, report: ParliamentReport, lang: str, *, fmt: str = "svg") -> bytes:
    """One chart as SVG or PNG bytes, with no timestamps so the output is reproducible.

    matplotlib is imported here, not at the top: it costs about a second to import, and every command,
    page and test that draws no chart would pay for it."""
    import matplotlib as mpl
    from matplotlib.figure import Figure as Canvas

    canvas = Canvas(figsize=(7, 3.2), dpi=100)
    CHARTS[name](report, lang, canvas)
    canvas.suptitle(text(name, lang), fontsize=10)
    canvas.tight_layout()
    buffer = io.BytesIO()
    with mpl.rc_context({"svg.hashsalt": "microcred", "svg.fonttype": "none"}):
        canvas.savefig(buffer, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    return buffer.getvalue()
