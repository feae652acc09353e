"""Every figure of the parliament report against counts made in the test from its own lists, on SQLite
and PostgreSQL (the ``register`` fixture runs each test on both).

The counting is checked with threshold 1, where the protected copy is the register itself (no group has
fewer than one learner); what threshold 5 changes is checked at the end."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

import pytest

from microcred.bootstrap import Register
from microcred.domain import EmploymentStatus, OfferingKind, Outcome
from microcred.errors import Invalid
from microcred.services.reports import parliament_report, parliament_report_file
from microcred.stats import ParliamentReport, Table
from microcred.stats.render import render
from tests.databases import Content
from tests.stats.register_data import (
    EDITIONS,
    OFFERINGS,
    PROVIDERS,
    STATS_REGISTER,
    YEARS,
    E,
    Off,
    band,
    enrolments,
    in_default_scope,
)

# slow (seconds a test: credentials issued, a demo loaded, a report rendered or a process started):
# make test runs it, make test-fast leaves it out
pytestmark = pytest.mark.slow

K = 5
LABELS = [f"{y}-{(y + 1) % 100:02d}" for y in YEARS]


@pytest.fixture
def register_content() -> Content:
    """Every register of this module holds the statistics register (copied from a template)."""
    return STATS_REGISTER


@pytest.fixture
def report(register: Register) -> ParliamentReport:
    """The report counted exactly (threshold 1: the protected copy is the register itself)."""
    return parliament_report(register.uow, from_year="2020-21", to_year="2023-24", threshold=1)


@pytest.fixture
def protected(register: Register, report: ParliamentReport) -> ParliamentReport:
    assert register.settings.disclosure_threshold == K
    return parliament_report(
        register.uow, from_year="2020-21", to_year="2023-24", threshold=register.settings.disclosure_threshold
    )


def offered(year: int, keep: Callable[[Off], bool] = lambda o: True) -> list[Off]:
    codes = {code for code, y, _c, _n in EDITIONS if y == year}
    return [o for o in OFFERINGS if o.code in codes and in_default_scope(o) and keep(o)]


def scoped() -> list[E]:
    by_code = {o.code: o for o in OFFERINGS}
    return [e for e in enrolments() if in_default_scope(by_code[e.offering])]


def test_offer_per_year_counts_offerings_with_an_edition_starting_that_year(report: ParliamentReport) -> None:
    narrow = report.readings
    for year, label in zip(YEARS, LABELS, strict=True):
        assert narrow.figure("offerings_broad", label).value == len(offered(year))
        assert narrow.figure("offerings_narrow", label).value == len(
            offered(year, lambda o: o.kind is OfferingKind.MICRO_CREDENTIAL)
        )
        table = report.table("offer_by_provider_type")
        for kind in ("university", "university-college"):
            expected = len(offered(year, lambda o, kind=kind: PROVIDERS[o.provider].value == kind))
            assert _value(table, kind, label) == expected
        assert table.figure("total", label).value == len(offered(year))
        bands = report.table("offer_by_ects_band")
        for name in ("<3", "3-5", "6-10", "11-20", ">20"):
            expected = len(offered(year, lambda o, name=name: o.ects is not None and band(o.ects) == name))
            assert _value(bands, name, label) == expected
        kinds = report.table("offer_by_offer_kind")
        assert _value(kinds, "micro-credential-1", label) == len(offered(year, lambda o: o.code == "A1"))
        assert _value(kinds, "postgraduate", label) == len(offered(year, lambda o: o.kind is OfferingKind.POSTGRADUATE))
        fields = report.table("offer_by_field")
        assert _value(fields, "06", label) == len(offered(year, lambda o: o.field.startswith("06")))


def test_ects_total_median_and_the_full_list(report: ParliamentReport) -> None:
    for year, label in zip(YEARS, LABELS, strict=True):
        values = [o.ects for o in offered(year) if o.ects is not None]
        assert report.ects.figure("total_ects", label).value == sum(values)
        assert report.ects.figure("median_ects", label).value == Decimal(median(values))
    listed = {(line.provider, line.code): line.ects for line in report.offerings}
    assert listed == {(o.provider, o.code): o.ects for o in OFFERINGS if in_default_scope(o)}


def test_growth_index_and_compound_annual_growth(report: ParliamentReport) -> None:
    counts = [len(offered(y)) for y in YEARS]
    for count, label in zip(counts, LABELS, strict=True):
        expected = (Decimal(count) * 100 / counts[0]).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        assert report.growth.figure("offerings_index", label).value == expected
    rate = (Decimal(counts[-1]) / counts[0]) ** (Decimal(1) / 3) - 1
    assert report.growth.figure("offerings", "cagr").value == (rate * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    assert report.growth.figure("offerings_change", LABELS[1]).value == counts[1] - counts[0]


def working(e: E) -> str:
    if e.status in (EmploymentStatus.EMPLOYED, EmploymentStatus.SELF_EMPLOYED):
        return "working"
    if e.status is EmploymentStatus.UNKNOWN:
        return "unknown"
    return "not-working"


CLASSIFIERS: dict[str, Callable[[E], str]] = {
    "working": working,
    "employment_status": lambda e: e.status.value,
    "contract_type": lambda e: e.contract.value,
    "age_band": lambda e: e.age.value,
    "provider": lambda e: e.provider,
}


@pytest.mark.parametrize("dimension", sorted(CLASSIFIERS))
def test_learners_and_enrolments_by_dimension_match(report: ParliamentReport, dimension: str) -> None:
    classify = CLASSIFIERS[dimension]
    rows = scoped()
    learners, enrolled = report.table(f"learners_by_{dimension}"), report.table(f"enrolments_by_{dimension}")
    values = {classify(e) for e in rows}
    assert {row.key for row in learners.rows} == values
    for value in values:
        for year, label in (*zip(YEARS, LABELS, strict=True), (None, "total")):
            cell = [e for e in rows if classify(e) == value and (year is None or e.year == year)]
            _check(learners.figure(value, label), len({e.learner for e in cell}))
            assert enrolled.figure(value, label).value == len(cell)
    for year, label in zip(YEARS, LABELS, strict=True):
        _check(learners.figure("total", label), len({e.learner for e in rows if e.year == year}))


def test_enrolments_learners_and_completion_rate_per_year(report: ParliamentReport) -> None:
    rows = scoped()
    for year, label in zip(YEARS, LABELS, strict=True):
        cell = [e for e in rows if e.year == year]
        _check(report.enrolments.figure("learners", label), len({e.learner for e in cell}))
        assert report.enrolments.figure("enrolments", label).value == len(cell)
        decided = [e for e in cell if e.outcome in (Outcome.PASSED, Outcome.FAILED, Outcome.WITHDRAWN)]
        passed = sum(e.outcome is Outcome.PASSED for e in cell)
        expected = (Decimal(passed) * 100 / len(decided)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        assert report.enrolments.figure("completion_rate", label).value == expected
    assert report.enrolments.figure("learners", "total").value == len({e.learner for e in rows})


def test_popularity_fill_rate_and_coverage(report: ParliamentReport) -> None:
    by_code = {o.code: o for o in OFFERINGS}
    for year, label in zip(YEARS, LABELS, strict=True):
        editions = [ed for ed in EDITIONS if ed[1] == year and in_default_scope(by_code[ed[0]])]
        assert report.popularity.figure("editions", label).value == len(editions)
        with_capacity = [ed for ed in editions if ed[2] is not None]
        capacity = sum(ed[2] or 0 for ed in with_capacity)
        assert report.popularity.figure("capacity", label).value == capacity
        learners = {e.learner for e in scoped() if e.year == year and any(ed[0] == e.offering for ed in with_capacity)}
        fill = report.popularity.figure("fill_rate", label)
        if learners:
            expected = Decimal(sum(ed[3] for ed in with_capacity)) * 100 / capacity
            assert fill.value == expected.quantize(Decimal("0.1"), ROUND_HALF_UP)
        else:
            assert fill.value is None
    for slug in ("uni-a", "uni-b", "hs-c"):
        for year, label in zip(YEARS, LABELS, strict=True):
            expected = sum(
                1
                for ed in EDITIONS
                if ed[1] == year and by_code[ed[0]].provider == slug and in_default_scope(by_code[ed[0]])
            )
            assert report.coverage.figure(slug, label).value == expected
    assert "priv-d" not in {row.key for row in report.coverage.rows}


def test_every_format_renders_and_the_html_answers_the_three_questions(report: ParliamentReport) -> None:
    html = render(report, "html", "nl").decode()
    for heading in ("1. Aanbod aan microcredentials", "2. Ingeschreven studenten", "3. Populariteit en groei"):
        assert heading in html
    assert html.index("1. Aanbod") < html.index("2. Ingeschreven") < html.index("3. Populariteit")
    assert 'src="data:image/svg+xml;base64,' in html  # charts inside the file, nothing fetched
    for external in ("<script", "<link", 'src="http', 'href="http'):
        assert external not in html
    english = render(report, "html", "en").decode()
    assert "2. Enrolled learners, working or not working" in english
    pdf = render(report, "pdf", "nl")
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert render(report, "xlsx", "nl").startswith(b"PK")
    assert b"# learners_by_working" in render(report, "csv", "en")
    assert b'"threshold": 1' in render(report, "json", "en")
    with pytest.raises(Invalid):
        render(report, "docx", "nl")


def test_a_bad_year_range_is_refused(register: Register) -> None:
    with pytest.raises(Invalid):
        parliament_report(register.uow, from_year="2024-25", to_year="2020-21")
    with pytest.raises(Invalid):
        parliament_report(register.uow, from_year="2020", to_year="2020-21")


def _value(table: Table, row: str, column: str) -> int:
    keys = {r.key for r in table.rows}
    return int(table.figure(row, column).value or 0) if row in keys else 0


def _check(figure: object, expected: int) -> None:
    """A published learner count equals the true one (threshold 1)."""
    assert figure.value == expected  # type: ignore[attr-defined]


def _person_figures(report: ParliamentReport) -> list[tuple[str, str, str, object]]:
    found = []
    for table in report.tables():
        if not table.rounded:
            continue
        for row in (*table.rows, *((table.total,) if table.total else ())):
            for column, figure in zip(table.columns, row.figures, strict=True):
                found.append((table.name, row.key, column, figure.value))
    return found


def test_with_threshold_5_no_person_count_of_1_to_4_is_published_and_the_offer_stays_exact(
    report: ParliamentReport, protected: ParliamentReport
) -> None:
    counts = [
        (name, row, column, value)
        for name, row, column, value in _person_figures(protected)
        if (name.startswith(("learners_by", "enrolments_by")) or row.startswith(("learners", "enrolments")))
        and name != "popularity"
        and not row.endswith(("_change", "_change_percent", "_index"))
        and column != "cagr"
    ]
    assert counts
    assert [c for c in counts if not (isinstance(c[3], int) and (c[3] == 0 or c[3] >= K))] == []
    for name in ("offer_by_provider", "offer_by_field", "ects", "coverage"):
        assert protected.table(name) == report.table(name)
    assert protected.offerings == report.offerings
    assert protected.readings.row("offerings_broad") == report.readings.row("offerings_broad")


def test_with_threshold_5_every_table_adds_up(protected: ParliamentReport) -> None:
    for table in protected.enrolments_by:
        assert table.total is not None
        for index, column in enumerate(table.columns):
            column_sum = sum(int(row.figures[index].value or 0) for row in table.rows)
            assert column_sum == table.total.figures[index].value, (table.name, column)
        for row in (*table.rows, table.total):
            assert sum(int(f.value or 0) for f in row.figures[:-1]) == row.figures[-1].value, (table.name, row.key)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_pdf_has_the_same_sections_as_the_html(report: ParliamentReport, lang: str) -> None:
    import re

    headings = re.findall(r"<h2[^>]*>([^<]+)</h2>", render(report, "html", lang).decode())
    outline = re.findall(rb"/Title \(([^)]*)\)", render(report, "pdf", lang))
    assert len(headings) == 9  # summary, three answers, recognition, conclusions, definitions, coverage, protection
    assert [h.encode() for h in headings] == outline[: len(headings)]


def test_the_report_file_is_the_report_rendered(register: Register) -> None:
    """What the CLI, the API and the web UI publish: one use case, the report built and rendered."""
    report = parliament_report(register.uow, from_year="2020-21", to_year="2023-24", threshold=K)
    published = parliament_report_file(
        register.uow, fmt="json", lang="en", from_year="2020-21", to_year="2023-24", threshold=K
    )
    assert published == render(report, "json", "en")
    with pytest.raises(Invalid):
        parliament_report_file(register.uow, fmt="docx", from_year="2020-21", to_year="2023-24")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_file_says_under_each_table_of_persons_that_it_is_rounded(protected: ParliamentReport, lang: str) -> None:
    import io
    import json

    from openpyxl import load_workbook

    note = {"nl": "Aantallen personen afgerond", "en": "Counts of persons rounded"}[lang]
    rounded = [t for t in protected.tables() if t.rounded]
    assert {t.name for t in rounded} >= {"readings", "enrolments", "learners_by_working", "top_offerings", "growth"}
    assert not protected.table("offer_by_provider").rounded
    html = render(protected, "html", lang).decode()
    for part in html.split("<table")[1:]:
        name = part.split('id="', 1)[1].split('"', 1)[0]
        assert (note in part) == (name in {t.name for t in rounded}), name
    csv = render(protected, "csv", lang).decode()
    assert csv.count(note) == len(rounded)
    book = load_workbook(io.BytesIO(render(protected, "xlsx", lang)))
    for table in rounded:
        assert note in str(book[table.name[:31]].cell(book[table.name[:31]].max_row, 1).value)
    data = json.loads(render(protected, "json", lang))
    assert data["protection"]["k"] == K
    assert "5" in data["protection"]["note"]["nl"]
