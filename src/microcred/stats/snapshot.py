"""A read-only DuckDB copy of the columns statistics need, taken from the register in one transaction.

DuckDB cannot attach SQLite or PostgreSQL offline (its scanner extensions are downloaded on first use,
which a register must not do), so the columns come through the ``StatisticsSource`` port (``stats.source``,
implemented by ``storage.statistics``) in batches and are handed to DuckDB as NumPy columns. See
docs/decisions/0003-statistics-engine.md for the measurements behind this choice. This module holds what a
snapshot is and the report's derived values; ``stats.load`` copies a register into one and ``stats.refresh``
brings one up to date with only what changed (decision 0038).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

__all__ = [
    "ACROSS_PROVIDERS",
    "ACROSS_SCHEMES",
    "CODED",
    "PER_PROVIDER",
    "UNKNOWN",
    "WORKING",
    "Snapshot",
    "ects_band",
    "offer_kind",
]

UNKNOWN = "unknown"

#: ECTS bands of the parliament report, as half-open intervals on the decimal ECTS value.
ECTS_BANDS: tuple[tuple[str, Decimal | None, Decimal | None], ...] = (
    ("<3", None, Decimal(3)),  # ects < 3
    ("3-5", Decimal(3), Decimal(6)),  # 3 <= ects < 6 (5.5 is in 3-5)
    ("6-10", Decimal(6), Decimal(11)),  # 6 <= ects < 11
    ("11-20", Decimal(11), Decimal("20.05")),  # 11 <= ects <= 20 (ECTS have one decimal)
    (">20", Decimal("20.05"), None),  # ects > 20
)

WORKING = {"employed": "working", "self-employed": "working", "job-seeking": "not-working"}
WORKING["not-in-labour-force"] = "not-working"
#: Learner-side columns of ``stat_enrolments`` packed into one integer ``profile``: each value's position in
#: ``stat_codes`` (values sorted), mixed-radix in this order, so counting needs no string comparisons.
CODED = ("employment_status", "contract_type", "age_band", "outcome", "learner_ids")
#: How a learner was counted (decision 0018): an INSZ, ESI or register-wide id is one person at every provider;
#: a provider's own number, or an enrolment whose scheme was not recorded, may be one person per provider.
ACROSS_PROVIDERS, PER_PROVIDER = "across-providers", "per-provider"
ACROSS_SCHEMES = frozenset(("insz", "esi", "register"))


def ects_band(ects: Decimal | None) -> str:
    """The report's ECTS band of a workload; ``unknown`` when the offering gives hours only."""
    if ects is None:
        return UNKNOWN
    for name, low, high in ECTS_BANDS:
        if (low is None or ects >= low) and (high is None or ects < high):
            return name
    raise AssertionError(f"no ECTS band for {ects}")  # pragma: no cover - the bands cover every value


def offer_kind(kind: str, flemish_type: str | None) -> str:
    """The offer kind shown in the report: labelled micro-credentials split by their Flemish type."""
    if kind != "micro-credential":
        return kind
    return f"micro-credential-{flemish_type}" if flemish_type else "micro-credential-untyped"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A DuckDB database holding ``stat_providers``, ``stat_offerings``, ``stat_editions``, ``stat_enrolments``
    (by learner and academic year after a full copy; a refresh appends), ``stat_codes`` and ``stat_meta``."""

    db: duckdb.DuckDBPyConnection

    def years_with_data(self) -> tuple[int, ...]:
        """The academic years (start years) in which some provider registered an edition, in order."""
        rows = self.db.execute("SELECT DISTINCT academic_year FROM stat_editions ORDER BY 1").fetchall()
        return tuple(int(year) for (year,) in rows)

    def close(self) -> None:
        self.db.close()


def connect(path: Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that never downloads extensions, using both cores (issue 7's 2-core machine)."""
    config: dict[str, Any] = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    return duckdb.connect(":memory:" if path is None else str(path), read_only=read_only, config=config)
