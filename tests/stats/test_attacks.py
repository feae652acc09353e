"""The five attacks of issue 13, each on a register built to the issue's numbers.

Each test plays the attacker on published reports only: it derives the protected count the way the issue
did (and requires the answer not to be the true count), then asks whether the published outputs tell the
true register apart from a neighbour with one learner fewer (or one outcome changed) in the protected cell:
they must not, for at least one such neighbour. Before issue 13 every attack recovered the true count and
every neighbour changed some published figure; ``registers.publish`` runs on that code unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal

import pytest

from tests.stats.registers import Enrolled, figure, publish, reports

pytestmark = pytest.mark.slow  # each attack builds some hundred reports
K = 5


def people(count: int, first: int, **fields: object) -> list[Enrolled]:
    """``count`` learners numbered from ``first``, one enrolment each."""
    return [Enrolled(learner=first + n, **fields) for n in range(count)]  # type: ignore[arg-type]


def background() -> list[Enrolled]:
    """Enough learners everywhere else that every other figure is large."""
    rows = []
    for n, code in enumerate(("A1", "A2", "A3", "B1", "B2", "C1", "C2", "D1", "E1")):
        provider = {"A": "uni-a", "B": "uni-b", "C": "hs-c", "D": "hs-d", "E": "inst-e"}[code[0]]
        for year in (2020, 2021, 2022):
            rows += people(20, 10_000 + 1000 * n + 100 * (year - 2020), provider=provider, offering=code, year=year)
    return rows


def indistinguishable(
    rows: Sequence[Enrolled], neighbours: Sequence[Sequence[Enrolled]], scopes: Sequence[str]
) -> bool:
    """Whether some neighbour register publishes exactly what ``rows`` publishes, in every scope and range."""
    published = publish(rows, scopes)
    return any(all(published[key] == report for key, report in reports(other, scopes)) for other in neighbours)


def without_each(rows: Sequence[Enrolled], cell: Callable[[Enrolled], bool]) -> list[list[Enrolled]]:
    """Every neighbour with one learner of the protected cell fewer."""
    return [[r for r in rows if r is not victim] for victim in rows if cell(victim)]


def test_attack_1_linked_tables_working_minus_employed_gives_the_self_employed() -> None:
    """One report: self-employed = working 15 - employed 12 = 3, and its learner count is pinned to 3."""
    rows = [
        *background(),
        *people(12, 1, provider="uni-a", offering="A3", year=2020, status="employed"),
        *people(3, 100, provider="uni-a", offering="A3", year=2020, status="self-employed"),
        *people(6, 120, provider="uni-a", offering="A3", year=2020, status="job-seeking"),
        *people(7, 140, provider="uni-a", offering="A3", year=2020, status="not-in-labour-force"),
    ]
    report = publish(rows, ["higher-education"])["higher-education 2020-2020"]
    working = figure(report, "enrolments_by_working", "working", "2020-21")
    employed = figure(report, "enrolments_by_employment_status", "employed", "2020-21")
    background_working = 20 * 7  # the background's higher-education learners are all employed
    assert working is not None
    assert employed is not None
    assert working - employed != 3
    learners = figure(report, "learners_by_working", "working", "2020-21")
    employed_learners = figure(report, "learners_by_employment_status", "employed", "2020-21")
    assert learners is not None
    assert employed_learners is not None
    assert (learners - background_working, employed_learners - background_working) != (15, 12)
    neighbours = without_each(rows, lambda r: r.status == "self-employed")
    assert indistinguishable(rows, neighbours, ["higher-education", "type=university", "provider=uni-a"])


def test_attack_2_narrow_reading_minus_type_2_gives_the_hidden_type_1() -> None:
    """Narrow/broad table: narrow learners - type 2 learners = the type 1 count (3)."""
    rows = [
        *[r for r in background() if r.offering not in ("A1", "C2") or r.year != 2021],
        *people(3, 200, provider="uni-a", offering="A1", year=2021),
    ]
    report = publish(rows, ["higher-education"])["higher-education 2021-2021"]
    narrow = figure(report, "readings", "learners_narrow", "2021-22")
    type_2 = figure(report, "learners_by_offer_kind", "micro-credential-2", "2021-22")
    assert narrow is not None
    assert type_2 is not None
    assert narrow - type_2 != 3
    neighbours = without_each(rows, lambda r: r.offering == "A1" and r.year == 2021)
    assert indistinguishable(rows, neighbours, ["higher-education", "kind=micro-credential", "provider=uni-a"])


def test_attack_3_top_offering_growth_and_its_first_year_give_the_hidden_last_year() -> None:
    """Growth first to last year (-83.3 %) and the published first year (18) give the last year (3)."""
    rows = [
        *[r for r in background() if r.offering != "C1"],
        *people(18, 300, provider="hs-c", offering="C1", year=2020),
        *people(20, 400, provider="hs-c", offering="C1", year=2021),
        *people(3, 500, provider="hs-c", offering="C1", year=2022),
    ]
    reports = publish(rows, ["provider=hs-c"])
    growth = reports["provider=hs-c 2020-2022"].table("top_offerings").row("hs-c/C1").figures[4].value
    first = reports["provider=hs-c 2020-2020"].table("top_offerings").row("hs-c/C1").figures[0].value
    assert isinstance(first, int)
    if growth is not None:  # no growth is published when the last year counts 0 learners (decision 0019)
        assert isinstance(growth, Decimal)
        believed = round(first * (1 + growth / 100))
        assert believed != 3
    neighbours = without_each(rows, lambda r: r.offering == "C1" and r.year == 2022)
    assert indistinguishable(rows, neighbours, ["provider=hs-c", "type=university-college"])


def test_attack_4_a_completion_rate_of_0_percent_over_a_handful_discloses_every_outcome() -> None:
    """8 learners, 3 with a result, all failed: a 0 % rate tells each of the 3 that the others failed."""
    rows = [
        *[r for r in background() if r.offering != "D1"],
        *people(5, 600, provider="hs-d", offering="D1", year=2021, outcome="enrolled"),
        *people(3, 700, provider="hs-d", offering="D1", year=2021, outcome="failed", age=None),
    ]
    rows = [replace(r, age="30-34") if r.age is None else r for r in rows]
    rows += people(20, 800, provider="hs-d", offering="D1", year=2020, outcome="enrolled")
    rows += people(20, 900, provider="hs-d", offering="D1", year=2022, outcome="enrolled")
    report = publish(rows, ["provider=hs-d"])["provider=hs-d 2021-2021"]
    rate = report.enrolments.figure("completion_rate", "2021-22").value
    assert rate != Decimal(0) or figure(report, "enrolments", "learners", "2021-22") != 8
    passed_instead = [
        [replace(r, outcome="passed") if r is victim else r for r in rows] for victim in rows if r_failed(victim)
    ]
    assert indistinguishable(rows, passed_instead, ["provider=hs-d", "type=university-college", "all"])


def r_failed(row: Enrolled) -> bool:
    return row.outcome == "failed"


def test_attack_5_eleven_reports_combined_give_no_small_count_away() -> None:
    """Overall, per provider type, per kind and per provider, combined: the 2 self-employed learners of a
    one-offering provider in one year appear in every report that holds them, and no combination of those
    reports may tell 2 from 1."""
    rows = [*background(), *people(2, 1000, provider="hs-d", offering="D1", year=2022, status="self-employed")]
    scopes = [
        "higher-education",
        "all",
        "type=university",
        "type=university-college",
        "kind=postgraduate",
        "kind=course-units",
        "provider=hs-d",
        "provider=uni-b",
        "provider=hs-c",
        "provider=uni-a",
        "kind=micro-credential",
    ]
    assert indistinguishable(rows, without_each(rows, lambda r: r.status == "self-employed"), scopes)
