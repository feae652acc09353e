"""Build the parliament report from a snapshot: run the named queries, protect every learner count, derive
growth and popularity, and state the summary as facts taken from the published figures only."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from microcred.stats import queries
from microcred.stats.conclusions import conclude
from microcred.stats.disclosure import Rounding
from microcred.stats.growth import cagr, index_series, percent
from microcred.stats.model import Figure, OfferingLine, ParliamentReport, Row, Table, year_label
from microcred.stats.order import ordered
from microcred.stats.queries import Counts, Questions, Scope
from microcred.stats.recognition import Recognitions, recognition_tables
from microcred.stats.reference import protected_enrolments
from microcred.stats.snapshot import ACROSS_PROVIDERS, Snapshot
from microcred.stats.summary import summarise
from microcred.stats.tally import FastQuestions

__all__ = ["ACROSS", "OFFER_TABLES", "PEOPLE_TABLES", "build_exact_report", "build_report"]

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
ACROSS = "counted_across_providers"  # the enrolments table's row: % of enrolments counted across providers


def build_report(
    snapshot: Snapshot,
    scope: Scope,
    *,
    k: int,
    secret: bytes = b"",
    reference: bool = False,
    in_progress: int | None = None,
    recognitions: Recognitions | None = None,
) -> ParliamentReport:
    """The full report for ``scope``; every count of persons is taken from the protected copy of the
    enrolments (``stats.disclosure``: atoms of fewer than ``k`` learners rounded to 0 or ``k``, keyed
    by ``secret``), so no combination of published figures says more about a person than that copy.

    Enrolment and learner counts come from one counting pass (``stats.tally``); ``reference=True`` asks the
    named SQL for each of them instead, over the same protected copy (the definition, and what the
    benchmark runs directly in SQLite). ``in_progress`` is the academic year the register's clock is in:
    its figures are marked incomplete, and growth is measured only between complete years with data.
    ``recognitions`` (the source's recognised decisions) make the recognition section, on its own copy.
    """
    years = _Years.of(scope, snapshot.years_with_data(), in_progress)
    rounding = Rounding(k, secret) if k > 1 else None  # with k = 1 no atom is small: the copy is the register
    recognised = recognition_tables(recognitions or Recognitions(), scope, rounding)
    if reference:
        questions = Questions(snapshot.db, scope)
        if rounding is None:
            return replace(_build(questions, scope, k, years), recognition=recognised)
        with protected_enrolments(snapshot.db, questions.years, rounding):
            return replace(_build(questions, scope, k, years), recognition=recognised)
    return replace(
        _build(FastQuestions(snapshot.db, scope, rounding=rounding), scope, k, years), recognition=recognised
    )


def build_exact_report(
    db: queries.SqlRunner, scope: Scope, *, years_with_data: Iterable[int], in_progress: int | None = None
) -> ParliamentReport:
    """The report with every figure from the named SQL, one question at a time, on the facts as they are (k = 1,
    no protected copy, no recognitions): what any engine that runs the SQL gives (``stats.spark``), and equal to
    ``build_report(snapshot, scope, k=1)`` over the same facts."""
    years = _Years.of(scope, years_with_data, in_progress)
    return replace(
        _build(Questions(db, scope), scope, 1, years), recognition=recognition_tables(Recognitions(), scope, None)
    )


@dataclass(frozen=True, slots=True)
class _Years:
    """Which years of the range have data, which one is in progress, and so which ones growth may use."""

    empty: frozenset[int]
    incomplete: frozenset[int]
    measured: tuple[int, ...]  # with data and complete, in order

    @classmethod
    def of(cls, scope: Scope, with_data: Iterable[int], in_progress: int | None) -> _Years:
        empty = frozenset(scope.years) - frozenset(with_data)
        incomplete = frozenset(y for y in scope.years if y == in_progress and y not in empty)
        return cls(empty, incomplete, tuple(y for y in scope.years if y not in empty | incomplete))

    def labels(self, years: Iterable[int]) -> tuple[str, ...]:
        return tuple(year_label(y) for y in sorted(years))


def _build(q: Questions, scope: Scope, k: int, years: _Years) -> ParliamentReport:
    offer_total = q.offer("total")
    offer = tuple(_offer_table(q.offer(dim), offer_total, dim, scope) for dim in OFFER_TABLES)
    people = {dim: _people_tables(q, dim, scope) for dim in ("total", *PEOPLE_TABLES)}
    enrolments = _enrolments_table(people["total"][0], people["total"][1], people["working"][0], q, scope)
    growth = _growth_table(offer_total, enrolments, scope, years)
    popularity = _popularity_table(q, scope)
    top = _top_offerings(q, k, complete=scope.from_year in years.measured and scope.to_year in years.measured)
    fastest = _fastest_growing(offer, scope, years)
    coverage = _coverage(q, scope)
    names = {str(slug): {"nl": str(nl), "en": str(en)} for slug, nl, en in queries.providers_in_scope(q.db, scope)}
    report = ParliamentReport(
        scope=scope,
        threshold=k,
        provider_names=names,
        readings=_readings(q, scope),
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
        empty_years=years.labels(years.empty),
        incomplete_years=years.labels(years.incomplete),
    )
    return replace(report, summary=tuple(summarise(report)), conclusions=tuple(conclude(report)))


def _offer_table(
    counts: Mapping[tuple[int, str], int], totals: Mapping[tuple[int, str], int], dim: str, scope: Scope
) -> Table:
    values = ordered(dim, {v for _, v in counts})
    rows = tuple(Row(v, tuple(Figure(counts.get((y, v), 0)) for y in scope.years)) for v in values)
    total = Row("total", tuple(Figure(totals.get((y, "all"), 0)) for y in scope.years))
    return Table(f"offer_by_{dim}", dim, tuple(year_label(y) for y in scope.years), rows, total)


def _people_tables(q: Questions, dim: str, scope: Scope) -> tuple[Table, Table]:
    """Learners and enrolments by ``dim`` per year and over the range, with totals (protected copy)."""
    per_year = q.enrolments(dim)
    whole = q.enrolments(dim, per_year=False)
    year_totals = q.enrolments("total") if dim != "total" else per_year
    grand = q.enrolments("total", per_year=False).get((0, "all"), Counts())
    values = ordered(dim, {v for _, v in per_year}) if dim != "total" else ["all"]
    column_totals = [year_totals.get((y, "all"), Counts()) for y in scope.years]
    columns = (*(year_label(y) for y in scope.years), "total")

    def table(name: str, measure: str) -> Table:
        def line(counts: Sequence[Counts]) -> tuple[Figure, ...]:
            return tuple(Figure(getattr(c, measure)) for c in counts)

        rows = tuple(
            Row(v, line([*(per_year.get((y, v), Counts()) for y in scope.years), whole.get((0, v), Counts())]))
            for v in values
        )
        return Table(f"{name}_by_{dim}", dim, columns, rows, Row("total", line([*column_totals, grand])), rounded=True)

    return table("learners", "learners"), table("enrolments", "enrolments")


def _enrolments_table(learners: Table, enrolled: Table, working: Table, q: Questions, scope: Scope) -> Table:
    counts = q.enrolments("total")
    whole = q.enrolments("total", per_year=False).get((0, "all"), Counts())
    cells = [*(counts.get((y, "all"), Counts()) for y in scope.years), whole]
    rates = tuple(Figure(percent(c.passed, c.decided)) for c in cells)
    rows = (
        Row("enrolments", enrolled.total.figures if enrolled.total else ()),
        Row("learners", learners.total.figures if learners.total else ()),
        Row("completion_rate", rates),
        Row(ACROSS, _across_providers(q, scope, cells)),
        Row("working_share", _working_share(working)),
    )
    return Table("enrolments", "measure", learners.columns, rows, rounded=True)


def _across_providers(q: Questions, scope: Scope, totals: Sequence[Counts]) -> tuple[Figure, ...]:
    """Per year and over the range, the % of enrolments whose learner was counted across providers (an INSZ, ESI
    or register-wide id; decision 0018): the others may be one person counted once per provider."""
    per_year, whole = q.enrolments("learner_ids"), q.enrolments("learner_ids", per_year=False)
    across = [*(per_year.get((y, ACROSS_PROVIDERS), Counts()) for y in scope.years), whole.get((0, ACROSS_PROVIDERS))]
    return tuple(Figure(percent((a or Counts()).enrolments, t.enrolments)) for a, t in zip(across, totals, strict=True))


def _working_share(working: Table) -> tuple[Figure, ...]:
    """Working learners as a percentage of those whose status is known (working + not working), per column."""
    keys = {row.key for row in working.rows}

    def count(key: str, index: int) -> int:
        return int(working.row(key).figures[index].value or 0) if key in keys else 0

    return tuple(
        Figure(percent(count("working", i), count("working", i) + count("not-working", i)))
        for i in range(len(working.columns))
    )


def _growth_table(offer_total: Mapping[tuple[int, str], int], enrolments: Table, scope: Scope, years: _Years) -> Table:
    offerings: list[int | None] = [offer_total.get((y, "all"), 0) for y in scope.years]
    rows = [*_growth_rows("offerings", offerings, scope, years)]
    for measure in ("learners", "enrolments"):
        figures = enrolments.row(measure).figures[: len(scope.years)]
        values = [f.value if isinstance(f.value, int) else None for f in figures]
        rows += _growth_rows(measure, values, scope, years)
    return Table("growth", "measure", (*(year_label(y) for y in scope.years), "cagr"), tuple(rows), rounded=True)


def _growth_rows(measure: str, values: Sequence[int | None], scope: Scope, years: _Years) -> list[Row]:
    """Value, change, change in % and index per year, and the CAGR, measured between complete years with
    data only: an empty year shows no value, and no growth is computed to or from an empty or incomplete year
    (a register that has not heard of 2026-27 yet did not lose all its offer)."""
    measured = dict.fromkeys(years.measured)
    value_of = dict(zip(scope.years, values, strict=True))
    shown = [None if y in years.empty else value_of[y] for y in scope.years]
    changes: list[Figure] = []
    relative: list[Figure] = []
    for year in scope.years:
        before, now = value_of.get(year - 1), value_of[year]
        if year - 1 not in measured or year not in measured or before is None or now is None:
            changes.append(Figure(None))
            relative.append(Figure(None))
            continue
        changes.append(Figure(now - before))
        relative.append(Figure(percent(now - before, before)))
    base = [value_of[y] for y in measured]
    indexed = dict(zip(measured, index_series(base), strict=True))
    first, last = (years.measured[0], years.measured[-1]) if years.measured else (0, 0)
    rate = cagr(value_of[first], value_of[last], last - first) if years.measured else None
    return [
        Row(measure, (*(Figure(v) for v in shown), Figure(rate))),
        Row(f"{measure}_change", (*changes, Figure(None))),
        Row(f"{measure}_change_percent", (*relative, Figure(None))),
        Row(f"{measure}_index", (*(Figure(indexed.get(y)) for y in scope.years), Figure(None))),
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


def _readings(q: Questions, scope: Scope) -> Table:
    """The narrow and the broad reading side by side: offerings (exact) and persons (protected copy)."""
    rows = []
    for reading in ("narrow", "broad"):
        offer = q.offer(reading)
        people = q.enrolments(reading)
        counts = [people.get((y, "yes"), Counts()) for y in scope.years]
        rows.append(Row(f"offerings_{reading}", tuple(Figure(offer.get((y, "yes"), 0)) for y in scope.years)))
        rows.append(Row(f"learners_{reading}", tuple(Figure(c.learners) for c in counts)))
        rows.append(Row(f"enrolments_{reading}", tuple(Figure(c.enrolments) for c in counts)))
    order = [0, 3, 1, 4, 2, 5]
    columns = tuple(year_label(y) for y in scope.years)
    return Table("readings", "measure", columns, tuple(rows[i] for i in order), rounded=True)


def _popularity_table(q: Questions, scope: Scope) -> Table:
    found = {int(r[0]): r for r in q.editions_per_year()}
    rows: dict[str, list[Figure]] = {"editions": [], "enrolments_per_edition": [], "capacity": [], "fill_rate": []}
    for year in scope.years:
        _, editions, enrolled, _with_capacity, capacity, enrolled_capacity, _learners = found.get(
            year, (year, 0, 0, 0, 0, 0, 0)
        )
        rows["editions"].append(Figure(int(editions)))
        rows["enrolments_per_edition"].append(Figure(_one_decimal(int(enrolled), int(editions)) if editions else None))
        rows["capacity"].append(Figure(int(capacity) if capacity else None))
        rows["fill_rate"].append(Figure(percent(int(enrolled_capacity), int(capacity)) if capacity else None))
    return Table(
        "popularity",
        "measure",
        tuple(year_label(y) for y in scope.years),
        tuple(Row(key, tuple(v)) for key, v in rows.items()),
        rounded=True,
    )


def _top_offerings(q: Questions, k: int, *, complete: bool) -> Table:
    """The most enrolled offerings (in the protected copy every offering counts 0 or at least ``k`` learners);
    growth from the first to the last year only when both are complete years with data and the offering has
    enrolments in both (one that did not run, or ran below ``k``, in the last year did not shrink by 100%)."""
    rows = []
    for _id, provider, code, _nl, _en, enrolled, learners, editions, first, last in q.top_offerings(k, TOP):
        growth = percent(int(last) - int(first), int(first)) if first and last and complete else None
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
        rounded=True,
    )


def _fastest_growing(offer: Iterable[Table], scope: Scope, years: _Years) -> Table:
    """CAGR of the offer per provider type, field and offer kind between the first and last complete years."""
    rows: list[Row] = []
    if len(years.measured) < 2:
        return Table("fastest_growing", "group", ("first_year", "last_year", "cagr"), ())
    start, end = (scope.years.index(y) for y in (years.measured[0], years.measured[-1]))
    for table in offer:
        if table.dimension not in ("provider_type", "field", "offer_kind"):
            continue
        for row in table.rows:
            first, last = row.figures[start].value, row.figures[end].value
            if not isinstance(first, int) or not isinstance(last, int) or first == 0:
                continue
            rate = cagr(first, last, years.measured[-1] - years.measured[0])
            rows.append(Row(f"{table.dimension}:{row.key}", (Figure(first), Figure(last), Figure(rate))))
    rows.sort(key=lambda r: (-(r.figures[2].value or 0), r.key))
    return Table("fastest_growing", "group", ("first_year", "last_year", "cagr"), tuple(rows))


def _coverage(q: Questions, scope: Scope) -> Table:
    counts = {(str(p), int(y)): int(n) for p, y, n in q.run("coverage")}
    slugs = [str(slug) for slug, _, _ in queries.providers_in_scope(q.db, scope)]
    rows = tuple(Row(s, tuple(Figure(counts.get((s, y), 0)) for y in scope.years)) for s in slugs)
    return Table("coverage", "provider", tuple(year_label(y) for y in scope.years), rows)


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
