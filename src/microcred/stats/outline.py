"""The report's content in reading order, shared by every format so the HTML and the PDF say the same."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from microcred.stats.labels import column_label, fact_text, label, number, table_title, text
from microcred.stats.model import Cell, Figure, ParliamentReport, Table, year_label

__all__ = ["Block", "Section", "column_heading", "offering_rows", "outline", "plain", "table_cells"]


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # "p", "table", "chart", "offerings", "figures" (key figures) or "list" (sentences)
    text: str = ""
    table: Table | None = None
    items: tuple[tuple[str, str], ...] = ()  # key figures: (label, value); sentences: (sentence, "")


@dataclass(frozen=True, slots=True)
class Section:
    """A part of the report: what it leads with (``blocks``) and the full tables behind it (``details``)."""

    heading: str
    blocks: tuple[Block, ...]
    details: tuple[Block, ...] = ()
    name: str = ""


# Key figures each answer leads with: (label key, table, row, column); a column of None is the last
# complete year.
_KEY_FIGURES: dict[str, tuple[tuple[str, str, str, str | None], ...]] = {
    "q1": (
        ("key_offerings", "growth", "offerings", None),
        ("key_offerings_narrow", "readings", "offerings_narrow", None),
        ("key_offer_cagr", "growth", "offerings", "cagr"),
    ),
    "q2": (
        ("key_learners", "enrolments", "learners", None),
        ("key_enrolments", "enrolments", "enrolments", None),
        ("key_working_share", "enrolments", "working_share", None),
    ),
    "q3": (
        ("key_fill_rate", "popularity", "fill_rate", None),
        ("key_per_edition", "popularity", "enrolments_per_edition", None),
        ("key_learners_cagr", "growth", "learners", "cagr"),
    ),
    "recognition": (
        ("key_recognitions", "recognitions_by_provider", "total", None),
        ("key_recognised_ects", "recognised_ects_by_provider", "total", None),
    ),
}


def outline(report: ParliamentReport, lang: str) -> list[Section]:
    """Summary, the three answers (each leading with key figures and one chart, its tables behind), the
    conclusions, then definitions, coverage and the protection of persons."""
    summary = tuple(Block("p", fact_text(fact, lang, report)) for fact in report.summary)
    q1 = (
        Block("table", table=report.readings),
        *_tables(report.offer[:1]),
        Block("table", table=report.table("offer_by_offer_kind")),
        Block("table", table=report.ects),
        Block("chart", "chart_ects"),
        *_tables(t for t in report.offer if t.name not in ("offer_by_provider_type", "offer_by_offer_kind")),
        Block("table", table=report.growth),
        Block("p", text("offerings_list", lang)),
        Block("offerings"),
    )
    q2 = (Block("table", table=report.enrolments), *_tables(report.learners_by), *_tables(report.enrolments_by[:1]))
    q3 = (
        Block("table", table=report.popularity),
        Block("table", table=report.top_offerings),
        Block("table", table=report.fastest_growing),
    )
    conclusions = tuple((fact_text(fact, lang, report), "") for fact in report.conclusions)
    definitions = tuple(
        Block("p", text(key, lang))
        for key in (
            "def_offer",
            "def_narrow",
            "def_broad",
            "def_ects",
            "def_learners",
            "def_working",
            "def_working_share",
            "def_growth",
            "def_recognition",
        )
    )
    return [
        Section(text("summary", lang), (*_years_note(report, lang), *summary), name="summary"),
        Section(text("q1", lang), (*_key_figures(report, "q1", lang), Block("chart", "chart_offer")), q1, "q1"),
        Section(text("q2", lang), (*_key_figures(report, "q2", lang), Block("chart", "chart_working")), q2, "q2"),
        Section(text("q3", lang), (*_key_figures(report, "q3", lang), Block("chart", "chart_growth")), q3, "q3"),
        Section(
            text("recognition", lang),
            (*_key_figures(report, "recognition", lang), Block("p", text("recognition_intro", lang))),
            _tables(report.recognition),
            "recognition",
        ),
        Section(text("conclusions", lang), (Block("list", items=conclusions),), name="conclusions"),
        Section(text("definitions", lang), definitions, name="definitions"),
        Section(
            text("coverage", lang),
            (Block("p", text("coverage_note", lang)),),
            (Block("table", table=report.coverage),),
            "coverage",
        ),
        Section(
            text("disclosure", lang),
            (Block("p", text("disclosure_rule", lang, k=report.threshold)),),
            name="disclosure",
        ),
    ]


def _key_figures(report: ParliamentReport, question: str, lang: str) -> tuple[Block, ...]:
    """The answer's key figures, each a published cell of the last complete year (none without one)."""
    if not report.complete_years:
        return ()
    first, year = report.complete_years[0], report.complete_years[-1]
    shown = []
    for key, table, row, column in _KEY_FIGURES[question]:
        value = report.value(Cell(table, row, column or year))
        if value is not None:
            shown.append((text(key, lang, year=year, first=first), number(value, lang)))
    return (Block("figures", items=tuple(shown)),) if shown else ()


