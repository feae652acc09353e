"""The report's summary: facts read off the published (protected) tables, never from raw counts."""

from __future__ import annotations

from decimal import Decimal

from microcred.stats.model import Fact, Figure, ParliamentReport, Table

__all__ = ["summarise"]


def summarise(report: ParliamentReport) -> list[Fact]:
    """One fact per statement the numbers support, between the first and the last complete year with data
    (an empty year or the year in progress would make any trend look like a fall)."""
    columns = report.complete_years
    if not columns:
        return []
    first, last = columns[0], columns[-1]
    facts: list[Fact] = []
    readings = report.readings
    for reading in ("broad", "narrow"):
        start, end = readings.figure(f"offerings_{reading}", first), readings.figure(f"offerings_{reading}", last)
        facts.append(Fact(f"offer_{reading}", {"first": first, "last": last, "start": _n(start), "end": _n(end)}))
    types = [r for r in report.fastest_growing.rows if r.key.startswith("provider_type:")]
    if types and types[0].figures[2].value is not None:
        facts.append(Fact("fastest_type", {"group": types[0].key.split(":", 1)[1], "cagr": _n(types[0].figures[2])}))
    learners = report.enrolments.row("learners")
    start, end = (learners.figures[report.enrolments.columns.index(c)] for c in (first, last))
    share = report.enrolments.row("counted_across_providers").figures[-1].value
    exact = share is None or share == 100 or len(report.coverage.rows) < 2  # one provider: its own numbers suffice
    if start.value is not None and end.value is not None:
        facts.append(
            Fact(
                "learners" if exact else "learners_per_provider",
                {"first": first, "last": last, "start": _n(start), "end": _n(end), "total": _n(learners.figures[-1])},
            )
        )
    if share is not None:
        facts.append(Fact("counted_across" if share == 100 else "counted_per_provider", {"share": share}))
    facts += _working(report.learners_by[0], last)
    completion = report.enrolments.figure("completion_rate", last)
    if completion.value is not None:
        facts.append(Fact("completion", {"year": last, "rate": completion.value}))
    field = _largest(report.table("learners_by_field"), last)
    if field is not None:
        facts.append(Fact("top_field", {"year": last, "field": field[0], "learners": field[1]}))
    coverage = report.coverage
    complete = sum(all(coverage.figure(row.key, y).value for y in columns) for row in coverage.rows)
    facts.append(Fact("coverage", {"complete": complete, "providers": len(report.coverage.rows)}))
    return facts


def _n(figure: Figure) -> int | Decimal | float:
    return figure.value if figure.value is not None else 0


def _working(table: Table, year: str) -> list[Fact]:
    keys = {row.key for row in table.rows}
    shown = {key: table.figure(key, year) for key in ("working", "not-working", "unknown") if key in keys}
    if not shown:
        return []
    working, not_working = _n(shown.get("working", Figure(0))), _n(shown.get("not-working", Figure(0)))
    unknown = _n(shown.get("unknown", Figure(0)))
    return [Fact("working", {"year": year, "working": working, "not_working": not_working, "unknown": unknown})]


def _largest(table: Table, year: str) -> tuple[str, int] | None:
    best: tuple[str, int] | None = None
    for row in table.rows:
        figure = table.figure(row.key, year)
        if isinstance(figure.value, int) and row.key != "unknown" and (best is None or figure.value > best[1]):
            best = (row.key, figure.value)
    return best
