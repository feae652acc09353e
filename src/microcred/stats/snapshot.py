"""A read-only DuckDB copy of the columns statistics need, taken from the register in one transaction.

DuckDB cannot attach SQLite or PostgreSQL offline (its scanner extensions are downloaded on first use,
which a register must not do), so the columns come through the ``StatisticsSource`` port (``stats.source``,
implemented by ``storage.statistics``) in batches and are handed to DuckDB as NumPy columns. See
docs/decisions/0003-statistics-engine.md for the measurements behind this choice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from microcred.stats.source import EditionColumns, EnrolmentColumns, OfferingColumns, ProviderColumns, StatisticsSource
from microcred.vocab import isced_broad_field, vocabulary

__all__ = [
    "ACROSS_PROVIDERS",
    "CODED",
    "PER_PROVIDER",
    "UNKNOWN",
    "Snapshot",
    "ects_band",
    "offer_kind",
    "take_snapshot",
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

_WORKING = {"employed": "working", "self-employed": "working", "job-seeking": "not-working"}
_WORKING["not-in-labour-force"] = "not-working"
#: Learner-side columns of ``stat_enrolments`` packed into one integer ``profile``: each value's position in
#: ``stat_codes`` (values sorted), mixed-radix in this order, so counting needs no string comparisons.
CODED = ("employment_status", "contract_type", "age_band", "outcome", "learner_ids")
#: How a learner was counted (decision 0018): an INSZ, ESI or register-wide id is one person at every provider;
#: a provider's own number, or an enrolment whose scheme was not recorded, may be one person per provider.
ACROSS_PROVIDERS, PER_PROVIDER = "across-providers", "per-provider"
_ACROSS_SCHEMES = frozenset(("insz", "esi", "register"))


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
    (ordered by learner and academic year) and ``stat_codes``."""

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


def take_snapshot(source: StatisticsSource, *, path: Path | None = None, token: str = "") -> Snapshot:
    """Copy the register's statistical columns from ``source`` into a new DuckDB database, in memory or in
    the file ``path`` (which must not exist yet); ``token`` is kept in ``stat_meta``."""
    providers = _provider_rows(source.providers())
    offerings = _offering_rows(source.offerings())
    editions = _edition_columns(source.editions())
    enrolments, codes = _enrolment_columns(source.enrolments())
    db = connect(path)  # only once everything was read: a failed read leaves no file behind
    names = ("id", "slug", "name_nl", "name_en", "type")
    _create(db, "stat_providers", names, ("INTEGER", *["VARCHAR"] * 4), providers)
    _load_offerings(db, offerings)
    _load_facts(db, editions, enrolments, codes)
    db.execute("CREATE TABLE stat_meta AS SELECT CAST($token AS VARCHAR) AS token", {"token": token})
    return Snapshot(db)


def _label(texts: Mapping[str, str], language: str, fallback: str) -> str:
    other = "en" if language == "nl" else "nl"
    return texts.get(language) or texts.get(other) or fallback


def _broad_field(code: str | None) -> str:
    if code is None or code not in vocabulary("isced-f"):
        return UNKNOWN
    return isced_broad_field(code)


def _provider_rows(batches: Iterable[ProviderColumns]) -> list[tuple[Any, ...]]:
    return [
        (pid, slug, _label(name, "nl", slug), _label(name, "en", slug), ptype)
        for batch in batches
        for pid, slug, name, ptype in zip(batch.id, batch.slug, batch.name, batch.type, strict=True)
    ]


