"""The report's named SQL on Apache Spark (``stats.spark``) over the Parquet facts of a small register gives every
figure DuckDB gives. Spark runs in local mode in this process's JVM (one session for the module: starting one
takes seconds), downloads nothing and listens on loopback only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from microcred.domain import ProviderType
from microcred.stats import Scope, build_report, take_snapshot
from microcred.stats.parquet import write_facts
from tests.stats.register_data import facts

pyspark = pytest.importorskip("pyspark")  # a dev extra: the register itself never needs Spark

from microcred.stats.spark import SparkRunner, local_session, report_on_spark, spark_sql  # noqa: E402

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def session() -> Iterator[pyspark.sql.SparkSession]:
    started = local_session(cores=1)
    started.sparkContext.setLogLevel("ERROR")
    yield started
    started.stop()


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    snapshot = take_snapshot(facts())
    try:
        return write_facts(snapshot, tmp_path_factory.mktemp("spark") / "facts").directory
    finally:
        snapshot.close()


def test_every_figure_of_the_report_on_spark_equals_duckdbs(session: pyspark.sql.SparkSession, dataset: Path) -> None:
    every_type = tuple(t.value for t in ProviderType)
    scope = Scope(2020, 2024, every_type)  # 2024-25 has no data: the empty year is marked on both
    on_spark = report_on_spark(session, str(dataset), scope)
    snapshot = take_snapshot(facts())
    try:
        on_duckdb = build_report(snapshot, scope, k=1)
    finally:
        snapshot.close()
    assert on_spark == on_duckdb
    assert on_spark.enrolments.figure("enrolments", "2021-22").value == 40  # counted, not two empty reports
    assert on_spark.empty_years == ("2024-25",)


def test_the_scope_is_a_temporary_view_and_parameters_are_sparks(session: pyspark.sql.SparkSession) -> None:
    runner = SparkRunner(session)
    runner.execute(
        "-- a comment\nCREATE TEMPORARY TABLE picked AS SELECT id FROM range(10) WHERE id < $top", {"top": 3}
    )
    assert runner.execute("SELECT COUNT(*) FROM picked").fetchall() == [(3,)]
    runner.execute("DROP TABLE IF EXISTS picked")
    assert not session.catalog.tableExists("picked")
    assert spark_sql("WHERE y BETWEEN $from_year AND $to_year") == "WHERE y BETWEEN :from_year AND :to_year"
