"""Question 3's conclusions: every number traced to the published cell it was read from, and the statements
checked against counts made here from the test register's own lists (``register_data``), not by the report."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import ROUND_HALF_UP, Decimal

import pytest

from microcred.domain import EmploymentStatus, ProviderType
from microcred.stats import ParliamentReport, Scope, build_report, take_snapshot
from microcred.stats.labels import fact_text, number
from microcred.stats.model import Fact
from microcred.stats.render import render
from tests.stats.register_data import EDITIONS, OFFERINGS, YEARS, E, Off, enrolments, facts, in_default_scope

# slow (seconds a test: credentials issued, a demo loaded, a report rendered or a process started):
# make test runs it, make test-fast leaves it out
pytestmark = pytest.mark.slow

HIGHER_EDUCATION = tuple(t.value for t in ProviderType if t.is_higher_education)
LABELS = {y: f"{y}-{(y + 1) % 100:02d}" for y in range(2018, 2030)}


def report_of(scope: Scope, *, k: int, in_progress: int | None = None) -> ParliamentReport:
    source = facts()
    snapshot = take_snapshot(source)
    try:
        return build_report(snapshot, scope, k=k, secret=source.rounding_secret(), in_progress=in_progress)
    finally:
        snapshot.close()


@pytest.fixture(scope="module", params=[1, 5], ids=["exact", "protected"])
def report(request: pytest.FixtureRequest) -> ParliamentReport:
    return report_of(Scope(2020, 2023, HIGHER_EDUCATION), k=request.param)


def numbers(fact: Fact) -> Iterator[tuple[str, object]]:
    for name, value in fact.values.items():
        if isinstance(value, int | float | Decimal):
            yield name, value


def test_every_number_of_a_conclusion_is_the_published_cell_it_names(report: ParliamentReport) -> None:
    assert len(report.conclusions) >= 8
    for fact in report.conclusions:
        for name, value in numbers(fact):
            assert name in fact.cells, f"{fact.key}.{name} = {value} is not traced to a cell"
            cell = fact.cells[name]
            assert report.value(cell) == value, (fact.key, name, cell)
            if report.table(cell.table).rounded or cell.table.startswith(("learners", "enrolments")):
                assert report.table(cell.table).rounded  # persons only ever from the protected tables
        for name, cell in fact.cells.items():
            shown = fact.values[name.split(".")[0]]
            if isinstance(shown, str):  # a year read off the cell's column
                assert cell.column in shown, (fact.key, name, cell)
        for lang in ("nl", "en"):
            sentence = fact_text(fact, lang, report)
            assert "{" not in sentence
            for _name, value in numbers(fact):
                assert number(value, lang) in sentence, (fact.key, sentence)


def test_the_conclusions_answer_question_3_in_dutch_and_english(report: ParliamentReport) -> None:
    keys = {fact.key for fact in report.conclusions}
    assert {"offerings_growth", "learners_growth", "fill_rate", "popular_1", "working_share"} <= keys
    assert keys & {"new_field", "new_field_learners"}
    assert "register_limit" in keys
    for lang, heading in (("nl", "Conclusies: wat de cijfers zeggen"), ("en", "Conclusions: what the figures say")):
        html = render(report, "html", lang).decode()
        section = html.split('<section id="conclusions"', 1)[1].split("</section>", 1)[0]
        assert heading in section
        assert section.count("<li>") == len(report.conclusions)


def offered(year: int, keep: Callable[[Off], bool]) -> int:
    codes = {code for code, y, _c, _n in EDITIONS if y == year}
    return sum(1 for o in OFFERINGS if o.code in codes and keep(o))


def course_units(o: Off) -> bool:
    return in_default_scope(o) and o.kind.value == "course-units"


def test_the_years_the_offer_fell_are_named_with_the_fall() -> None:
    report = report_of(Scope(2020, 2023, HIGHER_EDUCATION, kinds=("course-units",)), k=1)
    counts = {y: offered(y, course_units) for y in YEARS}
    expected = {LABELS[y]: counts[y] - counts[y - 1] for y in YEARS[1:] if counts[y] < counts[y - 1]}
    assert expected  # course units ran in 2021-22 and 2023-24 only: a fall to 0 in 2022-23
    fell = {str(f.values["year"]): f.values["change"] for f in report.conclusions if f.key == "offerings_fell"}
    assert fell == expected
    assert "offerings_never_fell" not in {f.key for f in report.conclusions}


def test_learners_that_never_fell_say_so_and_the_falls_are_counted_independently() -> None:
    report = report_of(Scope(2020, 2023, HIGHER_EDUCATION), k=1)
    by_code = {o.code: o for o in OFFERINGS}
    per_year = {y: len({e.learner for e in enrolments() if e.year == y and in_default_scope(by_code[e.offering])})
                for y in YEARS}  # fmt: skip
    falls = {LABELS[y] for y in YEARS[1:] if per_year[y] < per_year[y - 1]}
    found = {str(f.values["year"]) for f in report.conclusions if f.key == "learners_fell"}
    assert found == falls
    assert ("learners_never_fell" in {f.key for f in report.conclusions}) == (not falls)


def test_a_field_that_started_from_zero_is_new_since_its_first_year() -> None:
    report = report_of(Scope(2020, 2023, HIGHER_EDUCATION), k=1)
    first_year: dict[str, int] = {}
    for code, year, _c, _n in EDITIONS:
        offering = next(o for o in OFFERINGS if o.code == code)
        if in_default_scope(offering):
            field = offering.field[:2]
            first_year[field] = min(year, first_year.get(field, year))
    expected = {field: LABELS[year] for field, year in first_year.items() if year > YEARS[0]}
    assert expected  # 02 (offering B1) starts in 2022-23
    new = {str(f.values["field"]): f.values["since"] for f in report.conclusions if f.key.startswith("new_field")}
    assert new == expected
    sentence = next(fact_text(f, "en", report) for f in report.conclusions if f.key.startswith("new_field"))
    assert sentence.startswith("New since 2022-23: 02 ")


def working(e: E) -> str:
    if e.status in (EmploymentStatus.EMPLOYED, EmploymentStatus.SELF_EMPLOYED):
        return "working"
    return "unknown" if e.status is EmploymentStatus.UNKNOWN else "not-working"


def test_the_working_share_is_working_learners_over_those_with_a_known_status() -> None:
    report = report_of(Scope(2020, 2023, HIGHER_EDUCATION), k=1)
    by_code = {o.code: o for o in OFFERINGS}
    for year in (YEARS[0], YEARS[-1]):
        rows = [e for e in enrolments() if e.year == year and in_default_scope(by_code[e.offering])]
        works = len({e.learner for e in rows if working(e) == "working"})
        idle = len({e.learner for e in rows if working(e) == "not-working"})
        share = (Decimal(works) * 100 / (works + idle)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        assert report.enrolments.figure("working_share", LABELS[year]).value == share
    fact = next(f for f in report.conclusions if f.key == "working_share")
    assert fact.values["start"] == report.enrolments.figure("working_share", LABELS[YEARS[0]]).value


def test_growth_is_never_measured_to_an_empty_year_or_the_year_in_progress() -> None:
    """2024-25 and 2025-26 hold no data; 2023-24 is the year in progress."""
    report = report_of(Scope(2020, 2025, HIGHER_EDUCATION), k=5, in_progress=2023)
    assert report.empty_years == ("2024-25", "2025-26")
    assert report.incomplete_years == ("2023-24",)
    assert report.complete_years == ("2020-21", "2021-22", "2022-23")
    for row in report.growth.rows:
        for column in ("2023-24", "2024-25", "2025-26"):
            if row.key.endswith(("_change", "_change_percent", "_index")):
                assert report.growth.figure(row.key, column).value is None, (row.key, column)
    counts = [offered(y, in_default_scope) for y in (2020, 2022)]
    rate = ((Decimal(counts[1]) / counts[0]) ** (Decimal(1) / 2) - 1) * 100
    assert report.growth.figure("offerings", "cagr").value == rate.quantize(Decimal("0.1"), ROUND_HALF_UP)
    assert report.growth.figure("offerings", "2024-25").value is None  # no data is not 0 offerings
    keys = {f.key for f in report.conclusions}
    assert {"empty_years", "incomplete_year"} <= keys
    for lang in ("nl", "en"):
        html = render(report, "html", lang).decode()
        assert not re.search(r"[-−]100[.,]0", html)
        assert {"nl": "2023-24 (lopend)", "en": "2023-24 (in progress)"}[lang] in html
        assert {"nl": "2024-25 (geen gegevens)", "en": "2024-25 (no data)"}[lang] in html


def test_the_range_without_any_complete_year_still_states_its_limits() -> None:
    report = report_of(Scope(2024, 2025, HIGHER_EDUCATION), k=5)
    assert report.complete_years == ()
    assert [f.key for f in report.conclusions] == ["empty_years", "register_limit"]
    assert report.summary == ()
