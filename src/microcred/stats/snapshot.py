"""A read-only DuckDB copy of the columns statistics need, taken from the register in one transaction.

DuckDB cannot attach SQLite or PostgreSQL offline (its scanner extensions are downloaded on first use,
which a register must not do), so the register's rows are fetched through the DB-API cursor of the
SQLAlchemy connection the service hands us and handed to DuckDB as NumPy columns. See
docs/decisions/0003-statistics-engine.md for the measurements behind this choice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from microcred.vocab import isced_broad_field, vocabulary

__all__ = ["CODED", "UNKNOWN", "Snapshot", "ects_band", "offer_kind", "take_snapshot"]

UNKNOWN = "unknown"

#: ECTS bands of the parliament report, as half-open intervals on the decimal ECTS value.
ECTS_BANDS: tuple[tuple[str, Decimal | None, Decimal | None], ...] = (
    ("<3", None, Decimal(3)),  # ects < 3
    ("3-5", Decimal(3), Decimal(6)),  # 3 <= ects < 6 (5.5 is in 3-5)
    ("6-10", Decimal(6), Decimal(11)),  # 6 <= ects < 11
    ("11-20", Decimal(11), Decimal("20.05")),  # 11 <= ects <= 20 (ECTS have one decimal)
    (">20", Decimal("20.05"), None),  # ects > 20
)

_PROVIDERS = "SELECT id, slug, name, type FROM providers"
_OFFERINGS = (
    "SELECT id, provider_id, code, title, kind, flemish_type, CAST(ROUND(ects * 10) AS INTEGER), "
    "eqf_level, vks_level, isced_field, participation_form FROM offerings"
)
_EDITIONS = "SELECT id, offering_id, academic_year, capacity FROM editions"
_ENROLMENTS = "SELECT edition_id, learner_id, contract_type, employment_status, age_band, outcome FROM enrolments"
_WORKING = {"employed": "working", "self-employed": "working", "job-seeking": "not-working"}
_WORKING["not-in-labour-force"] = "not-working"
#: Learner-side columns of ``stat_enrolments`` packed into one integer ``profile``: each value's position in
#: ``stat_codes`` (values sorted), mixed-radix in this order, so counting needs no string comparisons.
CODED = ("employment_status", "contract_type", "age_band", "outcome")


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

    def close(self) -> None:
        self.db.close()


def connect(path: Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that never downloads extensions, using both cores (issue 7's 2-core machine)."""
    config: dict[str, Any] = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    return duckdb.connect(":memory:" if path is None else str(path), read_only=read_only, config=config)


def take_snapshot(connection: Any, *, path: Path | None = None, token: str = "") -> Snapshot:
    """Copy the register's statistical columns from an SQLAlchemy ``Connection`` into a new DuckDB database,
    in memory or in the file ``path`` (which must not exist yet); ``token`` is kept in ``stat_meta``."""
    cursor = connection.connection.cursor()
    try:
        providers = _fetch(cursor, _PROVIDERS)
        offerings = _fetch(cursor, _OFFERINGS)
        editions = _fetch(cursor, _EDITIONS)
        enrolments = _fetch(cursor, _ENROLMENTS)
    finally:
        cursor.close()
    db = connect(path)
    _load_dimensions(db, providers, offerings)
    _load_facts(db, editions, enrolments)
    db.execute("CREATE TABLE stat_meta AS SELECT CAST($token AS VARCHAR) AS token", {"token": token})
    return Snapshot(db)


def _fetch(cursor: Any, sql: str) -> list[tuple[Any, ...]]:
    cursor.execute(sql)
    return list(cursor.fetchall())


def _texts(value: object) -> dict[str, str]:
    parsed = json.loads(value) if isinstance(value, str | bytes) else value
    return {str(k): str(v) for k, v in parsed.items()} if isinstance(parsed, dict) else {}


def _broad_field(code: str | None) -> str:
    if code is None or code not in vocabulary("isced-f"):
        return UNKNOWN
    return isced_broad_field(code)


