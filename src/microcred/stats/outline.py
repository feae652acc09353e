"""The report's content in reading order, shared by every format so the HTML and the PDF say the same."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from microcred.stats.labels import column_label, fact_text, label, number, table_title, text
from microcred.stats.model import Figure, ParliamentReport, Table, year_label

__all__ = ["Block", "Section", "offering_rows", "outline", "table_cells"]


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # "p", "table", "chart" or "offerings"
    text: str = ""
    table: Table | None = None


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]


def outline(report: ParliamentReport, lang: str) -> list[Section]:
    """Summary, the three answers in order, then definitions, coverage and the protection of persons."""
    summary = tuple(Block("p", fact_text(fact, lang, report)) for fact in report.summary)
    q1 = (
        Block("table", table=report.readings),
        Block("chart", "chart_offer"),
        *_tables(report.offer[:1]),
        Block("table", table=report.table("offer_by_offer_kind")),
        Block("table", table=report.ects),
        Block("chart", "chart_ects"),
        *_tables(t for t in report.offer if t.name not in ("offer_by_provider_type", "offer_by_offer_kind")),
        Block("table", table=report.growth),
        Block("p", text("offerings_list", lang)),
        Block("offerings"),
    )
    q2 = (
        Block("table", table=report.enrolments),
        Block("chart", "chart_working"),
        *_tables(report.learners_by),
        *_tables(report.enrolments_by[:1]),
    )
    q3 = (
        Block("chart", "chart_growth"),
        Block("table", table=report.popularity),
        Block("table", table=report.top_offerings),
        Block("table", table=report.fastest_growing),
        *_tables(t for t in report.learners_by if t.name == "learners_by_field"),
    )
    definitions = tuple(
        Block("p", text(key, lang))
        for key in ("def_offer", "def_narrow", "def_broad", "def_ects", "def_learners", "def_working", "def_growth")
    )
    return [
        Section(text("summary", lang), summary),
        Section(text("q1", lang), q1),
        Section(text("q2", lang), q2),
        Section(text("q3", lang), q3),
        Section(text("definitions", lang), definitions),
        Section(
            text("coverage", lang), (Block("p", text("coverage_note", lang)), Block("table", table=report.coverage))
        ),
        Section(text("disclosure", lang), (Block("p", text("disclosure_rule", lang, k=report.threshold)),)),
    ]


def _tables(tables: Iterable[Table]) -> tuple[Block, ...]:
    return tuple(Block("table", table=t) for t in tables)


def table_cells(table: Table, lang: str, report: ParliamentReport) -> tuple[str, list[str], list[list[str]]]:
    """A table as text: its title, the header row and the body."""
    header = ["", *(column_label(c, lang) for c in table.columns)]
    body = [
        [label(table.dimension, row.key, lang, report), *(_cell(f, lang) for f in row.figures)] for row in table.rows
    ]
    if table.total is not None:
        body.append([text("total", lang), *(_cell(f, lang) for f in table.total.figures)])
    return table_title(table.name, lang), header, body


def _cell(figure: Figure, lang: str) -> str:
    return number(figure.value, lang)


def offering_rows(report: ParliamentReport, lang: str) -> tuple[list[str], list[list[str]]]:
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
            number(line.ects, lang),
            line.eqf,
            label("field", line.field, lang, report),
            _years(line.first_year, line.last_year),
            number(line.editions, lang),
        ]
        for line in report.offerings
    ]
    return header, rows


def _years(first: int, last: int) -> str:
    return year_label(first) if first == last else f"{year_label(first)} – {year_label(last)}"
