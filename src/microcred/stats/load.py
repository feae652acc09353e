"""Putting the register's columns into a snapshot: all of them (``take_snapshot``), or only what changed.

Batches from the ``StatisticsSource`` port go into DuckDB one at a time (``stage_*``), so a full copy of
ten million enrolments holds one batch in Python and leaves the rest to DuckDB, which spills to disk under
its memory limit (issue 21: the copy took 7 GB when every column was gathered in NumPy first). The same
staging and the same SELECT serve ``stats.refresh``, which applies a change log to a kept snapshot: the two
paths cannot drift apart (decision 0038).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from microcred.stats.snapshot import (
    ACROSS_PROVIDERS,
    ACROSS_SCHEMES,
    CODED,
    PER_PROVIDER,
    UNKNOWN,
    WORKING,
    Snapshot,
    connect,
    ects_band,
    offer_kind,
)
from microcred.stats.source import EditionColumns, EnrolmentColumns, OfferingColumns, ProviderColumns, StatisticsSource
from microcred.vocab import isced_broad_field, vocabulary

__all__ = [
    "CODE_SIZES",
    "EDITIONS",
    "enrolments_select",
    "offerings_select",
    "stage_editions",
    "stage_enrolments",
    "stage_offerings",
    "stage_providers",
    "take_snapshot",
]

#: DuckDB's memory while copying into a snapshot file; beyond it, it spills to ``<file>.tmp``.
MEMORY_LIMIT = "400MB"

_PROVIDERS = (
    ("id", "INTEGER"),
    ("slug", "VARCHAR"),
    ("name_nl", "VARCHAR"),
    ("name_en", "VARCHAR"),
    ("type", "VARCHAR"),
)
_OFFERINGS = (
    ("id", "INTEGER"),
    ("provider_id", "INTEGER"),
    ("code", "VARCHAR"),
    ("title_nl", "VARCHAR"),
    ("title_en", "VARCHAR"),
    ("kind", "VARCHAR"),
    ("offer_kind", "VARCHAR"),
    ("ects_tenths", "INTEGER"),
    ("ects_band", "VARCHAR"),
    ("eqf", "VARCHAR"),
    ("vks", "VARCHAR"),
    ("field", "VARCHAR"),
    ("participation", "VARCHAR"),
)
_EDITIONS = (("id", "INTEGER"), ("offering_id", "INTEGER"), ("academic_year", "INTEGER"), ("capacity", "INTEGER"))
_ENROLMENTS = (
    ("id", "INTEGER"),
    ("edition_id", "INTEGER"),
    ("learner_id", "INTEGER"),
    *((n, "VARCHAR") for n in CODED),
)

#: ``stat_editions`` from the staged raw editions: each edition with its offering's and provider's values.
EDITIONS = (
    "SELECT e.id, e.offering_id, e.academic_year, NULLIF(e.capacity, -1)::INTEGER AS capacity, "
    "o.provider_id, p.slug AS provider, p.type AS provider_type, o.offer_kind, o.field "
    "FROM staged_editions e JOIN stat_offerings o ON o.id = e.offering_id JOIN stat_providers p ON p.id = o.provider_id"
)


def take_snapshot(source: StatisticsSource, *, path: Path | None = None, token: str = "") -> Snapshot:
    """Copy the register's statistical columns from ``source`` into a new DuckDB database, in memory or in
    the file ``path`` (which must not exist yet; the caller removes it if the copy fails); ``token`` is kept
    in ``stat_meta``."""
    db = connect(path)
    if path is not None:
        db.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    stage_providers(db, source.providers())
    db.execute("CREATE TABLE stat_providers AS SELECT * FROM staged_providers")
    stage_offerings(db, source.offerings())
    db.execute(f"CREATE TABLE stat_offerings AS {_OFFERINGS_SELECT}")
    stage_editions(db, source.editions())
    db.execute(f"CREATE TABLE stat_editions AS {EDITIONS}")
    stage_enrolments(db, source.enrolments())
    db.execute(f"CREATE TABLE stat_codes AS {_CODES}")
    db.execute(f"CREATE TABLE stat_enrolments AS {enrolments_select(db)} ORDER BY n.learner_id, e.academic_year")
    db.execute("DROP TABLE staged_providers; DROP TABLE staged_offerings; DROP TABLE staged_editions")
    db.execute("DROP TABLE staged_enrolments")
    db.execute("CREATE TABLE stat_meta AS SELECT CAST($token AS VARCHAR) AS token", {"token": token})
    return Snapshot(db)


#: ``stat_offerings`` from the staged rows: ECTS back from whole tenths.
_OFFERINGS_SELECT = (
    "SELECT * EXCLUDE (ects_tenths), CAST(ects_tenths AS DECIMAL(4, 1)) / 10 AS ects FROM staged_offerings"
)

#: Each learner-side value's code: its position among the dimension's values, sorted (as ``stats.tally`` reads).
_CODES = " UNION ALL ".join(
    f"SELECT '{name}' AS dimension, (row_number() OVER (ORDER BY value) - 1)::INTEGER AS code, value "
    f"FROM (SELECT DISTINCT {name} AS value FROM staged_enrolments)"
    for name in CODED
)


def offerings_select() -> str:
    """The SELECT that turns ``staged_offerings`` into rows of ``stat_offerings``."""
    return _OFFERINGS_SELECT


def enrolments_select(db: duckdb.DuckDBPyConnection) -> str:
    """The SELECT that turns ``staged_enrolments`` into rows of ``stat_enrolments``, coded by ``stat_codes``:
    the learner-side codes packed into one ``profile``, mixed-radix in ``CODED`` order."""
    sizes = dict.fromkeys(CODED, 0)
    sizes.update({str(name): int(size) for name, size in db.execute(CODE_SIZES).fetchall()})
    profile = "0"
    for name in CODED:
        profile = f"({profile}) * {max(sizes[name], 1)} + c_{name}.code"
    working = " ".join(f"WHEN '{code}' THEN '{split}'" for code, split in WORKING.items())
    joins = " ".join(
        f"JOIN stat_codes AS c_{name} ON c_{name}.dimension = '{name}' AND c_{name}.value = n.{name}" for name in CODED
    )
    return (
        "SELECT e.academic_year, e.offering_id, n.edition_id, n.learner_id, e.provider, e.provider_type, "
        f"e.offer_kind, e.field, CASE n.employment_status {working} ELSE 'unknown' END AS working, "
        + ", ".join(f"n.{name}" for name in CODED)
        + f", ({profile})::INTEGER AS profile, n.id FROM staged_enrolments n "
        + f"JOIN stat_editions e ON e.id = n.edition_id {joins}"
    )


#: How many values each coded dimension has (the radix of its digit in ``profile``).
CODE_SIZES = "SELECT dimension, COUNT(*) FROM stat_codes GROUP BY dimension"


def stage_providers(db: duckdb.DuckDBPyConnection, batches: Iterable[ProviderColumns]) -> None:
    """``staged_providers``: the providers' rows as ``stat_providers`` holds them."""
    _table(db, "staged_providers", _PROVIDERS)
    for batch in batches:
        rows = zip(batch.id, batch.slug, batch.name, batch.type, strict=True)
        labelled = [(p, slug, _label(n, "nl", slug), _label(n, "en", slug), t) for p, slug, n, t in rows]
        _append(db, "staged_providers", _PROVIDERS, labelled)


