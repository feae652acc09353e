"""The importer against hostile and awkward files (issue 14): no silent loss, no traceback, every problem with
its row and column, warnings for what was read in an unusual way, no learner identifier in any output, honest
counts, idempotent re-imports. Each file is built in code (tests/services/hostile_files.py)."""

from __future__ import annotations

import io
import logging
import zipfile
from datetime import date
from pathlib import Path

import pytest

from microcred.bootstrap import Register
from microcred.services import catalogue, imports
from tests.conftest import TEST_PEPPER
from tests.databases import SMALL_DEMO, Content
from tests.services.hostile_files import (
    HEADER,
    HOSTILE,
    LEARNER_IDS,
    csv_text,
    enrolment,
    json_object,
    jsonl,
    with_stale_dimension,
    workbook,
    write,
    zip_without_a_workbook,
)

TODAY = date(2025, 6, 1)


@pytest.fixture
def register_content() -> Content:
    return SMALL_DEMO


def run_import(register: Register, kind: str, path: Path, **options: object) -> imports.ImportReport:
    return imports.import_file(
        kind, path, register.uow, pepper=TEST_PEPPER, max_bytes=register.settings.max_upload_bytes, today=TODAY,
        **options,  # type: ignore[arg-type]
    )  # fmt: skip


def located(report: imports.ImportReport) -> list[tuple[int, str]]:
    return [(p.row, p.column) for p in report.problems]


def stored_references(register: Register) -> set[str]:
    with register.uow() as work:
        return {e.reference for e in work.enrolments.list_for_edition("vub", "MC-DSS-2023")}


# Silent data loss and corruption


def test_a_workbook_with_a_stale_dimension_imports_every_row(register: Register, tmp_path: Path) -> None:
    rows: list[list[object]] = [list(HEADER), *(enrolment(n) for n in range(8))]
    stale = with_stale_dimension(workbook({"enrolments": rows}), "A1:C3")  # claims 3 rows of 3 columns
    report = run_import(register, "enrolments", write(tmp_path, "stale.xlsx", stale))
    assert (report.rows, report.created, report.committed) == (8, 8, True), report.render()
    assert {f"H-{n}" for n in range(8)} <= stored_references(register)


def test_the_report_names_the_sheet_it_read_and_the_sheets_it_did_not(register: Register, tmp_path: Path) -> None:
    notes: list[list[object]] = [["column", "code", "label_en"], ["contract_type", "02", "credit"]]
    book = workbook({"codes": notes, "Inschrijvingen": [list(HEADER), enrolment(1)]})
    report = run_import(register, "enrolments", write(tmp_path, "two.xlsx", book))
    assert (report.sheet, report.other_sheets, report.created) == ("Inschrijvingen", ("codes",), 1)
    assert "(xlsx, sheet 'Inschrijvingen', not read: 'codes')" in report.render()
    assert "(xlsx, blad 'Inschrijvingen', niet gelezen: 'codes')" in report.render("nl")


def test_two_sheets_with_the_layouts_header_are_refused_rather_than_guessed(register: Register, tmp_path: Path) -> None:
    book = workbook({"2023": [list(HEADER), enrolment(1)], "2024": [list(HEADER), enrolment(2)]})
    report = run_import(register, "enrolments", write(tmp_path, "years.xlsx", book))
    assert not report.committed
    [problem] = report.problems
    assert "the sheets '2023', '2024' each have a header of enrolments" in problem.reason("en")
    assert not {"H-1", "H-2"} & stored_references(register)


def test_a_lone_surrogate_in_json_lines_is_refused_with_its_row_and_column(register: Register, tmp_path: Path) -> None:
    good = json_object(dict(zip(HEADER, enrolment(1), strict=True)))
    bad = json_object(dict(zip(HEADER, enrolment(2), strict=True))).replace('"H-2"', '"H-2\\ud800"')
    report = run_import(register, "enrolments", write(tmp_path, "e.jsonl", jsonl([good, bad])))
    assert located(report) == [(2, "reference")], report.render()
    assert "lone surrogate" in report.problems[0].reason("en")
    assert not report.committed


