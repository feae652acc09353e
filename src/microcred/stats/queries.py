"""The named SQL questions (``stats/sql/*.sql``) and a runner that works on DuckDB and on SQLite alike.

Queries are written in the SQL both engines share, with ``$name`` parameters, so the benchmark can run the
very same text directly in SQLite. ``{placeholders}`` are filled only from the fixed dimension maps below,
never from user input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Protocol

__all__ = [
    "BROAD_KINDS",
    "ENROLMENT_DIMENSIONS",
    "OFFER_DIMENSIONS",
    "Counts",
    "Questions",
    "Scope",
    "SqlRunner",
    "create_scope",
    "enrolment_counts",
    "offer_counts",
    "providers_in_scope",
    "sql",
]

#: The broad EU reading the minister used: labelled micro-credentials plus course units under a credit
#: contract, postgraduates and further training. The narrow reading is labelled micro-credentials only.
BROAD_KINDS = ("micro-credential", "course-units", "postgraduate", "further-training")
_NARROW = "CASE WHEN {t}.offer_kind LIKE 'micro-credential%' THEN 'yes' ELSE 'no' END"
_BROAD = (
    "CASE WHEN {t}.offer_kind LIKE 'micro-credential%' "
    "OR {t}.offer_kind IN ('course-units', 'postgraduate', 'further-training') THEN 'yes' ELSE 'no' END"
)

OFFER_DIMENSIONS: Mapping[str, str] = {
    "total": "'all'",
    "narrow": _NARROW.format(t="o"),
    "broad": _BROAD.format(t="o"),
    "provider_type": "p.type",
    "provider": "p.slug",
    "offer_kind": "o.offer_kind",
    "field": "o.field",
    "eqf": "o.eqf",
    "vks": "o.vks",
    "participation": "o.participation",
    "ects_band": "o.ects_band",
}
ENROLMENT_DIMENSIONS: Mapping[str, str] = {
    "total": "'all'",
    "narrow": _NARROW.format(t="n"),
    "broad": _BROAD.format(t="n"),
    "working": "n.working",
    "employment_status": "n.employment_status",
    "contract_type": "n.contract_type",
    "age_band": "n.age_band",
    "provider_type": "n.provider_type",
    "provider": "n.provider",
    "offer_kind": "n.offer_kind",
    "field": "n.field",
    "learner_ids": "n.learner_ids",  # across-providers or per-provider (decision 0018)
}
_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")


class SqlRunner(Protocol):
    """A DuckDB or sqlite3 connection: ``execute(sql, parameters)`` returning a cursor."""

    def execute(self, query: str, parameters: Any = ..., /) -> Any: ...


@dataclass(frozen=True, slots=True)
class Scope:
    """What a report covers: academic years (start years, inclusive) and which providers and offer kinds."""

    from_year: int
    to_year: int
    provider_types: tuple[str, ...]
    kinds: tuple[str, ...] = BROAD_KINDS
    providers: tuple[str, ...] = ()

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.from_year, self.to_year + 1))


@dataclass(frozen=True, slots=True)
class Counts:
    """Enrolments, distinct learners and outcomes of one cell."""

    enrolments: int = 0
    learners: int = 0
    passed: int = 0
    decided: int = 0


@cache
def sql(name: str) -> str:
    """The text of a named query shipped in ``stats/sql``."""
    return (files("microcred.stats") / "sql" / f"{name}.sql").read_text(encoding="utf-8")


def run(db: SqlRunner, name: str, parameters: Mapping[str, object], **placeholders: str) -> list[tuple[Any, ...]]:
    """Run a named query; only the ``$parameters`` it uses are bound (DuckDB refuses extra ones)."""
    text = sql(name).format(**placeholders) if placeholders else sql(name)
    used = set(_PARAMETER.findall(text))
    return list(db.execute(text, {k: v for k, v in parameters.items() if k in used}).fetchall())


def _scope_lists(scope: Scope, *keys: str) -> tuple[dict[str, object], dict[str, str]]:
    """Parameters and ``{placeholders}`` for the scope's lists named ``keys`` (an empty provider list matches all)."""
    parameters: dict[str, object] = {}
    placeholders: dict[str, str] = {}
    lists = {"provider_types": scope.provider_types, "kinds": scope.kinds, "providers": scope.providers or ("",)}
    for key in keys:
        names = [f"{key}_{i}" for i in range(len(lists[key]))]
        parameters.update(zip(names, lists[key], strict=True))
        placeholders[key] = ", ".join(f"${name}" for name in names)
    placeholders["all_providers"] = "1 = 0" if scope.providers else "1 = 1"
    return parameters, placeholders


