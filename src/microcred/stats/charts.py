"""The report's four charts, drawn offline with matplotlib as SVG (for HTML) or PNG (for the PDF).

Counts have whole-number axes; a count of persons published as 0 (fewer than k, or none: the protected
copy rounds small groups to 0 or k) is drawn as ✱ with a note under the chart, never as a bar of 0."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from microcred.stats.labels import label, text
from microcred.stats.model import ParliamentReport
from microcred.stats.outline import column_heading as _column

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as Canvas

__all__ = ["CHARTS", "render_chart"]


_STAR = "\u2731"  # ✱: a count of persons published as 0, i.e. fewer than k or none


def _ticks(report: ParliamentReport, columns: Sequence[str], lang: str) -> list[str]:
    """Year labels, with "(no data)" or "(in progress)" on a second line where it applies."""
    return [_column(c, lang, report).replace(" (", "\n(", 1) for c in columns]


def _counts(axes: Axes) -> None:
    """Counts are whole numbers: no 0.5 offering on the axis."""
    from matplotlib.ticker import MaxNLocator

    axes.yaxis.set_major_locator(MaxNLocator(integer=True))


def _offer(report: ParliamentReport, lang: str, canvas: Canvas) -> bool:
    axes = canvas.subplots()
    table = report.table("offer_by_provider_type")
    x = list(range(len(table.columns)))
    bottom = [0] * len(x)
    for row in table.rows:
        values = [int(f.value or 0) for f in row.figures]
        axes.bar(x, values, bottom=bottom, label=label("provider_type", row.key, lang, report))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_xticks(x, _ticks(report, table.columns, lang), fontsize=8)
    _counts(axes)
    if table.rows:
        axes.legend(fontsize=8)
    return False


def _ects(report: ParliamentReport, lang: str, canvas: Canvas) -> bool:
    axes = canvas.subplots()
    table = report.table("offer_by_ects_band")
    year = (report.complete_years or table.columns)[-1]
    axes.bar([row.key for row in table.rows], [int(table.figure(row.key, year).value or 0) for row in table.rows])
    axes.set_xlabel(text("ects_col", lang) + f" ({year})")
    _counts(axes)
    return False


def _working(report: ParliamentReport, lang: str, canvas: Canvas) -> bool:
    """Learners by working status: a protected cell (published 0) is a ✱, never a bar of 0."""
    axes = canvas.subplots()
    table = report.table("learners_by_working")
    years = table.columns[:-1]
    x = list(range(len(years)))
    width = 0.8 / max(len(table.rows), 1)
    starred = False
    for index, row in enumerate(table.rows):
        positions = [v + index * width for v in x]
        values = [int(f.value or 0) for f in row.figures[:-1]]
        axes.bar(positions, values, width, label=label("working", row.key, lang, report))
        for position, value, year in zip(positions, values, years, strict=True):
            if value == 0 and year not in report.empty_years:
                axes.annotate(_STAR, (position, 0), ha="center", va="bottom", fontsize=10)
                starred = True
    axes.set_xticks([v + 0.4 - width / 2 for v in x], _ticks(report, years, lang), fontsize=8)
    _counts(axes)
    if table.rows:
        axes.legend(fontsize=8)
    return starred


def _growth(report: ParliamentReport, lang: str, canvas: Canvas) -> bool:
    """The index of offerings, learners and enrolments over the complete years; an index over a protected
    count of 0 is a ✱, never a point at 0."""
    axes = canvas.subplots()
    table = report.growth
    years = table.columns[:-1]
    x = list(range(len(years)))
    starred = False
    for measure in ("offerings", "learners", "enrolments"):
        values = [f.value for f in table.row(f"{measure}_index").figures[:-1]]
        line = [float(v) if v else float("nan") for v in values]
        axes.plot(x, line, marker="o", label=label("measure", measure, lang, report))
        for position, value in zip(x, values, strict=True):
            if value == 0:
                axes.annotate(_STAR, (position, 0), ha="center", va="bottom", fontsize=10)
                starred = True
    axes.set_xticks(x, _ticks(report, years, lang), fontsize=8)
    axes.axhline(100, color="grey", linewidth=0.5)
    axes.legend(fontsize=8)
    return starred


CHARTS: dict[str, Callable[[ParliamentReport, str, Canvas], bool]] = {
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

    canvas = Canvas(figsize=(7, 3.4), dpi=100)
    starred = CHARTS[name](report, lang, canvas)
    canvas.suptitle(text(name, lang), fontsize=10)
    if starred:
        canvas.text(0.01, 0.01, text("protected_mark", lang, k=report.threshold), fontsize=7)
    canvas.tight_layout(rect=(0, 0.05 if starred else 0, 1, 1))
    buffer = io.BytesIO()
    with mpl.rc_context({"svg.hashsalt": "microcred", "svg.fonttype": "none"}):
        canvas.savefig(buffer, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    return buffer.getvalue()