def _years_note(report: ParliamentReport, lang: str) -> tuple[Block, ...]:
    """Which years of the range have no data or are in progress, and that growth leaves them out."""
    notes = []
    if report.empty_years:
        notes.append(Block("p", text("years_without_data", lang, years=", ".join(report.empty_years))))
    for year in report.incomplete_years:
        notes.append(Block("p", text("year_incomplete", lang, year=year)))
    return tuple(notes)


def _tables(tables: Iterable[Table]) -> tuple[Block, ...]:
    return tuple(Block("table", table=t) for t in tables)


def table_cells(
    table: Table, lang: str, report: ParliamentReport, *, machine: bool = False
) -> tuple[str, list[str], list[list[str]]]:
    """A table as text: its title, the header row and the body. People read locale numbers and marked years
    (``1.262``, ``2026-27 (lopend)``); machine formats (CSV, XLSX) get plain ones (``1262``, ``12.5``)."""
    header = ["", *(c if machine else column_heading(c, lang, report) for c in table.columns)]

    def cells(figures: Iterable[Figure]) -> list[str]:
        return [plain(f.value) if machine else number(f.value, lang) for f in figures]

    body = [[label(table.dimension, row.key, lang, report), *cells(row.figures)] for row in table.rows]
    if table.total is not None:
        body.append([text("total", lang), *cells(table.total.figures)])
    return table_title(table.name, lang), header, body


def plain(value: object) -> str:
    """A number the way software reads it: no thousands separator, a decimal point (``1262``, ``12.5``)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize() if value == value.to_integral_value() else value, "f")
    return str(value)


def column_heading(code: str, lang: str, report: ParliamentReport) -> str:
    """A column's heading for people: a year without data or in progress says so."""
    if code in report.empty_years:
        return text("year_without_data", lang, year=code)
    if code in report.incomplete_years:
        return text("year_in_progress", lang, year=code)
    return column_label(code, lang)


def offering_rows(report: ParliamentReport, lang: str, *, machine: bool = False) -> tuple[list[str], list[list[str]]]:
    """The full list of offerings; numbers as in ``table_cells``."""

    def shown(value: object) -> str:
        return plain(value) if machine else number(value, lang)

    header = [
        text(k, lang)
        for k in (
            "provider",
            "code",
            "offering",
            "kind",
            "ects_col",
            "eqf_col",
            "field_col",
            "years_col",
            "editions_col",
        )
    ]
    rows = [
        [
            label("provider", line.provider, lang, report),
            line.code,
            line.title.get(lang, line.code),
            label("offer_kind", line.offer_kind, lang, report),
            shown(line.ects),
            line.eqf,
            label("field", line.field, lang, report),
            _years(line.first_year, line.last_year),
            shown(line.editions),
        ]
        for line in report.offerings
    ]
    return header, rows


def _years(first: int, last: int) -> str:
    return year_label(first) if first == last else f"{year_label(first)} – {year_label(last)}"
