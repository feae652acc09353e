"""The report's named SQL on Apache Spark, over a Parquet facts dataset (``stats.parquet``).

Beyond one machine the statistics office runs the very same questions (``stats/sql/*.sql``) on a Spark
cluster. The SQL is written in what DuckDB, SQLite and Spark share; two things differ and are translated here,
in one place, rather than keeping a Spark copy of each query (decision 0039):

- parameters: ``$name`` (DuckDB, SQLite) becomes ``:name``, Spark's named parameter marker;
- ``CREATE TEMPORARY TABLE x AS SELECT …`` (the report's scope) becomes a temporary view of that query, and
  ``DROP TABLE IF EXISTS x`` drops that view.

Every figure comes from the SQL one question at a time, on the facts as they are (``k = 1``): the protected copy
for publication is made where the register is (DuckDB and NumPy, ``stats.disclosure``), so a Spark report is the
statistics office's exact figures, not a publication. ``pyspark`` is not a dependency of the register; it is
imported only here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import StructType

from microcred.stats.model import ParliamentReport
from microcred.stats.parquet import COLUMNS, PARTITIONED, SCHEMAS
from microcred.stats.queries import Scope
from microcred.stats.report import build_exact_report

__all__ = ["SparkRunner", "local_session", "register_facts", "report_on_spark", "spark_sql"]

_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")
_CREATE = re.compile(
    r"^\s*(?:--[^\n]*\n\s*)*CREATE\s+TEMPORARY\s+TABLE\s+(\w+)\s+AS\s+(.*)$", re.DOTALL | re.IGNORECASE
)
_DROP = re.compile(r"^\s*DROP\s+TABLE\s+IF\s+EXISTS\s+(\w+)\s*$", re.IGNORECASE)


def spark_sql(query: str) -> str:
    """``query`` with Spark's parameter markers (``:name`` for ``$name``)."""
    return _PARAMETER.sub(r":\1", query)


class _Rows:
    def __init__(self, rows: Sequence[tuple[Any, ...]]) -> None:
        self._rows = list(rows)

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._rows

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows[0] if self._rows else None


class SparkRunner:
    """A ``queries.SqlRunner`` over a Spark session: what ``stats.queries`` and the report ask, run by Spark."""

    def __init__(self, session: SparkSession) -> None:
        self.session = session

    def execute(self, query: str, parameters: Mapping[str, object] | None = None, /) -> _Rows:
        args = dict(parameters or {})
        if dropped := _DROP.match(query):
            self.session.catalog.dropTempView(dropped.group(1))
            return _Rows(())
        if created := _CREATE.match(query):
            self._frame(created.group(2), args).createOrReplaceTempView(created.group(1))
            return _Rows(())
        return _Rows([tuple(row) for row in self._frame(query, args).collect()])

    def _frame(self, query: str, args: dict[str, object]) -> DataFrame:
        return self.session.sql(spark_sql(query), args=args) if args else self.session.sql(spark_sql(query))


def register_facts(session: SparkSession, directory: str) -> None:
    """Temporary views ``stat_providers`` … ``stat_enrolments`` over the dataset at ``directory`` (a local path
    or any URI the cluster reads: ``hdfs://``, ``s3a://``, ``abfss://``), typed by the dataset's own schema files
    (``_schema/``), so a partition value such as ``2024`` stays the text a provider slug is."""
    base = directory.rstrip("/")
    for table, columns in COLUMNS.items():
        name = table.removeprefix("stat_")
        schema: StructType = session.read.parquet(f"{base}/{SCHEMAS}/{name}.parquet").schema
        try:
            if table in PARTITIONED:
                frame = session.read.schema(schema).option("basePath", f"{base}/{name}").parquet(f"{base}/{name}")
            else:
                frame = session.read.schema(schema).parquet(f"{base}/{name}.parquet")
        except AnalysisException:  # a table without rows has no files (only its schema)
            frame = session.createDataFrame([], schema)
        frame.select(*columns).createOrReplaceTempView(table)


def report_on_spark(
    session: SparkSession, directory: str, scope: Scope, *, in_progress: int | None = None
) -> ParliamentReport:
    """The parliament report for ``scope`` with every figure asked of Spark through the named SQL (k = 1)."""
    register_facts(session, directory)
    runner = SparkRunner(session)
    years = [int(row[0]) for row in runner.execute("SELECT DISTINCT academic_year FROM stat_editions").fetchall()]
    return build_exact_report(runner, scope, years_with_data=sorted(years), in_progress=in_progress)


def local_session(*, cores: int = 1, app: str = "microcred") -> SparkSession:
    """A Spark session on this machine (``local[cores]``): loopback only, no UI, downloads nothing (no
    ``spark.jars.packages``), tuned for one register's facts, which are small: as many shuffle partitions as
    cores, no adaptive re-planning, no whole-stage code generation. For a cluster, build the session with
    ``.master(…)`` or ``.remote(…)`` instead (docs/statistics.md)."""
    return (
        SparkSession.builder.master(f"local[{cores}]")
        .appName(app)
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(cores))
        .config("spark.sql.adaptive.enabled", "false")  # re-planning pays off on large shuffles, not on these
        .config("spark.sql.codegen.wholeStage", "false")  # compiling each query costs more than running it here
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