def test_an_export_writes_a_stored_lone_surrogate_as_a_replacement_character(
    register: Register, tmp_path: Path
) -> None:
    """Registers filled before the check may hold one (a title is stored as JSON, which escapes it)."""
    offering = catalogue.get_offering("vub", "MC-DSS", register.uow)
    offering.title = type(offering.title).of("Data\ud800", "Data")
    try:
        catalogue.save_offering(offering, register.uow)
    except Exception as error:  # which error a backend raises for it is the backend's business
        if register.settings.is_sqlite:
            raise
        pytest.skip(f"PostgreSQL refuses to store a lone surrogate ({type(error).__name__}): nothing to export")
    for fmt in imports.EXPORT_FORMATS:
        out = tmp_path / f"offerings.{fmt}"
        imports.export_records("offerings", out, register.uow, fmt=fmt, provider="vub")
        assert out.stat().st_size > 0
    assert "Data\ufffd" in (tmp_path / "offerings.csv").read_text(encoding="utf-8")
    assert "Data\ufffd" in (tmp_path / "offerings.jsonl").read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".*.partial"))


def test_a_json_object_with_a_repeated_key_is_refused_naming_row_and_key(register: Register, tmp_path: Path) -> None:
    good = json_object(dict(zip(HEADER, enrolment(1), strict=True)))
    twice = good.replace('"outcome": "enrolled"', '"outcome": "enrolled", "outcome": "passed"')
    report = run_import(register, "enrolments", write(tmp_path, "e.jsonl", jsonl([good, twice])))
    assert located(report) == [(2, "outcome")], report.render()
    assert report.problems[0].reason("en") == "is given twice in this object"


# Tracebacks


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (lambda: workbook({"enrolments": [list(HEADER), enrolment(1)]})[:900], "damaged or incomplete"),
        (lambda: csv_text([enrolment(1)]).encode(), "is it a CSV file named .xlsx?"),
        (zip_without_a_workbook, "a ZIP archive but not an XLSX workbook"),
    ],
    ids=["truncated workbook", "CSV named .xlsx", "ZIP that is no workbook"],
)
def test_a_file_that_is_no_workbook_is_a_clear_error(
    register: Register, tmp_path: Path, content: object, reason: str
) -> None:
    report = run_import(register, "enrolments", write(tmp_path, "e.xlsx", content()))  # type: ignore[operator]
    assert not report.committed
    assert [reason in p.reason("en") for p in report.problems] == [True], report.render()
    assert "(xlsx)" in report.render()