def create_scope(db: SqlRunner, scope: Scope) -> dict[str, object]:
    """(Re)create the ``scope_offerings`` table for ``scope``; returns the year parameters for later queries."""
    db.execute("DROP TABLE IF EXISTS scope_offerings")
    parameters, placeholders = _scope_lists(scope, "provider_types", "kinds", "providers")
    text = sql("scope_offerings").format(**placeholders)
    db.execute(text, parameters)
    return {"from_year": scope.from_year, "to_year": scope.to_year}


def providers_in_scope(db: SqlRunner, scope: Scope) -> list[tuple[Any, ...]]:
    """Slug and names of every provider in ``scope`` (``providers_in_scope.sql``), whether it reported or not."""
    parameters, placeholders = _scope_lists(scope, "provider_types", "providers")
    return run(db, "providers_in_scope", parameters, **placeholders)


def offer_counts(db: SqlRunner, years: Mapping[str, object], dimension: str) -> dict[tuple[int, str], int]:
    """Offerings per (academic year, value of ``dimension``)."""
    rows = run(db, "offer_per_year", years, dimension=OFFER_DIMENSIONS[dimension])
    return {(int(year), str(value)): int(count) for year, value, count in rows}


def enrolment_counts(
    db: SqlRunner, years: Mapping[str, object], dimension: str, *, per_year: bool = True
) -> dict[tuple[int, str], Counts]:
    """Enrolment counts per (academic year, value); with ``per_year=False`` over the whole range (year 0)."""
    rows = run(
        db,
        "enrolments_per_year",
        years,
        dimension=ENROLMENT_DIMENSIONS[dimension],
        year="n.academic_year" if per_year else "(n.academic_year * 0)",  # a bare 0 is a position
    )
    return {
        (int(y), str(v)): Counts(int(e), int(learners), int(p or 0), int(d or 0)) for y, v, e, learners, p, d in rows
    }


class Questions:
    """The named queries over one scope, each distinct question asked of the engine once."""

    def __init__(self, db: SqlRunner, scope: Scope) -> None:
        self.db = db
        self.years = create_scope(db, scope)
        self._offer: dict[str, dict[tuple[int, str], int]] = {}
        self._enrolments: dict[tuple[str, bool], dict[tuple[int, str], Counts]] = {}

    def offer(self, dimension: str) -> dict[tuple[int, str], int]:
        if dimension not in self._offer:
            self._offer[dimension] = offer_counts(self.db, self.years, dimension)
        return self._offer[dimension]

    def enrolments(self, dimension: str, *, per_year: bool = True) -> dict[tuple[int, str], Counts]:
        key = (dimension, per_year)
        if key not in self._enrolments:
            self._enrolments[key] = enrolment_counts(self.db, self.years, dimension, per_year=per_year)
        return self._enrolments[key]

    def run(self, name: str, **placeholders: str) -> list[tuple[Any, ...]]:
        return run(self.db, name, self.years, **placeholders)

    def editions_per_year(self) -> list[tuple[Any, ...]]:
        """Per year: editions, enrolments, editions with a capacity, capacity, their enrolments and learners."""
        return self.run("editions_per_year")

    def top_offerings(self, k: int, top: int) -> list[tuple[Any, ...]]:
        """The ``top`` most enrolled offerings with at least ``k`` learners (``offering_popularity.sql`` rows)."""
        found = []
        for row in self.run("offering_popularity"):
            if int(row[6]) >= k:
                found.append(row)
            if len(found) == top:
                break
        return found