def _load_dimensions(
    db: duckdb.DuckDBPyConnection, providers: Sequence[tuple[Any, ...]], offerings: Sequence[tuple[Any, ...]]
) -> None:
    provider_rows = []
    for pid, slug, name, ptype in providers:
        texts = _texts(name)
        provider_rows.append(
            (pid, slug, texts.get("nl") or texts.get("en") or slug, texts.get("en") or texts.get("nl") or slug, ptype)
        )
    _create(
        db, "stat_providers", ("id", "slug", "name_nl", "name_en", "type"), ("INTEGER", *["VARCHAR"] * 4), provider_rows
    )
    offering_rows: list[tuple[Any, ...]] = []
    for oid, pid, code, title, kind, ftype, tenths, eqf, vks, isced, form in offerings:
        texts = _texts(title)
        ects = None if tenths is None else Decimal(int(tenths)) / 10
        offering_rows.append(
            (
                oid,
                pid,
                code,
                texts.get("nl") or texts.get("en") or code,
                texts.get("en") or texts.get("nl") or code,
                kind,
                offer_kind(kind, ftype),
                None if tenths is None else int(tenths),
                ects_band(ects),
                UNKNOWN if eqf is None else str(eqf),
                UNKNOWN if vks is None else str(vks),
                _broad_field(isced),
                form or UNKNOWN,
            )
        )
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
    _create(
        db, "raw_offerings", names, ("INTEGER", "INTEGER", *["VARCHAR"] * 5, "INTEGER", *["VARCHAR"] * 5), offering_rows
    )
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


def _column(rows: Sequence[tuple[Any, ...]], index: int, kind: str) -> np.ndarray[Any, Any]:
    if kind == "int":
        return np.fromiter((row[index] for row in rows), dtype=np.int64, count=len(rows))
    return np.array([row[index] for row in rows], dtype=object)


def _load_facts(
    db: duckdb.DuckDBPyConnection, editions: Sequence[tuple[Any, ...]], enrolments: Sequence[tuple[Any, ...]]
) -> None:
    raw_editions = {  # noqa: F841 - read by DuckDB's replacement scan
        "id": _column(editions, 0, "int"),
        "offering_id": _column(editions, 1, "int"),
        "academic_year": _column(editions, 2, "int"),
        "capacity": np.array([row[3] if row[3] is not None else -1 for row in editions], dtype=np.int64),
    }
    db.execute(
        "CREATE TABLE stat_editions AS SELECT e.id::INTEGER AS id, e.offering_id::INTEGER AS offering_id, "
        "e.academic_year::INTEGER AS academic_year, NULLIF(e.capacity, -1)::INTEGER AS capacity, "
        "o.provider_id, p.slug AS provider, p.type AS provider_type, o.offer_kind, o.field "
        "FROM raw_editions e JOIN stat_offerings o ON o.id = e.offering_id "
        "JOIN stat_providers p ON p.id = o.provider_id"
    )
    raw_enrolments = {
        "edition_id": _column(enrolments, 0, "int"),
        "learner_id": _column(enrolments, 1, "int"),
    }
    codes: list[tuple[str, int, str]] = []
    profile = np.zeros(len(enrolments), dtype=np.int64)
    for name, index in zip(CODED, (3, 2, 4, 5), strict=True):
        column, values = _encode(enrolments, index)
        raw_enrolments[f"{name}_code"] = column
        profile = profile * max(len(values), 1) + column
        codes += [(name, code, value) for code, value in enumerate(values)]
    raw_enrolments["profile"] = profile
    _create(db, "stat_codes", ("dimension", "code", "value"), ("VARCHAR", "INTEGER", "VARCHAR"), codes)
    working = " ".join(f"WHEN '{code}' THEN '{split}'" for code, split in _WORKING.items())
    joins = " ".join(
        f"JOIN stat_codes AS c_{name} ON c_{name}.dimension = '{name}' AND c_{name}.code = n.{name}_code"
        for name in CODED
    )
    db.execute(
        "CREATE TABLE stat_enrolments AS SELECT e.academic_year, e.offering_id, n.edition_id::INTEGER AS edition_id, "
        "n.learner_id::INTEGER AS learner_id, e.provider, e.provider_type, e.offer_kind, e.field, "
        f"CASE c_employment_status.value {working} ELSE 'unknown' END AS working, "
        + ", ".join(f"c_{name}.value AS {name}" for name in CODED)
        + f", n.profile::INTEGER AS profile FROM raw_enrolments n JOIN stat_editions e ON e.id = n.edition_id {joins}"
        " ORDER BY n.learner_id, e.academic_year"  # stats.tally walks each learner's rows in one run
    )


def _encode(rows: Sequence[tuple[Any, ...]], index: int) -> tuple[np.ndarray[Any, Any], list[str]]:
    """Column ``index`` as codes into its sorted distinct values (so code order is value order)."""
    seen: dict[str, int] = {}
    first_seen = np.fromiter(
        (seen.setdefault(str(row[index]), len(seen)) for row in rows), dtype=np.int64, count=len(rows)
    )
    values = sorted(seen)
    remap = np.empty(len(values), dtype=np.int64)
    for position, value in enumerate(values):
        remap[seen[value]] = position
    return remap[first_seen] if len(rows) else first_seen, values