def stage_offerings(db: duckdb.DuckDBPyConnection, batches: Iterable[OfferingColumns]) -> None:
    """``staged_offerings``: the offerings with the report's derived values (offer kind, ECTS band, field)."""
    _table(db, "staged_offerings", _OFFERINGS)
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
        rows = [
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
            for oid, pid, code, title, kind, ftype, tenths, eqf, vks, isced, form in zip(*columns, strict=True)
        ]
        _append(db, "staged_offerings", _OFFERINGS, rows)


def stage_editions(db: duckdb.DuckDBPyConnection, batches: Iterable[EditionColumns]) -> None:
    """``staged_editions``: id, offering, academic year and capacity (-1 for none: NumPy integers have no
    null; ``EDITIONS`` turns it back)."""
    _table(db, "staged_editions", _EDITIONS)
    for batch in batches:
        capacity = np.fromiter((-1 if c is None else c for c in batch.capacity), np.int64, len(batch.capacity))
        columns = {"id": _ints(batch.id), "offering_id": _ints(batch.offering_id)}
        columns |= {"academic_year": _ints(batch.academic_year), "capacity": capacity}
        _append_columns(db, "staged_editions", columns)


def stage_enrolments(db: duckdb.DuckDBPyConnection, batches: Iterable[EnrolmentColumns]) -> None:
    """``staged_enrolments``: ids and the learner-side values, the learner's scheme read as how the learner is
    counted (decision 0018)."""
    _table(db, "staged_enrolments", _ENROLMENTS)
    for batch in batches:
        columns: dict[str, np.ndarray[Any, Any]] = {
            "id": _ints(batch.id),
            "edition_id": _ints(batch.edition_id),
            "learner_id": _ints(batch.learner_id),
            "employment_status": _texts(batch.employment_status),
            "contract_type": _texts(batch.contract_type),
            "age_band": _texts(batch.age_band),
            "outcome": _texts(batch.outcome),
            "learner_ids": _texts(
                ACROSS_PROVIDERS if s in ACROSS_SCHEMES else PER_PROVIDER for s in batch.learner_scheme
            ),
        }
        _append_columns(db, "staged_enrolments", columns)


