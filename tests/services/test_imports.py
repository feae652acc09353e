"""Imports and exports end to end on SQLite and PostgreSQL: round trips, all or nothing, idempotence,
tenancy, rejected rows and learner privacy."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from microcred.bootstrap import Register
from microcred.domain import Change
from microcred.services import catalogue, imports
from tests.conftest import TEST_PEPPER
from tests.databases import SMALL_DEMO, Content

KINDS = ("providers", "offerings", "editions", "enrolments")
FORMATS = ("csv", "xlsx", "jsonl", "parquet")
RAW_IDS = ("r0777001", "r0777002", "85073003328")  # two student numbers and a (valid) INSZ


def run_import(register: Register, kind: str, path: Path, **options: object) -> imports.ImportReport:
    return imports.import_file(
        kind, path, register.uow, pepper=TEST_PEPPER, max_bytes=register.settings.max_upload_bytes, **options
    )  # type: ignore[arg-type]


@pytest.fixture
def register_content() -> Content:
    return SMALL_DEMO


@pytest.fixture
def demo(register: Register) -> Register:
    """The register with the small demo in it (copied from a template loaded once per session)."""
    return register


def enrolments_csv(path: Path, rows: list[str]) -> Path:
    header = "provider,reference,edition_code,learner_id,enrolment_date,contract_type,outcome,grade,outcome_date\n"
    path.write_text(header + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_layout_round_trips_unchanged(demo: Register, tmp_path: Path, fmt: str) -> None:
    for kind in KINDS:
        out = tmp_path / f"{kind}.{fmt}"
        count = imports.export_records(kind, out, demo.uow, fmt=fmt)
        report = run_import(demo, kind, out)
        assert report.committed, report.render()
        assert (report.rows, report.unchanged, report.problems) == (count, count, []), report.render()


def test_exported_formula_like_cells_are_neutralised_and_import_back_exactly(demo: Register, tmp_path: Path) -> None:
    offering = catalogue.get_offering("vub", "MC-DSS", demo.uow)
    offering.stackable_into = ['=HYPERLINK("http://evil")', "@SUM(1)", "'s-Hertogenbosch | pipe"]
    offering.description = type(offering.description).of("-1+1", "+ plus")
    catalogue.save_offering(offering, demo.uow)
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"offerings.{fmt}"
        imports.export_records("offerings", out, demo.uow, fmt=fmt, provider="vub")
        if fmt == "csv":
            text = out.read_text(encoding="utf-8")
            assert "'-1+1" in text
            assert ",=" not in text
        report = run_import(demo, "offerings", out)
        assert report.unchanged == 1, report.render()
    assert catalogue.get_offering("vub", "MC-DSS", demo.uow).stackable_into == offering.stackable_into


def test_a_second_import_reports_every_row_unchanged_and_a_changed_row_updates(demo: Register, tmp_path: Path) -> None:
    rows = [f"vub,NEW-{n},MC-DSS-2023,{RAW_IDS[n % 3]},2023-09-01,02,passed,14,2024-01-31" for n in range(3)]
    path = enrolments_csv(tmp_path / "enrolments.csv", rows)
    first = run_import(demo, "enrolments", path)
    assert (first.created, first.committed) == (3, True)
    again = run_import(demo, "enrolments", path)
    assert (again.unchanged, again.created, again.updated) == (3, 0, 0)
    rows[1] = rows[1].replace(",14,", ",16,")
    changed = run_import(demo, "enrolments", enrolments_csv(path, rows))
    assert (changed.unchanged, changed.updated) == (2, 1)
    with demo.uow() as work:
        assert work.enrolments.get("vub", "NEW-1").grade == "16"


BAD_ROWS = [
    ("vub,B1,MC-DSS-2023,r1,2023-13-01,02,passed,14,2024-01-31", "enrolment_date", "2023-13-01"),
    ("vub,B1,MC-DSS-2023,r1,2023-09-01,07,passed,14,2024-01-31", "contract_type", "07"),
    ("vub,B1,NO-SUCH-EDITION,r1,2023-09-01,02,passed,14,2024-01-31", "edition_code", "NO-SUCH-EDITION"),
    ("vub,B1,MC-DSS-2023,r1,2023-09-01,02,passed,14,2023-08-31", "outcome_date", "2023-08-31"),
    ("vub,B1,MC-DSS-2023,,2023-09-01,02,passed,14,2024-01-31", "learner_id", None),
    ("nobody,B1,MC-DSS-2023,r1,2023-09-01,02,passed,14,2024-01-31", "provider", "nobody"),
    ("vub,GOOD-1,MC-DSS-2023,r1,2023-09-01,02,passed,14,2024-01-31", "reference", "GOOD-1"),  # repeats row 2
]


@pytest.mark.parametrize(("row", "column", "value"), BAD_ROWS)
def test_one_bad_row_is_reported_exactly_and_changes_nothing(
    demo: Register, tmp_path: Path, row: str, column: str, value: str | None
) -> None:
    good = "vub,GOOD-1,MC-DSS-2023,r9,2023-09-01,02,passed,14,2024-01-31"
    path = enrolments_csv(tmp_path / "enrolments.csv", [good, row])
    with demo.uow() as work:
        before = work.enrolments.count()
    report = run_import(demo, "enrolments", path)
    assert [(p.row, p.column, p.value) for p in report.problems] == [(3, column, value)], report.render()
    assert not report.committed
    assert not report.ok
    with demo.uow() as work:
        assert work.enrolments.count() == before


def test_skip_invalid_imports_exactly_the_valid_rows_and_writes_the_rejected_ones(
    demo: Register, tmp_path: Path
) -> None:
    rows = [
        f"vub,S-{n},MC-DSS-2023,{RAW_IDS[n % 3]},2023-09-01,02,passed,{14 if n % 2 else 'x' * 20},2024-01-31"
        for n in range(6)
    ]
    path = enrolments_csv(tmp_path / "enrolments.csv", rows)
    report = run_import(demo, "enrolments", path, skip_invalid=True)
    assert (report.created, report.rejected, report.committed) == (3, 3, True), report.render()
    with demo.uow() as work:
        stored = {e.reference for e in work.enrolments.list_for_edition("vub", "MC-DSS-2023")}
    assert {"S-1", "S-3", "S-5"} <= stored
    assert not {"S-0", "S-2", "S-4"} & stored
    assert report.rejected_file is not None
    rejected = report.rejected_file.read_text(encoding="utf-8").splitlines()
    assert rejected[0].startswith("row,problems,provider,reference,edition_code,learner_scheme,learner_pseudonym")
    assert [line.split(",")[3] for line in rejected[1:]] == ["S-0", "S-2", "S-4"]


def test_dry_run_counts_but_writes_nothing(demo: Register, tmp_path: Path) -> None:
    path = enrolments_csv(tmp_path / "e.csv", ["vub,D-1,MC-DSS-2023,r1,2023-09-01,02,enrolled,,"])
    report = run_import(demo, "enrolments", path, dry_run=True)
    assert (report.created, report.committed) == (1, False)
    assert "dry run" in report.render()
    with demo.uow() as work:
        assert "D-1" not in {e.reference for e in work.enrolments.list_for_edition("vub", "MC-DSS-2023")}


def test_provider_restriction_rejects_rows_of_other_providers(demo: Register, tmp_path: Path) -> None:
    path = tmp_path / "editions.csv"
    path.write_text(
        "aanbieder,code,aanbodcode,startdatum,einddatum\n"
        ",MC-DSS-2030,MC-DSS,2030-09-01,2031-01-31\n"
        "ugent,MC-DISINFO-2030,MC-DISINFO,2030-09-01,2031-01-31\n"
    )
    report = run_import(demo, "editions", path, provider="vub")
    assert [(p.row, p.column, p.value) for p in report.problems] == [(3, "provider", "ugent")]
    assert "beperkt tot aanbieder 'vub'" in report.render("nl")
    assert not report.committed


def test_learner_identifiers_never_reach_the_database_logs_rejects_or_exports(
    demo: Register, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rows = [f"vub,P-{n},MC-DSS-2023,{raw},2023-09-01,02,passed,15,2024-01-31" for n, raw in enumerate(RAW_IDS)]
    rows.append(f"vub,P-bad,MC-DSS-2023,{RAW_IDS[0]},2023-09-01,02,passed,15,1999-01-01")
    path = enrolments_csv(tmp_path / "enrolments.csv", rows)
    with caplog.at_level(logging.DEBUG):
        report = run_import(demo, "enrolments", path, skip_invalid=True)
        for fmt in FORMATS:
            imports.export_records("enrolments", tmp_path / f"export.{fmt}", demo.uow, fmt=fmt)
    assert report.created == 3
    scanned = [report.rejected_file, *(tmp_path / f"export.{fmt}" for fmt in FORMATS)]
    blobs = [p.read_bytes() for p in scanned if p is not None]
    blobs.append(caplog.text.encode())
    blobs.append(report.render().encode())
    if demo.settings.is_sqlite:
        database = Path(demo.settings.database_url.removeprefix("sqlite:///"))
        demo.close()
        blobs += [p.read_bytes() for p in database.parent.glob(database.name + "*")]
    else:
        with demo.uow() as work:
            dump = work.connection.exec_driver_sql("SELECT * FROM enrolments e JOIN learners l ON l.id = e.learner_id")
            blobs.append(repr(dump.all()).encode())
    for raw in RAW_IDS:
        assert not any(raw.encode() in blob for blob in blobs), raw


def test_templates_and_exports_refuse_unknown_formats(tmp_path: Path, register: Register) -> None:
    from microcred.errors import Invalid

    with pytest.raises(Invalid):
        imports.write_kind_template("offerings", "parquet", tmp_path / "x.parquet")
    with pytest.raises(Invalid):
        imports.export_records("offerings", tmp_path / "x.txt", register.uow, fmt="txt")


def test_counts_follow_the_change_of_each_row(demo: Register, tmp_path: Path) -> None:
    out = tmp_path / "providers.csv"
    imports.export_records("providers", out, demo.uow, fmt="csv", provider="ugent")
    text = out.read_text(encoding="utf-8").replace("Universiteit Gent", "Universiteit Gent (gewijzigd)")
    out.write_text(text, encoding="utf-8")
    report = run_import(demo, "providers", out, provider="ugent")
    assert report.counts == {Change.UPDATED: 1}
