"""The statistics facts as a Parquet dataset, and the parliament report over such a dataset.

A register holds a few million enrolments; a statistics office that gathers several registers, or a country's,
holds a hundred million. It gets the facts the report reads — the snapshot's tables (``stats.snapshot``) — as
Parquet, the enrolments and editions partitioned by academic year and provider in Hive's layout
(``enrolments/academic_year=2024/provider=ugent/….parquet``), which DuckDB, Spark (``stats.spark``), Arrow and
pandas all read. ``open_facts`` puts views with the snapshot's table shapes over such a dataset, so the very same
report code runs on it (decision 0039).

The dataset holds the source rows of counts of persons *before* disclosure protection (learners by their register
id, never a pseudonym or a name): it is for the statistics office, not for publication. Only the columns named
in ``COLUMNS`` are written, so a column added to the snapshot later never leaves the register unnoticed.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from microcred.errors import Conflict, Invalid
from microcred.stats.model import ParliamentReport
from microcred.stats.queries import Scope, providers_in_scope
from microcred.stats.recognition import Recognitions
from microcred.stats.report import build_report
from microcred.stats.snapshot import Snapshot, connect

__all__ = ["COLUMNS", "MANIFEST", "PARTITIONED", "FactsWritten", "open_facts", "report_from_facts", "write_facts"]

#: The snapshot's tables and the columns written of each, in the snapshot's order (the views give it back).
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "stat_providers": ("id", "slug", "name_nl", "name_en", "type"),
    "stat_offerings": (
        "id", "provider_id", "code", "title_nl", "title_en", "kind", "offer_kind", "ects_band", "eqf", "vks",
        "field", "participation", "ects",
    ),
    "stat_editions": (
        "id", "offering_id", "academic_year", "capacity", "provider_id", "provider", "provider_type", "offer_kind",
        "field",
    ),
    "stat_enrolments": (
        "academic_year", "offering_id", "edition_id", "learner_id", "provider", "provider_type", "offer_kind",
        "field", "working", "employment_status", "contract_type", "age_band", "outcome", "learner_ids", "profile",
    ),
    "stat_codes": ("dimension", "code", "value"),
}  # fmt: skip
#: Tables partitioned by academic year and provider (a folder each); the others are one file each.
PARTITIONED = ("stat_editions", "stat_enrolments")
PARTITION_BY = ("academic_year", "provider")
#: Every table's columns and types with no rows, so a table without rows (no partition folders) still opens.
SCHEMAS = "_schema"
#: Marks a folder as a facts dataset, so writing again may replace it (and nothing else is ever replaced).
MANIFEST = "_microcred-facts.json"
FORMAT = "microcred statistics facts"
VERSION = 1
_HIVE_TYPES = "hive_types = {'academic_year': INTEGER, 'provider': VARCHAR}"  # a slug such as 2024 stays text


@dataclass(frozen=True, slots=True)
class FactsWritten:
    """Where the dataset was written and how many rows each table holds."""

    directory: Path
    rows: Mapping[str, int]


def _name(table: str) -> str:
    return table.removeprefix("stat_")


def write_facts(snapshot: Snapshot, directory: Path) -> FactsWritten:
    """Write ``snapshot``'s tables into ``directory`` as a Parquet dataset, replacing an earlier one there.

    The dataset is written into a hidden sibling first and moved into place when whole, so a reader sees the
    previous dataset or the new one, never half of one (between the two renames, briefly, none). A directory
    that is not empty and holds no facts manifest is refused: it is someone else's, and is left untouched."""
    directory = directory.absolute()
    if directory.exists() and not _replaceable(directory):
        raise Conflict("facts-directory-foreign", directory=str(directory))
    directory.parent.mkdir(parents=True, exist_ok=True)
    partial = directory.with_name(f".{directory.name}.{os.getpid()}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        rows = {table: _write(snapshot, table, partial) for table in COLUMNS}
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "partitioned_by": list(PARTITION_BY),
            "tables": {_name(table): {"rows": count, "columns": list(COLUMNS[table])} for table, count in rows.items()},
            "learners": "register ids, not pseudonyms",
            "use": "source rows of counts not protected for disclosure: for the statistics office, not publication",
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        _swap(partial, directory)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return FactsWritten(directory, rows)


def _replaceable(directory: Path) -> bool:
    if not directory.is_dir():
        return False
    return not any(directory.iterdir()) or (directory / MANIFEST).is_file()


def _write(snapshot: Snapshot, table: str, target: Path) -> int:
    """One table: a file, or for a partitioned table one ``COPY`` per academic year partitioned by provider.

    DuckDB's partitioned ``COPY`` holds the rows of every open partition in memory (2.2 GB for 5 million
    enrolments over 240 partitions, measured); a year at a time holds one year's."""
    select = f"SELECT {', '.join(COLUMNS[table])} FROM {table}"
    if table in PARTITIONED:
        rest = ", ".join(c for c in COLUMNS[table] if c != "academic_year")
        years = snapshot.db.execute(f"SELECT DISTINCT academic_year FROM {table} ORDER BY 1").fetchall()
        (target / _name(table)).mkdir()
        for (year,) in years:
            path = target / _name(table) / f"academic_year={int(year)}"
            snapshot.db.execute(
                f"COPY (SELECT {rest} FROM {table} WHERE academic_year = {int(year)}) TO '{_quoted(path)}' "
                "(FORMAT parquet, PARTITION_BY (provider))"
            )
    else:
        snapshot.db.execute(f"COPY ({select}) TO '{_quoted(target / f'{_name(table)}.parquet')}' (FORMAT parquet)")
    schema = target / SCHEMAS / f"{_name(table)}.parquet"
    schema.parent.mkdir(exist_ok=True)
    snapshot.db.execute(f"COPY ({select} LIMIT 0) TO '{_quoted(schema)}' (FORMAT parquet)")
    found = snapshot.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
    return int(found[0]) if found else 0


def _swap(partial: Path, directory: Path) -> None:
    """Move the finished dataset into place; an earlier dataset is moved aside first and then removed."""
    if directory.exists() and any(directory.iterdir()):
        aside = directory.with_name(f".{directory.name}.{os.getpid()}.old")
        shutil.rmtree(aside, ignore_errors=True)
        os.replace(directory, aside)
        os.replace(partial, directory)
        shutil.rmtree(aside, ignore_errors=True)
    else:
        os.replace(partial, directory)  # over an empty directory, or none


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


#: A row's place in the dataset, for ``stats.reference`` to find a row again: the file, then the row in the file.
_ROWID = "(file_index::BIGINT << 32) + file_row_number AS rowid"


def open_facts(directory: Path, *, providers: tuple[str, ...] | None = None) -> Snapshot:
    """A snapshot whose tables are views over the Parquet dataset in ``directory`` (see ``write_facts``).

    ``stat_enrolments`` holds the rows in the files' order (``stats.tally`` orders them by their own values, so
    nothing is sorted here) with their place in the dataset as ``rowid``. With ``providers`` (slugs) it reads
    the partitions of those providers only: the other enrolments' files are never opened."""
    manifest = _manifest(directory)
    db = connect()
    for table, columns in COLUMNS.items():
        if not manifest["tables"][_name(table)]["rows"]:
            files = f"'{_quoted(directory / SCHEMAS / f'{_name(table)}.parquet')}'"
        elif table in PARTITIONED:
            files = f"'{_quoted(directory / _name(table))}/*/*/*.parquet', hive_partitioning = true, {_HIVE_TYPES}"
        else:
            files = f"'{_quoted(directory / f'{_name(table)}.parquet')}'"
        numbered = f", {_ROWID}" if table == "stat_enrolments" else ""
        select = f"SELECT {', '.join(columns)}{numbered} FROM read_parquet({files})"
        if table == "stat_enrolments" and providers is not None:
            chosen = ", ".join(f"'{slug.replace(chr(39), chr(39) * 2)}'" for slug in providers) or "NULL"
            select += f" WHERE provider IN ({chosen})"
        db.execute(f"CREATE VIEW {table} AS {select}")
    return Snapshot(db)


def _manifest(directory: Path) -> dict[str, Any]:
    """The dataset's manifest; a folder without one (or of another format or version) is refused."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise Invalid("facts-directory-unknown", directory=str(directory.absolute()))
    return manifest


def report_from_facts(
    directory: Path,
    scope: Scope,
    *,
    k: int,
    secret: bytes = b"",
    in_progress: int | None = None,
    recognitions: Recognitions | None = None,
) -> ParliamentReport:
    """``build_report`` over the Parquet dataset in ``directory``, reading only the enrolments of the providers
    in ``scope`` (the report counts no others). With the register's ``secret`` and ``k`` the figures equal the
    register's own report; the statistics office, holding the unprotected facts, may as well use ``k = 1``."""
    with_providers = open_facts(directory)
    try:
        chosen = tuple(str(row[0]) for row in providers_in_scope(with_providers.db, scope))
    finally:
        with_providers.close()
    snapshot = open_facts(directory, providers=chosen)
    try:
        return build_report(snapshot, scope, k=k, secret=secret, in_progress=in_progress, recognitions=recognitions)
    finally:
        snapshot.close()
