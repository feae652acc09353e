"""The report in each published format: HTML (charts inline as SVG), PDF, XLSX, CSV and JSON."""

from __future__ import annotations

import base64
import csv
import io
import json
from dataclasses import asdict
from decimal import Decimal
from functools import cache

import jinja2

from microcred.errors import Invalid
from microcred.stats.charts import CHARTS, render_chart
from microcred.stats.labels import LANGUAGES, counting_text, text
from microcred.stats.model import ParliamentReport, year_label
from microcred.stats.outline import offering_rows, outline, table_cells

__all__ = ["FORMATS", "render"]

FORMATS = ("html", "pdf", "xlsx", "csv", "json")


def render(report: ParliamentReport, fmt: str, lang: str = "nl") -> bytes:
    """The report as ``fmt`` in ``lang`` (nl or en)."""
    if lang not in LANGUAGES:
        raise Invalid.field("lang", "one-of", lang, allowed=", ".join(LANGUAGES))
    if fmt == "html":
        return to_html(report, lang).encode()
    if fmt == "pdf":
        from microcred.stats.pdf import to_pdf

        return to_pdf(report, lang)
    if fmt == "xlsx":
        return to_xlsx(report, lang)
    if fmt == "csv":
        return to_csv(report, lang).encode()
    if fmt == "json":
        return to_json(report).encode()
    raise Invalid.field("format", "one-of", fmt, allowed=", ".join(FORMATS))


def scope_text(report: ParliamentReport, lang: str) -> str:
    first, last = year_label(report.scope.from_year), year_label(report.scope.to_year)
    return text("subtitle", lang, first=first, last=last)


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("microcred.stats", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def to_html(report: ParliamentReport, lang: str) -> str:
    """A self-contained HTML page: no scripts, styles in the head, charts as SVG images in ``data:`` URLs
    (an SVG image keeps its own styles under the site's Content-Security-Policy; inline SVG would not)."""
    charts = {
        name: "data:image/svg+xml;base64," + base64.b64encode(render_chart(name, report, lang)).decode()
        for name in CHARTS
    }
    return (
        _environment()
        .get_template("parliament.html.j2")
        .render(
            lang=lang,
            report=report,
            title=text("title", lang),
            subtitle=scope_text(report, lang),
            sections=outline(report, lang),
            charts=charts,
            chart_text=lambda name: text(name, lang),
            chart_alt=lambda name: text(name.replace("chart_", "chart_alt_"), lang),
            all_tables=text("all_tables", lang),
            table_cells=table_cells,
            offering_rows=offering_rows,
            rounded_note=text("rounded_note", lang, k=report.threshold),
        )
    )


def to_csv(report: ParliamentReport, lang: str) -> str:
    """Every table one after the other, each headed by its name and title (``table``, ``row``, columns…)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for table in report.tables():
        title, header, body = table_cells(table, lang, report, machine=True)
        writer.writerow([f"# {table.name}", title])
        writer.writerow(header)
        writer.writerows(body)
        if table.rounded:
            writer.writerow(["# learners", counting_text(report, lang)])
            writer.writerow(["# note", text("rounded_note", lang, k=report.threshold)])
        writer.writerow([])
    header, rows = offering_rows(report, lang, machine=True)
    writer.writerow(["# offerings", text("offerings_list", lang)])
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def to_xlsx(report: ParliamentReport, lang: str) -> bytes:
    """One sheet per table plus the offerings list; tables counting persons end with the rounding note."""
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    if summary is None:  # pragma: no cover - a new workbook always has a sheet
        raise AssertionError("workbook without a sheet")
    summary.title = "summary"
    summary.append([text("title", lang)])
    summary.append([scope_text(report, lang)])
    for section in outline(report, lang):
        if section.name in ("summary", "conclusions", "definitions", "disclosure"):
            summary.append([])
            summary.append([section.heading])
            for block in section.blocks:
                for line in (block.text,) if block.kind == "p" else (item for item, _ in block.items):
                    summary.append([line])
    for table in report.tables():
        sheet = book.create_sheet(table.name[:31])
        title, header, body = table_cells(table, lang, report, machine=True)
        sheet.append([title])
        sheet.append(header)
        for row in body:
            sheet.append([row[0], *(_number(cell) for cell in row[1:])])
        if table.rounded:
            sheet.append([counting_text(report, lang)])
            sheet.append([text("rounded_note", lang, k=report.threshold)])
    sheet = book.create_sheet("offerings")
    header, rows = offering_rows(report, lang, machine=True)
    sheet.append(header)
    for row in rows:
        sheet.append([*row[:4], _number(row[4]), *row[5:8], _number(row[8])])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _number(cell: str) -> int | float | None:
    """A plain number (``table_cells(machine=True)``) as a spreadsheet number; an empty cell stays empty."""
    if not cell:
        return None
    return float(cell) if "." in cell else int(cell)


def to_json(report: ParliamentReport) -> str:
    """The report's data (codes, not labels) as JSON, with the rounding note in both languages."""
    data = asdict(report)
    data["protection"] = {
        "method": "rounded-copy",
        "k": report.threshold,
        "note": {lang: text("disclosure_rule", lang, k=report.threshold) for lang in LANGUAGES},
    }
    share = report.enrolments.row("counted_across_providers").figures[-1].value
    data["learner_counting"] = {
        "counted_across_providers_percent": share,
        "note": {lang: counting_text(report, lang) for lang in LANGUAGES},
    }
    return json.dumps(data, default=_json_default, ensure_ascii=False, indent=1)


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
