"""The report's formats: machine formats get plain numbers, human formats locale ones; each answer leads with
key figures and one chart, its tables behind; every table once; charts with whole-number axes and ✱."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from microcred.domain import ProviderType
from microcred.stats import ParliamentReport, Scope, build_report, take_snapshot
from microcred.stats.charts import render_chart
from microcred.stats.model import Figure, Row, Table
from microcred.stats.outline import table_cells
from microcred.stats.render import render
from tests.stats.register_data import facts

# slow (seconds a test: credentials issued, a demo loaded, a report rendered or a process started):
# make test runs it, make test-fast leaves it out
pytestmark = pytest.mark.slow

HIGHER_EDUCATION = tuple(t.value for t in ProviderType if t.is_higher_education)


@pytest.fixture(scope="module", params=[1, 5], ids=["exact", "protected"])
def report(request: pytest.FixtureRequest) -> ParliamentReport:
    source = facts()
    snapshot = take_snapshot(source)
    try:
        return build_report(snapshot, Scope(2020, 2023, HIGHER_EDUCATION), k=request.param, secret=b"s")
    finally:
        snapshot.close()


def test_a_table_is_plain_for_software_and_in_the_language_s_style_for_people(report: ParliamentReport) -> None:
    table = Table(
        "learners_by_field", "field", ("2020-21", "total"), (Row("06", (Figure(1262), Figure(Decimal("12.5")))),)
    )
    assert table_cells(table, "nl", report, machine=True)[2][0][1:] == ["1262", "12.5"]
    assert table_cells(table, "nl", report)[2][0][1:] == ["1.262", "12,5"]
    assert table_cells(table, "en", report)[2][0][1:] == ["1,262", "12.5"]


def _published(table: Table) -> list[list[object]]:
    return [[f.value for f in row.figures] for row in (*table.rows, *((table.total,) if table.total else ()))]


def test_the_dutch_csv_and_xlsx_hold_the_published_numbers_as_numbers(report: ParliamentReport) -> None:
    lines = list(csv.reader(io.StringIO(render(report, "csv", "nl").decode())))
    starts = {line[0][2:]: i for i, line in enumerate(lines) if line and line[0].startswith("# ")}
    book = load_workbook(io.BytesIO(render(report, "xlsx", "nl")))
    for table in report.tables():
        expected = _published(table)
        body = lines[starts[table.name] + 2 : starts[table.name] + 2 + len(expected)]
        assert [[Decimal(c) if c else None for c in line[1:]] for line in body] == [
            [None if v is None else Decimal(str(v)) for v in row] for row in expected
        ], table.name
        sheet = book[table.name[:31]]
        cells = [[c.value for c in row[1:]] for row in sheet.iter_rows(min_row=3, max_row=2 + len(expected))]
        assert cells == [[None if v is None else float(v) for v in row] for row in expected], table.name


def test_each_answer_leads_with_key_figures_and_one_chart_and_keeps_its_tables_behind(report: ParliamentReport) -> None:
    html = render(report, "html", "en").decode()
    for question in ("q1", "q2", "q3"):
        section = html.split(f'<section id="{question}"', 1)[1].split("</section>", 1)[0]
        lead, _, behind = section.partition("<details>")
        assert '<dl class="key-figures">' in lead, question
        assert lead.count("<img ") == 1, question
        assert "<table" not in lead, question
        assert "<table" in behind, question
        assert "<summary>All tables for this question</summary>" in behind, question


def test_every_table_appears_once(report: ParliamentReport) -> None:
    html = render(report, "html", "en").decode()
    ids = re.findall(r'<table id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert ids.count("learners_by_field") == 1
    assert html.count("<caption>Learners by field (ISCED-F)</caption>") == 1


def _texts(svg: bytes) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg.decode())


def test_charts_of_counts_have_whole_number_axes(report: ParliamentReport) -> None:
    for name in ("chart_offer", "chart_ects", "chart_working"):
        ticks = [t for t in _texts(render_chart(name, report, "en")) if re.fullmatch(r"[\d.,−-]+", t)]
        assert ticks, name
        assert not [t for t in ticks if "." in t and not re.fullmatch(r"\d{4}-\d\d", t)], (name, ticks)


def test_a_protected_count_is_drawn_as_a_star_with_a_note_never_as_a_bar_of_0(report: ParliamentReport) -> None:
    table = report.table("learners_by_working")
    zeros = [
        (row.key, c)
        for row in table.rows
        for c, f in zip(table.columns[:-1], row.figures, strict=False)
        if f.value == 0
    ]
    texts = "".join(_texts(render_chart("chart_working", report, "en")))
    assert ("✱" in texts) == bool(zeros)
    assert ("fewer than" in texts) == bool(zeros)