def _offering_rows(batches: Iterable[OfferingColumns]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for batch in batches:
        columns = (
            batch.id,
            batch.provider_id,
            batch.code,
            batch.title,
            batch.kind,
            batch.flemish_type,
            batch.ects_tenths,
            batch.eqf_level,
            batch.vks_level,
            batch.isced_field,
            batch.participation_form,
        )
        for oid, pid, code, title, kind, ftype, tenths, eqf, vks, isced, form in zip(*columns, strict=True):
            rows.append(
                (
                    oid,
                    pid,
                    code,
                    _label(title, "nl", code),
                    _label(title, "en", code),
                    kind,
                    offer_kind(kind, ftype),
                    tenths,
                    ects_band(None if tenths is None else Decimal(tenths) / 10),
                    UNKNOWN if eqf is None else str(eqf),
                    UNKNOWN if vks is None else str(vks),
                    _broad_field(isced),
                    form or UNKNOWN,
                )
            )
    return rows


def _load_offerings(db: duckdb.DuckDBPyConnection, rows: Sequence[tuple[Any, ...]]) -> None:
    names = (
        "id",
        "provider_id",
        "code",
        "title_nl",
        "title_en",
        "kind",
        "offer_kind",
        "ects_tenths",
        "ects_band",
        "eqf",
        "vks",
        "field",
        "participation",
    )
    _create(db, "raw_offerings", names, ("INTEGER", "INTEGER", *["VARCHAR"] * 5, "INTEGER", *["VARCHAR"] * 5), rows)
    db.execute(
        "CREATE TABLE stat_offerings AS SELECT * EXCLUDE (ects_tenths), "
        "CAST(ects_tenths AS DECIMAL(4, 1)) / 10 AS ects FROM raw_offerings"
    )
    db.execute("DROP TABLE raw_offerings")


def _create(
    db: duckdb.DuckDBPyConnection,
    table: str,
    names: Sequence[str],
    types: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
) -> None:
    """Create ``table`` from Python rows in one statement (DuckDB's executemany is row by row)."""
    columns = {name: np.array([row[i] for row in rows], dtype=object) for i, name in enumerate(names)}
    db.register("_rows", columns)
    select = ", ".join(f'CAST("{name}" AS {kind}) AS "{name}"' for name, kind in zip(names, types, strict=True))
    db.execute(f"CREATE TABLE {table} AS SELECT {select} FROM _rows")
    db.unregister("_rows")


_Columns = dict[str, "np.ndarray[Any, Any]"]


def _ints(column: Sequence[int]) -> np.ndarray[Any, Any]:
    return np.fromiter(column, dtype=np.int64, count=len(column))


def _joined(parts: Sequence[np.ndarray[Any, Any]]) -> np.ndarray[Any, Any]:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _edition_columns(batches: Iterable[EditionColumns]) -> _Columns:
    parts: dict[str, list[np.ndarray[Any, Any]]] = {"id": [], "offering_id": [], "academic_year": [], "capacity": []}
    for batch in batches:
        parts["id"].append(_ints(batch.id))
        parts["offering_id"].append(_ints(batch.offering_id))
        parts["academic_year"].append(_ints(batch.academic_year))
        capacity = batch.capacity  # -1 for none: NumPy integers have no null, DuckDB turns it back (NULLIF)
        parts["capacity"].append(np.fromiter((-1 if c is None else c for c in capacity), np.int64, len(capacity)))
    return {name: _joined(columns) for name, columns in parts.items()}


class _Coder:
    """A text column as codes into its distinct values, across batches; code order is value order."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}
        self._parts: list[np.ndarray[Any, Any]] = []

    def add(self, column: Sequence[str]) -> None:
        seen = self._seen
        for value in set(column).difference(seen):
            seen[value] = len(seen)
        self._parts.append(np.fromiter(map(seen.__getitem__, column), dtype=np.int64, count=len(column)))

    def codes(self) -> tuple[np.ndarray[Any, Any], list[str]]:
        values = sorted(self._seen)
        remap = np.empty(len(values), dtype=np.int64)
        for position, value in enumerate(values):
            remap[self._seen[value]] = position
        return remap[_joined(self._parts)], values


def _enrolment_columns(batches: Iterable[EnrolmentColumns]) -> tuple[_Columns, list[tuple[str, int, str]]]:
    """The enrolments' ids and their learner-side columns coded and packed into ``profile`` (see ``CODED``)."""
    edition_ids: list[np.ndarray[Any, Any]] = []
    learner_ids: list[np.ndarray[Any, Any]] = []
    coders = {name: _Coder() for name in CODED}
    for batch in batches:
        edition_ids.append(_ints(batch.edition_id))
        learner_ids.append(_ints(batch.learner_id))
        coders["employment_status"].add(batch.employment_status)
        coders["contract_type"].add(batch.contract_type)
        coders["age_band"].add(batch.age_band)
        coders["outcome"].add(batch.outcome)
        coders["learner_ids"].add(
            [ACROSS_PROVIDERS if s in _ACROSS_SCHEMES else PER_PROVIDER for s in batch.learner_scheme]
        )
    columns = {"edition_id": _joined(edition_ids), "learner_id": _joined(learner_ids)}
    codes: list[tuple[str, int, str]] = []
    profile = np.zeros(len(columns["edition_id"]), dtype=np.int64)
    for name in CODED:
        column, values = coders[name].codes()
        columns[f"{name}_code"] = column
        profile = profile * max(len(values), 1) + column
        codes += [(name, code, value) for code, value in enumerate(values)]
    columns["profile"] = profile
    return columns, codes


def _load_facts(
    db: duckdb.DuckDBPyConnection, raw_editions: _Columns, raw_enrolments: _Columns, codes: list[tuple[str, int, str]]
) -> None:
    db.register("raw_editions", raw_editions)
    db.execute(
        "CREATE TABLE stat_editions AS SELECT e.id::INTEGER AS id, e.offering_id::INTEGER AS offering_id, "
        "e.academic_year::INTEGER AS academic_year, NULLIF(e.capacity, -1)::INTEGER AS capacity, "
        "o.provider_id, p.slug AS provider, p.type AS provider_type, o.offer_kind, o.field "
        "FROM raw_editions e JOIN stat_offerings o ON o.id = e.offering_id "
        "JOIN stat_providers p ON p.id = o.provider_id"
    )
    db.unregister("raw_editions")
    _create(db, "stat_codes", ("dimension", "code", "value"), ("VARCHAR", "INTEGER", "VARCHAR"), codes)
    working = " ".join(f"WHEN '{code}' THEN '{split}'" for code, split in _WORKING.items())
    joins = " ".join(
        f"JOIN stat_codes AS c_{name} ON c_{name}.dimension = '{name}' AND c_{name}.code = n.{name}_code"
        for name in CODED
    )
    db.register("raw_enrolments", raw_enrolments)
    db.execute(
        "CREATE TABLE stat_enrolments AS SELECT e.academic_year, e.offering_id, n.edition_id::INTEGER AS edition_id, "
        "n.learner_id::INTEGER AS learner_id, e.provider, e.provider_type, e.offer_kind, e.field, "
        f"CASE c_employment_status.value {working} ELSE 'unknown' END AS working, "
        + ", ".join(f"c_{name}.value AS {name}" for name in CODED)
        + f", n.profile::INTEGER AS profile FROM raw_enrolments n JOIN stat_editions e ON e.id = n.edition_id {joins}"
        " ORDER BY n.learner_id, e.academic_year"  # stats.tally walks each learner's rows in one run
    )
    db.unregister("raw_enrolments")
