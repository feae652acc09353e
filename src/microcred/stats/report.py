"""Build the parliament report from a snapshot: run the named queries, protect every learner count, derive
growth and popularity, and state the summary as facts taken from the published figures only."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from microcred.stats import queries
from microcred.stats.disclosure import protect
from microcred.stats.growth import cagr, index_series, percent
from microcred.stats.model import Figure, OfferingLine, ParliamentReport, Row, Table, year_label
from microcred.stats.order import ordered
from microcred.stats.queries import Counts, Questions, Scope
from microcred.stats.snapshot import Snapshot
from microcred.stats.summary import summarise
from microcred.stats.tally import FastQuestions

__all__ = ["OFFER_TABLES", "PEOPLE_TABLES", "build_report"]

OFFER_TABLES = ("provider_type", "provider", "offer_kind", "field", "eqf", "vks", "participation", "ects_band")
PEOPLE_TABLES = (
    "working",
    "employment_status",
    "contract_type",
    "age_band",
    "provider_type",
    "provider",
    "field",
    "offer_kind",
)
TOP = 10


def build_report(snapshot: Snapshot, scope: Scope, *, k: int, reference: bool = False) -> ParliamentReport:
    """The full report for ``scope``; learner counts below ``k`` and whatever would reveal them are hidden.

    Enrolment and learner counts come from one counting pass (``stats.tally``); ``reference=True`` asks the
    named SQL for each of them instead (the definition, and what the benchmark runs directly in SQLite).
    """
    q = Questions(snapshot.db, scope) if reference else FastQuestions(snapshot.db, scope)
    columns = tuple(year_label(y) for y in scope.years)
    offer_total = q.offer("total")
    offer = tuple(_offer_table(q.offer(dim), offer_total, dim, scope) for dim in OFFER_TABLES)
    people = {dim: _people_tables(q, dim, scope, k) for dim in ("total", *PEOPLE_TABLES)}
    enrolments = _enrolments_table(people["total"][0], people["total"][1], q, scope, k)
    growth = _growth_table(offer_total, enrolments, scope)
    popularity = _popularity_table(q, enrolments, scope, k)
    top = _top_offerings(q, k)
    fastest = _fastest_growing(offer, scope)
    coverage = _coverage(q, scope)
    names = {str(slug): {"nl": str(nl), "en": str(en)} for slug, nl, en in _providers(q.db, scope)}
    report = ParliamentReport(
        scope=scope,
        threshold=k,
        provider_names=names,
        readings=_readings(q, scope, k),
        offer=offer,
        ects=_ects_table(q, scope),
        growth=growth,
        offerings=_offering_lines(q),
        enrolments=enrolments,
        learners_by=tuple(people[d][0] for d in PEOPLE_TABLES),
        enrolments_by=tuple(people[d][1] for d in PEOPLE_TABLES),
        popularity=popularity,
        top_offerings=top,
        fastest_growing=fastest,
        coverage=coverage,
        summary=(),
    )
    return replace(report, summary=tuple(summarise(report, columns)))


def _offer_table(
    counts: Mapping[tuple[int, str], int], totals: Mapping[tuple[int, str], int], dim: str, scope: Scope
) -> Table:
    values = ordered(dim, {v for _, v in counts})
    rows = tuple(Row(v, tuple(Figure(counts.get((y, v), 0)) for y in scope.years)) for v in values)
    total = Row("total", tuple(Figure(totals.get((y, "all"), 0)) for y in scope.years))
    return Table(f"offer_by_{dim}", dim, tuple(year_label(y) for y in scope.years), rows, total)


def _people_tables(q: Questions, dim: str, scope: Scope, k: int) -> tuple[Table, Table]:
    """Learners and enrolments by ``dim`` per year with totals, both under one suppression pattern."""
    per_year = q.enrolments(dim)
    whole = q.enrolments(dim, per_year=False)
    year_totals = q.enrolments("total") if dim != "total" else per_year
    grand = q.enrolments("total", per_year=False).get((0, "all"), Counts())
    values = ordered(dim, {v for _, v in per_year}) if dim != "total" else ["all"]
    learners = [[per_year.get((y, v), Counts()).learners for y in scope.years] for v in values]
    enrolled = [[per_year.get((y, v), Counts()).enrolments for y in scope.years] for v in values]
    column_totals = [year_totals.get((y, "all"), Counts()) for y in scope.years]
    shield = protect(
        learners,
        [whole.get((0, v), Counts()).learners for v in values],
        [c.learners for c in column_totals],
        grand.learners,
        k=k,
    )
    enrolled_grid = [
        *([*row, whole.get((0, v), Counts()).enrolments] for row, v in zip(enrolled, values, strict=True)),
        [*(c.enrolments for c in column_totals), grand.enrolments],
    ]
    columns = (*(year_label(y) for y in scope.years), "total")

    def table(name: str, grid: Sequence[Sequence[int]]) -> Table:
        shown = [
            tuple(Figure.hidden() if shield.hidden(i, j) else Figure(v) for j, v in enumerate(row))
            for i, row in enumerate(grid)
        ]
        rows = tuple(Row(v, shown[i]) for i, v in enumerate(values))
        return Table(f"{name}_by_{dim}", dim, columns, rows, Row("total", shown[-1]))

    return table("learners", shield.cells), table("enrolments", enrolled_grid)


def _enrolments_table(learners: Table, enrolled: Table, q: Questions, scope: Scope, k: int) -> Table:
    counts = q.enrolments("total")
    whole = q.enrolments("total", per_year=False).get((0, "all"), Counts())
    cells = [*(counts.get((y, "all"), Counts()) for y in scope.years), whole]
    learners_row = learners.total.figures if learners.total else ()
    rates = tuple(
        Figure(percent(c.passed, c.decided))
        if not f.suppressed and c.decided and c.learners >= k
        else Figure(None, suppressed=f.suppressed or 0 < c.learners < k)
        for c, f in zip(cells, learners_row, strict=True)
    )
    rows = (
        Row("enrolments", enrolled.total.figures if enrolled.total else ()),
        Row("learners", learners_row),
        Row("completion_rate", rates),
    )
    return Table("enrolments", "measure", learners.columns, rows)


def _growth_table(offer_total: Mapping[tuple[int, str], int], enrolments: Table, scope: Scope) -> Table:
    offerings = [offer_total.get((y, "all"), 0) for y in scope.years]
    rows = [*_growth_rows("offerings", offerings)]
    for measure in ("learners", "enrolments"):
        figures = enrolments.row(measure).figures[: len(scope.years)]
        values = [f.value if not f.suppressed and isinstance(f.value, int) else None for f in figures]
        rows += _growth_rows(measure, values)
    return Table("growth", "measure", (*(year_label(y) for y in scope.years), "cagr"), tuple(rows))


def _growth_rows(measure: str, values: Sequence[int | None]) -> list[Row]:
    changes: list[Figure] = [Figure(None)]
    relative: list[Figure] = [Figure(None)]
    for before, now in itertools.pairwise(values):
        if before is None or now is None:
            changes.append(Figure(None))
            relative.append(Figure(None))
            continue
        changes.append(Figure(now - before))
        relative.append(Figure(percent(now - before, before)))
    rate = cagr(values[0], values[-1], len(values) - 1) if values else None
    return [
        Row(measure, (*(Figure(v) for v in values), Figure(rate))),
        Row(f"{measure}_change", (*changes, Figure(None))),
        Row(f"{measure}_change_percent", (*relative, Figure(None))),
        Row(f"{measure}_index", (*(Figure(v) for v in index_series(values)), Figure(None))),
    ]


def _ects_table(q: Questions, scope: Scope) -> Table:
    per_year: dict[int, list[Decimal | None]] = {y: [] for y in scope.years}
    for year, _offering, ects in q.run("offer_ects"):
        per_year[int(year)].append(None if ects is None else Decimal(str(ects)))
    rows: dict[str, list[Figure]] = {"offerings": [], "with_ects": [], "total_ects": [], "median_ects": []}
    for year in scope.years:
        known = [e for e in per_year[year] if e is not None]
        rows["offerings"].append(Figure(len(per_year[year])))
        rows["with_ects"].append(Figure(len(known)))
        rows["total_ects"].append(Figure(sum(known, Decimal(0)) if known else None))
        rows["median_ects"].append(
            Figure(
                Decimal(median(known)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize() if known else None
            )
        )
    return Table(
        "ects", "measure", tuple(year_label(y) for y in scope.years), tuple(Row(k, tuple(v)) for k, v in rows.items())
    )


def _readings(q: Questions, scope: Scope, k: int) -> Table:
    """The narrow and the broad reading side by side; learner counts suppressed cell by cell."""
    rows = []
    for reading in ("narrow", "broad"):
        offer = q.offer(reading)
        people = q.enrolments(reading)
        counts = [people.get((y, "yes"), Counts()) for y in scope.years]
        hidden = [0 < c.learners < k for c in counts]
        rows.append(Row(f"offerings_{reading}", tuple(Figure(offer.get((y, "yes"), 0)) for y in scope.years)))
        rows.append(
            Row(
                f"learners_{reading}",
                tuple(Figure.hidden() if h else Figure(c.learners) for c, h in zip(counts, hidden, strict=True)),
            )
        )
        rows.append(
            Row(
                f"enrolments_{reading}",
                tuple(Figure.hidden() if h else Figure(c.enrolments) for c, h in zip(counts, hidden, strict=True)),
            )
        )
    order = [0, 3, 1, 4, 2, 5]
    return Table("readings", "measure", tuple(year_label(y) for y in scope.years), tuple(rows[i] for i in order))


def _popularity_table(q: Questions, enrolments: Table, scope: Scope, k: int) -> Table:
    found = {int(r[0]): r for r in q.editions_per_year()}
    learners = enrolments.row("learners").figures
    rows: dict[str, list[Figure]] = {"editions": [], "enrolments_per_edition": [], "capacity": [], "fill_rate": []}
    for index, year in enumerate(scope.years):
        _, editions, enrolled, _with_capacity, capacity, enrolled_capacity, learners_capacity = found.get(
            year, (year, 0, 0, 0, 0, 0, 0)
        )
        shown = not learners[index].suppressed
        rows["editions"].append(Figure(int(editions)))
        rows["enrolments_per_edition"].append(
            Figure(_one_decimal(int(enrolled), int(editions)) if shown and editions else None, suppressed=not shown)
        )
        rows["capacity"].append(Figure(int(capacity) if capacity else None))
        fill_ok = int(learners_capacity) >= k and capacity
        rows["fill_rate"].append(
            Figure(
                percent(int(enrolled_capacity), int(capacity)) if fill_ok else None,
                suppressed=0 < int(learners_capacity) < k,
            )
        )
    return Table(
        "popularity",
        "measure",
        tuple(year_label(y) for y in scope.years),
        tuple(Row(key, tuple(v)) for key, v in rows.items()),
    )


def _top_offerings(q: Questions, k: int) -> Table:
    """The most enrolled offerings, among those with at least ``k`` learners (smaller ones are not ranked)."""
    rows = []
    for _id, provider, code, _nl, _en, enrolled, learners, editions, first, last in q.top_offerings(k, TOP):
        growth = percent(int(last) - int(first), int(first)) if first and int(first) >= k else None
        rows.append(
            Row(
                f"{provider}/{code}",
                (
                    Figure(int(enrolled)),
                    Figure(int(learners)),
                    Figure(int(editions)),
                    Figure(_one_decimal(int(enrolled), int(editions))),
                    Figure(growth),
                ),
            )
        )
    return Table(
        "top_offerings",
        "offering",
        ("enrolments", "learners", "editions", "enrolments_per_edition", "growth_percent"),
        tuple(rows),
    )


def _fastest_growing(offer: Iterable[Table], scope: Scope) -> Table:
    rows = []
    for table in offer:
        if table.dimension not in ("provider_type", "field", "offer_kind"):
            continue
        for row in table.rows:
            first, last = row.figures[0].value, row.figures[-1].value
            if not isinstance(first, int) or not isinstance(last, int) or first == 0:
                continue
            rate = cagr(first, last, len(scope.years) - 1)
            rows.append(Row(f"{table.dimension}:{row.key}", (Figure(first), Figure(last), Figure(rate))))
    rows.sort(key=lambda r: (-(r.figures[2].value or 0), r.key))
    return Table("fastest_growing", "group", ("first_year", "last_year", "cagr"), tuple(rows))


def _coverage(q: Questions, scope: Scope) -> Table:
    counts = {(str(p), int(y)): int(n) for p, y, n in q.run("coverage")}
    slugs = [str(slug) for slug, _, _ in _providers(q.db, scope)]
    rows = tuple(Row(s, tuple(Figure(counts.get((s, y), 0)) for y in scope.years)) for s in slugs)
    return Table("coverage", "provider", tuple(year_label(y) for y in scope.years), rows)


def _providers(db: queries.SqlRunner, scope: Scope) -> list[tuple[object, ...]]:
    parameters: dict[str, object] = {}
    placeholders: dict[str, str] = {}
    for key, values in (("provider_types", scope.provider_types), ("providers", scope.providers or ("",))):
        names = [f"{key}_{i}" for i in range(len(values))]
        parameters.update(zip(names, values, strict=True))
        placeholders[key] = ", ".join(f"${n}" for n in names)
    placeholders["all_providers"] = "1 = 0" if scope.providers else "1 = 1"
    return queries.run(db, "providers_in_scope", parameters, **placeholders)


def _offering_lines(q: Questions) -> tuple[OfferingLine, ...]:
    return tuple(
        OfferingLine(
            str(provider),
            str(code),
            {"nl": str(t_nl), "en": str(t_en)},
            str(kind),
            None if ects is None else Decimal(str(ects)),
            str(eqf),
            str(field),
            int(first),
            int(last),
            int(editions),
        )
        for provider, _p_nl, _p_en, code, t_nl, t_en, kind, ects, eqf, field, first, last, editions in q.run(
            "offerings_list"
        )
    )


def _one_decimal(numerator: int, denominator: int) -> Decimal:
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
