"""The statistics facts as a Parquet dataset (``stats.parquet``): written from the register, replaced whole, refused
over someone else's folder, holding no pseudonym, and giving the very same report as the register's snapshot."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from microcred.bootstrap import Register
from microcred.domain import ProviderType
from microcred.errors import Conflict, Invalid
from microcred.services.reports import export_facts, parliament_report
from microcred.stats import BROAD_KINDS, Scope, build_report, take_snapshot
from microcred.stats.parquet import COLUMNS, MANIFEST, FactsWritten, open_facts, report_from_facts, write_facts
from tests.databases import Content
from tests.stats.facts import FactsInMemory
from tests.stats.register_data import STATS_REGISTER, enrolments, facts

HIGHER_EDUCATION = tuple(t.value for t in ProviderType if t.is_higher_education)


def _write(source: FactsInMemory, target: Path) -> FactsWritten:
    snapshot = take_snapshot(source)
    try:
        return write_facts(snapshot, target)
    finally:
        snapshot.close()


@pytest.fixture
def register_content() -> Content:
    return STATS_REGISTER


def test_the_report_over_the_exported_facts_equals_the_registers_report(register: Register, tmp_path: Path) -> None:
    written = export_facts(register.uow, tmp_path / "facts")
    with register.uow() as work:
        secret = work.statistics.rounding_secret()
    published = parliament_report(register.uow, from_year="2020-21", to_year="2023-24", threshold=5)
    scope = Scope(2020, 2023, HIGHER_EDUCATION, kinds=BROAD_KINDS)
    assert report_from_facts(written.directory, scope, k=5, secret=secret) == published
    assert published.enrolments.figure("enrolments", "2021-22").value  # not two empty reports
    assert written.rows["stat_enrolments"] == len(enrolments())


def test_the_dataset_is_partitioned_by_academic_year_and_provider(tmp_path: Path) -> None:
    _write(facts(), tmp_path / "facts")
    root = tmp_path / "facts"
    folders = {p.parent.relative_to(root / "enrolments").as_posix() for p in (root / "enrolments").rglob("*.parquet")}
    assert "academic_year=2020/provider=uni-a" in folders
    assert "academic_year=2021/provider=priv-d" in folders
    assert {p.name for p in root.iterdir()} == {
        "_microcred-facts.json", "_schema", "codes.parquet", "editions", "enrolments", "offerings.parquet",
        "providers.parquet",
    }  # fmt: skip
    manifest = json.loads((root / MANIFEST).read_text("utf-8"))
    assert manifest["tables"]["enrolments"]["rows"] == len(enrolments())
    assert "not publication" in manifest["use"]


def test_only_the_named_columns_leave_and_no_pseudonym_or_name_of_a_learner(tmp_path: Path) -> None:
    _write(facts(), tmp_path / "facts")
    db = duckdb.connect()
    identities = {e.learner for e in enrolments()}
    for table, columns in COLUMNS.items():
        name = table.removeprefix("stat_")
        files = sorted((tmp_path / "facts").glob(f"{name}.parquet")) or sorted(
            (tmp_path / "facts" / name).rglob("*.parquet")
        )
        described = db.execute(f"DESCRIBE SELECT * FROM read_parquet({[str(f) for f in files]})").fetchall()
        partitions = {"academic_year", "provider"} if files[0].parent.name.startswith("provider=") else set()
        assert {str(row[0]) for row in described} | partitions == set(columns), table
        for column, kind, *_ in described:
            if kind != "VARCHAR":
                continue
            found = db.execute(f"SELECT DISTINCT {column} FROM read_parquet({[str(f) for f in files]})")
            values = {str(v) for (v,) in found.fetchall()}
            assert not values & identities, (table, column)
            assert not any(re.fullmatch(r"[0-9a-f]{32,}", v) for v in values), (table, column)


def test_writing_again_replaces_the_dataset_whole(tmp_path: Path) -> None:
    target = tmp_path / "facts"
    small = replace(facts(), enrolments_rows=facts().enrolments_rows[:40])
    for source, expected in ((facts(), len(enrolments())), (small, 40)):
        assert _write(source, target).rows["stat_enrolments"] == expected
        found = duckdb.connect().execute(
            f"SELECT COUNT(*) FROM read_parquet('{target}/enrolments/*/*/*.parquet', hive_partitioning = true)"
        )
        assert found.fetchone() == (expected,)  # no file of the first export is left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["facts"]  # no partial or old sibling either


def test_a_foreign_folder_is_refused_and_left_untouched_but_an_empty_one_is_used(tmp_path: Path) -> None:
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"not facts")
    snapshot = take_snapshot(facts())
    try:
        with pytest.raises(Conflict) as refused:
            write_facts(snapshot, foreign)
        assert refused.value.reason == "facts-directory-foreign"
        assert [p.name for p in foreign.iterdir()] == ["holiday.jpg"]
        empty = tmp_path / "empty"
        empty.mkdir()
        assert write_facts(snapshot, empty).rows["stat_providers"] == 4
    finally:
        snapshot.close()
    with pytest.raises(Invalid) as unknown:
        open_facts(foreign)
    assert unknown.value.reason == "facts-directory-unknown"
    assert str(foreign) in refused.value.text("nl")
    assert "niet leeg" in refused.value.text("nl")


def test_the_report_over_facts_equals_the_snapshots_for_other_scopes_and_with_exact_counts(tmp_path: Path) -> None:
    source = facts()
    snapshot = take_snapshot(source)
    try:
        write_facts(snapshot, tmp_path / "facts")
        for scope in (
            Scope(2020, 2023, HIGHER_EDUCATION, providers=("uni-b",)),
            Scope(2021, 2022, tuple(t.value for t in ProviderType)),
        ):
            for k in (1, 5):
                expected = build_report(snapshot, scope, k=k, secret=source.rounding_secret())
                assert report_from_facts(tmp_path / "facts", scope, k=k, secret=source.rounding_secret()) == expected
        views = open_facts(tmp_path / "facts")
        try:  # the named SQL one question at a time, over the views, as over the snapshot
            scope = Scope(2020, 2023, HIGHER_EDUCATION)
            assert build_report(views, scope, k=1, reference=True) == build_report(snapshot, scope, k=1)
        finally:
            views.close()
    finally:
        snapshot.close()


def test_an_empty_register_gives_an_empty_dataset_that_still_opens(tmp_path: Path) -> None:
    _write(FactsInMemory(), tmp_path / "facts")
    report = report_from_facts(tmp_path / "facts", Scope(2020, 2023, ("university",)), k=5)
    assert report.enrolments.figure("enrolments", "2020-21").value == 0
