"""Question 3's answer in sentences: what the published figures say about popularity and growth.

Every number a conclusion states is read from one published cell, named in ``Fact.cells`` so that it can be
traced to its table (``tests/stats/test_conclusions.py`` does). Counts of persons come from the protected
tables only, like every other figure of the report, so a conclusion discloses nothing the tables do not.
Trends run between the first and the last complete year with data (``ParliamentReport.complete_years``).
"""

from __future__ import annotations

from decimal import Decimal

from microcred.stats.model import Cell, Fact, ParliamentReport, Table

__all__ = ["conclude"]

_POPULAR = ("popular_1", "popular_2", "popular_3")


def conclude(report: ParliamentReport) -> list[Fact]:
    """The conclusions in reading order: growth, popularity, who learns, new fields, and the limits."""
    facts: list[Fact] = []
    years = report.complete_years
    if years:
        for measure in ("offerings", "learners"):
            facts += _growth(report, measure, years)
        facts += _fill_rate(report, years)
        facts += _popular(report)
        facts += _working(report, years)
        facts += _new_fields(report, years)
    facts += _limits(report, years)
    return facts


def _stated(report: ParliamentReport, key: str, labels: dict[str, str], cells: dict[str, Cell]) -> Fact | None:
    """A fact whose numbers are the published figures at ``cells``; None when one of them is not published."""
    values: dict[str, str | int | float | Decimal] = dict(labels)
    for name, cell in cells.items():
        if name in labels:
            continue  # a label read off the cell's column (a year), not a number
        value = report.value(cell)
        if value is None:
            return None
        values[name] = value
    return Fact(key, values, cells)


def _growth(report: ParliamentReport, measure: str, years: tuple[str, ...]) -> list[Fact]:
    """From the first to the last complete year, the average yearly growth, and every year it fell."""
    first, last = years[0], years[-1]
    cells = {"start": Cell("growth", measure, first), "end": Cell("growth", measure, last)}
    facts: list[Fact] = []
    with_rate = _stated(
        report, f"{measure}_growth", {"first": first, "last": last}, {**cells, "cagr": Cell("growth", measure, "cagr")}
    )
    found = with_rate or _stated(report, f"{measure}_level", {"first": first, "last": last}, cells)
    if found is not None:
        facts.append(found)
    fell = []
    for year in years[1:]:
        change = report.value(Cell("growth", f"{measure}_change", year))
        if change is not None and change < 0:
            fell.append(year)
            step = {
                "year": Cell("growth", f"{measure}_change", year),
                "change": Cell("growth", f"{measure}_change", year),
                "percent": Cell("growth", f"{measure}_change_percent", year),
            }
            stated = _stated(report, f"{measure}_fell", {"year": year}, step)
            if stated is not None:
                facts.append(stated)
    if len(years) > 1 and not fell:
        facts.append(Fact(f"{measure}_never_fell", {"first": first, "last": last}))
    return facts


def _fill_rate(report: ParliamentReport, years: tuple[str, ...]) -> list[Fact]:
    first, last = years[0], years[-1]
    cells = {"start": Cell("popularity", "fill_rate", first), "end": Cell("popularity", "fill_rate", last)}
    found = _stated(report, "fill_rate", {"first": first, "last": last}, cells)
    return [found] if found is not None else []


def _popular(report: ParliamentReport) -> list[Fact]:
    """The three offerings with the most enrolments over the range."""
    facts = []
    for key, row in zip(_POPULAR, report.top_offerings.rows, strict=False):
        cells = {name: Cell("top_offerings", row.key, name) for name in ("enrolments", "learners", "editions")}
        found = _stated(report, key, {"offering": row.key}, cells)
        if found is not None:
            facts.append(found)
    return facts


def _working(report: ParliamentReport, years: tuple[str, ...]) -> list[Fact]:
    """The share of working learners (of those whose status is known) and how it moved; the unknown."""
    first, last = years[0], years[-1]
    cells = {"start": Cell("enrolments", "working_share", first), "end": Cell("enrolments", "working_share", last)}
    facts = []
    found = _stated(report, "working_share", {"first": first, "last": last}, cells)
    if found is not None:
        facts.append(found)
    table = report.table("learners_by_working")
    if _has(table, "unknown") and table.figure("unknown", last).value:
        unknown = _stated(report, "working_unknown", {"year": last}, {"learners": Cell(table.name, "unknown", last)})
        if unknown is not None:
            facts.append(unknown)
    return facts


def _new_fields(report: ParliamentReport, years: tuple[str, ...]) -> list[Fact]:
    """Fields with no offering in the first complete year that have one later: "new since", not left out."""
    offer = report.table("offer_by_field")
    learners = report.table("learners_by_field")
    first, last = years[0], years[-1]
    facts = []
    for row in offer.rows:
        if row.key == "unknown" or offer.figure(row.key, first).value:
            continue
        since = next((y for y in years[1:] if offer.figure(row.key, y).value), None)
        if since is None:
            continue
        cells = {
            "since": Cell(offer.name, row.key, since),
            "offerings": Cell(offer.name, row.key, last),
        }
        key = "new_field"
        if _has(learners, row.key):
            cells["learners"] = Cell(learners.name, row.key, last)
            key = "new_field_learners"
        found = _stated(report, key, {"field": row.key, "since": since, "first": first, "last": last}, cells)
        if found is not None:
            facts.append(found)
    return facts


def _limits(report: ParliamentReport, years: tuple[str, ...]) -> list[Fact]:
    """What the coverage of the register limits: years without data or in progress, providers that
    registered nothing, began registering later (part of the growth) or skipped a year, and that the register
    holds only what providers registered."""
    facts = []
    if report.empty_years:
        facts.append(Fact("empty_years", {"years": ", ".join(report.empty_years)}))
    facts += [Fact("incomplete_year", {"year": year}) for year in report.incomplete_years]
    if years:
        facts += _coverage(report, years)
    facts.append(Fact("register_limit"))
    return facts


def _coverage(report: ParliamentReport, years: tuple[str, ...]) -> list[Fact]:
    coverage = report.coverage
    silent, late, facts = [], [], []
    for row in coverage.rows:
        reported = [y for y in years if coverage.figure(row.key, y).value]
        if not reported:
            silent.append(row.key)
            continue
        if reported[0] != years[0]:
            late.append(row.key)
        missing = [y for y in years[years.index(reported[0]) :] if y not in reported]
        if missing:
            cells = {f"years.{i}": Cell(coverage.name, row.key, y) for i, y in enumerate(missing)}
            facts.append(Fact("provider_gap", {"provider": row.key, "years": ", ".join(missing)}, cells))
    labels: dict[str, str | int | float | Decimal] = {"first": years[0], "last": years[-1]}
    if silent:
        facts.insert(0, Fact("providers_silent", {**labels, "providers": ", ".join(silent)}))
    if late:
        facts.insert(0, Fact("providers_late", {**labels, "providers": ", ".join(late)}))
    if coverage.rows and not (silent or late or facts):
        facts.append(Fact("coverage_complete", labels))
    return facts


def _has(table: Table, key: str) -> bool:
    return any(row.key == key for row in table.rows)