def _table(db: duckdb.DuckDBPyConnection, name: str, columns: Sequence[tuple[str, str]]) -> None:
    """A staging table, temporary: it is dropped before the snapshot is used, so a snapshot file never writes its
    rows to the write-ahead log and the file (a refresh's commit of 100,000 staged enrolments wrote them twice)."""
    db.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({', '.join(f'{c} {t}' for c, t in columns)})")


def _append(
    db: duckdb.DuckDBPyConnection, name: str, columns: Sequence[tuple[str, str]], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Append Python rows in one statement (DuckDB's executemany is row by row), each column cast to its type
    (a column of only NULLs has no type of its own)."""
    arrays = {column: np.array([row[i] for row in rows], dtype=object) for i, (column, _) in enumerate(columns)}
    casts = ", ".join(f'CAST("{column}" AS {kind}) AS "{column}"' for column, kind in columns)
    _append_columns(db, name, arrays, casts)


def _append_columns(
    db: duckdb.DuckDBPyConnection, name: str, columns: Mapping[str, np.ndarray[Any, Any]], select: str = "*"
) -> None:
    db.register("_batch", dict(columns))
    db.execute(f"INSERT INTO {name} BY NAME SELECT {select} FROM _batch")
    db.unregister("_batch")


def _ints(column: Sequence[int]) -> np.ndarray[Any, Any]:
    return np.fromiter(column, dtype=np.int64, count=len(column))


def _texts(column: Iterable[str]) -> np.ndarray[Any, Any]:
    return np.array(list(column), dtype=object)


def _counted(scheme: str | None) -> str:
    return ACROSS_PROVIDERS if scheme in ACROSS_SCHEMES else PER_PROVIDER


def _label(texts: Mapping[str, str], language: str, fallback: str) -> str:
    other = "en" if language == "nl" else "nl"
    return texts.get(language) or texts.get(other) or fallback


def _broad_field(code: str | None) -> str:
    if code is None or code not in vocabulary("isced-f"):
        return UNKNOWN
    return isced_broad_field(code)
