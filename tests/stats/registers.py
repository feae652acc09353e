"""Small registers for the disclosure tests, straight into the four tables the statistics snapshot reads.

A register is a list of enrolments (``Enrolled``) plus its providers and offerings; ``snapshot`` copies it
through a real SQLite database with the register's column names, so ``stats.snapshot`` reads it exactly as
it reads a register, in milliseconds instead of a migration per Hypothesis example.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from microcred.stats import BROAD_KINDS, ParliamentReport, Scope, Snapshot, build_report, take_snapshot
from tests.stats.facts import FactsInMemory

SECRET = b"a test register's secret"
HIGHER_EDUCATION = ("university", "university-college")
EVERY_TYPE = (*HIGHER_EDUCATION, "registered-institution")


@dataclass(frozen=True)
class Enrolled:
    learner: int
    provider: str
    offering: str  # code; kind and field come from OFFERINGS
    year: int
    status: str = "employed"
    contract: str = "credit"
    age: str = "25-29"
    outcome: str = "passed"
    capacity: int | None = 20


PROVIDERS = {
    "uni-a": "university",
    "uni-b": "university",
    "hs-c": "university-college",
    "hs-d": "university-college",
    "inst-e": "registered-institution",
}
# code -> (provider, kind, Flemish type, ISCED-F field)
OFFERINGS = {
    "A1": ("uni-a", "micro-credential", "1", "0613"),
    "A2": ("uni-a", "micro-credential", "2", "0613"),
    "A3": ("uni-a", "postgraduate", None, "0311"),
    "B1": ("uni-b", "course-units", None, "0222"),
    "B2": ("uni-b", "micro-credential", "2", "0222"),
    "C1": ("hs-c", "further-training", None, "0913"),
    "C2": ("hs-c", "micro-credential", "3a", "0913"),
    "D1": ("hs-d", "postgraduate", None, "0311"),  # hs-d offers one offering only
    "E1": ("inst-e", "further-training", None, "0413"),
}


def snapshot(rows: Sequence[Enrolled]) -> Snapshot:
    """A statistics snapshot of the register holding ``rows`` (one edition per offering and year), taken
    through the statistics port from plain lists (``tests/stats/facts.py``)."""
    provider_ids = {slug: n + 1 for n, slug in enumerate(PROVIDERS)}
    offering_ids = {code: n + 1 for n, code in enumerate(OFFERINGS)}
    editions: dict[tuple[str, int], int] = {}
    edition_rows = []
    for row in rows:
        if (row.offering, row.year) not in editions:
            editions[(row.offering, row.year)] = len(editions) + 1
            edition_rows.append((len(editions), offering_ids[row.offering], row.year, row.capacity))
    source = FactsInMemory(
        providers_rows=[(provider_ids[slug], slug, {"nl": slug, "en": slug}, kind) for slug, kind in PROVIDERS.items()],
        offerings_rows=[
            (offering_ids[code], provider_ids[provider], code, {"nl": code}, kind, flemish, 50, 6, 6, field, "online")
            for code, (provider, kind, flemish, field) in OFFERINGS.items()
        ],
        editions_rows=edition_rows,
        enrolments_rows=[
            (editions[(row.offering, row.year)], row.learner, row.contract, row.status, row.age, row.outcome)
            for row in rows
        ],
    )
    return take_snapshot(source)


def scopes() -> dict[str, Scope]:
    """The scopes the attacks combine: overall, all providers, per provider type, per kind, per provider."""
    return {
        "higher-education": Scope(0, 0, HIGHER_EDUCATION),
        "all": Scope(0, 0, EVERY_TYPE),
        **{f"type={t}": Scope(0, 0, (t,)) for t in EVERY_TYPE},
        **{f"kind={kind}": Scope(0, 0, EVERY_TYPE, (kind,)) for kind in BROAD_KINDS},
        **{f"provider={p}": Scope(0, 0, EVERY_TYPE, BROAD_KINDS, (p,)) for p in PROVIDERS},
    }


def publish(rows: Sequence[Enrolled], chosen: Sequence[str] = (), *, k: int = 5) -> dict[str, ParliamentReport]:
    """Every report of the ``chosen`` scopes (all when empty) over every range of the rows' years."""
    return dict(reports(rows, chosen, k=k))


def reports(
    rows: Sequence[Enrolled], chosen: Sequence[str] = (), *, k: int = 5
) -> Iterator[tuple[str, ParliamentReport]]:
    """The reports of ``publish`` one at a time (an attacker comparing two registers stops at a difference)."""
    # The keyword exists since issue 13; without it these attacks run unchanged against the code before.
    keys = {"secret": SECRET} if "secret" in inspect.signature(build_report).parameters else {}
    shot = snapshot(rows)
    years = sorted({row.year for row in rows})
    try:
        for label, scope in scopes().items():
            if chosen and label not in chosen:
                continue
            for first in years:
                for last in years[years.index(first) :]:
                    report = build_report(shot, replace(scope, from_year=first, to_year=last), k=k, **keys)
                    yield f"{label} {first}-{last}", report
    finally:
        shot.close()


def figure(report: ParliamentReport, table: str, row: str, column: str) -> int | None:
    """A published count, or None when it is not shown (or the row is absent, i.e. 0)."""
    found = report.table(table)
    if row != "total" and row not in {r.key for r in found.rows}:
        return 0
    value = found.figure(row, column).value
    return None if value is None else int(value)