def test_a_workbook_cut_off_inside_its_sheet_is_refused_with_the_row_it_reached(
    register: Register, tmp_path: Path
) -> None:
    rows: list[list[object]] = [list(HEADER), *(enrolment(n) for n in range(3000))]
    whole = workbook({"enrolments": rows})
    source = zipfile.ZipFile(io.BytesIO(whole))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, data[: len(data) // 2] if item.filename == "xl/worksheets/sheet1.xml" else data)
    report = run_import(register, "enrolments", write(tmp_path, "cut.xlsx", buffer.getvalue()))
    assert not report.committed
    assert "damaged or incomplete after row" in report.problems[-1].reason("en"), report.render()


def test_a_provider_file_that_repeats_a_slug_names_both_rows(register: Register, tmp_path: Path) -> None:
    text = "slug,name_nl,type\nnova,Nova,university\nother,Ander,university\nnova,Nova bis,university\n"
    report = run_import(register, "providers", write(tmp_path, "providers.csv", text))
    assert located(report) == [(4, "slug")], report.render()
    assert report.problems[0].reason("en") == "repeats the key of row 2"
    assert report.problems[0].reason("nl") == "herhaalt de sleutel van rij 2"


# Warnings for documented readings; refusal of what no reading makes plausible


def test_documented_readings_are_kept_and_reported_as_warnings(register: Register, tmp_path: Path) -> None:
    offerings = (
        'provider,code,kind,status,title_nl,ects,isced_field\nvub,W-1,micro-credential,draft,Wiskunde,"5,5",613\n'
    )
    report = run_import(register, "offerings", write(tmp_path, "offerings.csv", offerings))
    assert report.committed, report.render()
    assert [(w.row, w.column, w.read, w.stored) for w in report.warnings] == [
        (2, "ects", "5,5", "5.5"),
        (2, "isced_field", "613", "0613"),
    ]
    assert "row 2, column ects: read '5,5', stored '5.5': the decimal comma was read as a decimal point" in (
        report.render()
    )
    assert "rij 2, kolom isced_field: gelezen '613', bewaard '0613'" in report.render("nl")
    assert catalogue.get_offering("vub", "W-1", register.uow).isced_field == "0613"


@pytest.mark.parametrize("fmt", ["xlsx", "jsonl"])
def test_a_code_written_as_a_number_is_restored_with_a_warning(register: Register, tmp_path: Path, fmt: str) -> None:
    cells: dict[str, object] = dict(zip(HEADER, enrolment(1), strict=True)) | {"contract_type": 2}
    if fmt == "xlsx":
        path = write(tmp_path, "e.xlsx", workbook({"e": [list(cells), list(cells.values())]}))
    else:
        path = write(tmp_path, "e.jsonl", jsonl([json_object(cells)]))
    report = run_import(register, "enrolments", path)
    assert [(w.column, w.read, w.stored) for w in report.warnings] == [("contract_type", "2", "02")], report.render()
    with register.uow() as work:
        assert work.enrolments.get("vub", "H-1").contract_type == "02"


def test_an_ambiguous_day_first_date_and_a_near_future_date_are_warnings(register: Register, tmp_path: Path) -> None:
    rows = [enrolment(1, date="03/04/2024"), enrolment(2, date="22/09/2023"), enrolment(3, date="2025-09-01")]
    report = run_import(register, "enrolments", write(tmp_path, "e.csv", csv_text(rows)))
    assert report.committed, report.render()
    assert [(w.row, w.column, w.read, w.stored) for w in report.warnings] == [
        (2, "enrolment_date", "03/04/2024", "2024-04-03"),
        (4, "enrolment_date", "2025-09-01", "2025-09-01"),
    ]
    assert "read day first" in report.warnings[0].reason("en")
    assert report.warnings[1].reason("en") == "lies in the future (today is 2025-06-01)"


def test_a_date_no_reading_makes_plausible_is_refused(register: Register, tmp_path: Path) -> None:
    report = run_import(register, "enrolments", write(tmp_path, "e.csv", csv_text([enrolment(1, date="2099-09-01")])))
    assert located(report) == [(2, "enrolment_date")]
    assert "more than a year after today (2025-06-01)" in report.problems[0].reason("en")
    assert not report.committed


# Complete errors


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_nul_byte_and_a_mebibyte_cell_are_named_by_row_and_column(
    register: Register, tmp_path: Path, fmt: str
) -> None:
    """(XLSX is left out: a spreadsheet cannot hold NUL, and openpyxl cuts a cell at 32,767 characters.)"""
    rows = [enrolment(1), enrolment(2), enrolment(3)]
    rows[0][1] = "H-\x00-1"
    rows[2][6] = "x" * (1 << 20)
    if fmt == "csv":
        path, first = write(tmp_path, "e.csv", csv_text(rows)), 2
    else:  # JSON Lines count lines, not rows under a header
        path, first = (
            write(tmp_path, "e.jsonl", jsonl([json_object(dict(zip(HEADER, r, strict=True))) for r in rows])),
            1,
        )
    report = run_import(register, "enrolments", path)
    assert located(report) == [(first, "reference"), (first + 2, ""), (first + 2, "outcome")], report.render()
    assert report.problems[0].reason("en") == "contains a control character"
    assert report.problems[-1].reason("en") == "has 1,048,576 characters; a cell holds at most 32,767"


def test_a_file_with_three_errors_reports_all_three(register: Register, tmp_path: Path) -> None:
    row = enrolment(1, date="2023-13-01", contract="07")
    row[2] = "NO-SUCH-EDITION"
    report = run_import(register, "enrolments", write(tmp_path, "e.csv", csv_text([enrolment(2), row])))
    assert located(report) == [(3, "enrolment_date"), (3, "contract_type"), (3, "edition_code")], report.render()


def test_a_control_character_does_not_hide_the_other_problems_of_its_row(register: Register, tmp_path: Path) -> None:
    row = enrolment(1, date="someday")
    row[6] = "enrolled\x07"
    report = run_import(register, "enrolments", write(tmp_path, "e.csv", csv_text([row])))
    assert located(report) == [(2, "outcome"), (2, "enrolment_date")], report.render()


# Learner identifiers


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_no_import_output_holds_a_learner_identifier(
    register: Register, tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    filename, content = HOSTILE[name]()
    path = write(tmp_path, filename, content)
    with caplog.at_level(logging.DEBUG):
        report = run_import(register, "enrolments", path, skip_invalid=True)
    assert report.problems, f"{name}: the file was accepted"
    assert report.rejected_file is not None
    outputs = {
        "report (en)": report.render("en"),
        "report (nl)": report.render("nl"),
        "problems": repr(report.problems) + repr(report.warnings),
        "rejected rows": report.rejected_file.read_text(encoding="utf-8"),
        "logs": caplog.text,
    }
    leaks = [(where, raw) for where, text in outputs.items() for raw in LEARNER_IDS if raw in text]
    assert leaks == [], f"{name}: {leaks}\n{report.render()}"


def test_a_wrong_delimiter_is_named_as_the_likely_cause(register: Register, tmp_path: Path) -> None:
    filename, content = HOSTILE["wrong delimiter"]()
    report = run_import(register, "enrolments", write(tmp_path, filename, content))
    assert located(report) == [(2, ""), (3, ""), (4, "")]
    assert "has 1 cells; the header has 7 (is it separated by another delimiter" in report.problems[0].reason("en")


def test_a_file_without_its_header_row_is_refused_without_echoing_the_row(register: Register, tmp_path: Path) -> None:
    filename, content = HOSTILE["no header row"]()
    report = run_import(register, "enrolments", write(tmp_path, filename, content))
    [problem] = report.problems
    assert (problem.row, problem.column, problem.value) == (1, "", None)
    assert problem.reason("en").startswith("row 1 is not a header")


# Counts and idempotency


def test_a_refused_file_says_what_was_valid_and_that_nothing_was_written(register: Register, tmp_path: Path) -> None:
    rows = [enrolment(n) for n in range(5)] + [enrolment(9, date="2023-02-30")]
    report = run_import(register, "enrolments", write(tmp_path, "e.csv", csv_text(rows)))
    text = report.render()
    assert "rows: 6, valid: 5, rejected: 1" in text
    assert "created" not in text
    assert text.endswith("nothing was written: the file was refused (all or nothing); fix the rejected rows and "
                         "import again, or import only the 5 valid rows with --skip-invalid")  # fmt: skip
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert "rijen: 6, geldig: 5, geweigerd: 1" in report.render("nl")


def test_a_dry_run_says_what_would_happen(register: Register, tmp_path: Path) -> None:
    report = run_import(register, "enrolments", write(tmp_path, "e.csv", csv_text([enrolment(1)])), dry_run=True)
    assert "rows: 1, would create: 1, would update: 0, unchanged: 0, rejected: 0" in report.render()
    assert report.render().endswith("dry run: nothing was written")


def test_a_refused_header_names_the_format_without_empty_brackets(register: Register, tmp_path: Path) -> None:
    report = run_import(register, "enrolments", write(tmp_path, "e.csv", "colour,size\nred,4\n"))
    first = report.render().splitlines()[0]
    assert "()" not in first
    assert first.endswith("e.csv (csv) — enrolments")


def test_reimporting_round_study_points_reports_every_row_unchanged(register: Register, tmp_path: Path) -> None:
    text = "provider,code,kind,status,title_nl,ects\n" + "".join(
        f"vub,ROUND-{n},micro-credential,draft,Rond {n},{ects}\n" for n, ects in enumerate(("60", "5", "2.5", "10.0"))
    )
    path = write(tmp_path, "offerings.csv", text)
    first = run_import(register, "offerings", path)
    assert first.created == 4, first.render()
    again = run_import(register, "offerings", path)
    assert (again.unchanged, again.updated) == (4, 0), again.render()
