"""The io layer on its own: cells, hostile files, templates and the generated docs (no database)."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from microcred.io import LAYOUTS, FileRejected, ParseContext, RowInvalid, layout, open_table, write_template
from microcred.io.cells import join_list, neutralise, split_list, unneutralise
from microcred.io.docs import END, START, render_layouts

ROOT = Path(__file__).resolve().parents[2]
CONTEXT = ParseContext(pepper="test-pepper-0123456789abcdef")
EDITION_HEADER = "provider,code,offering_code,start_date,end_date,capacity\n"


@given(st.lists(st.text().map(str.strip)))
def test_list_cells_round_trip_any_items(items: list[str]) -> None:
    cell = join_list(items)
    assert split_list(cell) == (items if any(items) else [])


@given(st.text())
def test_neutralising_is_exactly_undone(text: str) -> None:
    written = neutralise(text)
    assert not written.startswith(("=", "+", "-", "@"))
    assert unneutralise(written) == text


def test_dutch_place_names_keep_their_apostrophe() -> None:
    assert neutralise("'s-Hertogenbosch") == "'s-Hertogenbosch"
    assert unneutralise("'s-Hertogenbosch") == "'s-Hertogenbosch"


def _rows(path: Path, kind: str = "editions", **options: object) -> list[tuple[int, dict[str, str], list[object]]]:
    with open_table(path, layout(kind), max_bytes=1 << 20, **options) as table:  # type: ignore[arg-type]
        return list(table.rows)


@pytest.mark.parametrize(
    ("encoding", "expected"), [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252")]
)
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str, expected: str) -> None:
    path = tmp_path / "editions.csv"
    path.write_bytes((EDITION_HEADER + "vub,Édition-été,Café,2024-09-01,2024-12-20,30\n").encode(encoding))
    with open_table(path, layout("editions"), max_bytes=1 << 20) as table:
        assert table.encoding == expected
        [(row, cells, problems)] = list(table.rows)
    assert (row, cells["code"], cells["offering_code"], problems) == (2, "Édition-été", "Café", [])


def test_a_file_in_another_encoding_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "editions.csv"
    path.write_bytes((EDITION_HEADER + "vub,Привет,Привет мир это тест,2024-09-01,2024-12-20,30\n").encode("koi8_r"))
    with pytest.raises(FileRejected, match="neither UTF-8 nor Windows-1252"):
        _rows(path)


def test_semicolon_delimiter_and_dutch_headers_are_understood(tmp_path: Path) -> None:
    path = tmp_path / "edities.csv"
    path.write_text("Aanbieder;Code;AanbodCode;Start date;einddatum;capaciteit\nvub;E1;MC-DSS;23/09/2024;2024-12-20;\n")
    [(_, cells, _)] = _rows(path)
    record = layout("editions").parse_row(cells, 2, CONTEXT)
    assert (record.provider, record.offering_code, record.start_date.isoformat(), record.capacity) == (
        "vub",
        "MC-DSS",
        "2024-09-23",
        None,
    )


@pytest.mark.parametrize(
    ("header", "column", "reason"),
    [
        ("provider,code,offering_code,start_date,end_date,aanbieder", "provider", "appears twice"),
        ("provider,code,offering_code,start_date,end_date,colour", "colour", "is not a column"),
        ("provider,code,start_date,end_date", "offering_code", "required column is missing"),
    ],
)
def test_header_problems_reject_the_file_on_row_one(tmp_path: Path, header: str, column: str, reason: str) -> None:
    path = tmp_path / "editions.csv"
    path.write_text(header + "\n")
    with pytest.raises(FileRejected) as rejected:
        _rows(path)
    [problem] = rejected.value.problems
    assert (problem.row, problem.column) == (1, column)
    assert reason in problem.reason("en")


def test_oversized_files_and_rows_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "editions.csv"
    path.write_text(EDITION_HEADER + "vub,E1,MC,2024-09-01,2024-12-20," + "9" * 300_000 + "\n")
    with pytest.raises(FileRejected, match="the limit is"), open_table(path, layout("editions"), max_bytes=1024):
        pass
    [(_, _, problems)] = _rows(path)
    found = {(p.row, p.column, p.reason("en")) for p in problems}
    assert found == {
        (2, "", "is longer than 200000 characters"),
        (2, "capacity", "has 300,000 characters; a cell holds at most 32,767"),
    }


def test_a_bad_cell_is_reported_with_row_column_and_value_in_both_languages() -> None:
    cells = {"provider": "vub", "code": "E1", "offering_code": "X", "start_date": "2024-02-30", "end_date": "soon"}
    with pytest.raises(RowInvalid) as invalid:
        layout("editions").parse_row(cells, 7, CONTEXT)
    problems = {(p.row, p.column, p.value): (p.reason("en"), p.reason("nl")) for p in invalid.value.problems}
    assert problems == {
        (7, "start_date", "2024-02-30"): ("is not an existing day", "is geen bestaande dag"),
        (7, "end_date", "soon"): ("must be a date like 2024-09-23", "moet een datum zijn zoals 2024-09-23"),
    }


def test_learner_identifiers_never_show_in_problems() -> None:
    cells = {"provider": "vub", "reference": "R1", "edition_code": "E", "learner_id": "x" * 200}
    cells |= {"enrolment_date": "2024-09-01", "contract_type": "Credit contract"}
    with pytest.raises(RowInvalid) as invalid:
        layout("enrolments").parse_row(cells, 2, CONTEXT)
    assert [(p.column, p.value) for p in invalid.value.problems] == [("learner_id", "(hidden)")]


def test_codes_may_be_labels_in_either_language_and_any_case() -> None:
    cells = {"provider": "vub", "reference": "R1", "edition_code": "E", "learner_id": "r0123"}
    cells |= {"enrolment_date": "2024-09-01", "contract_type": "CREDITCONTRACT", "employment_status": "Zelfstandige"}
    record = layout("enrolments").parse_row(cells, 2, CONTEXT)
    assert (record.contract_type.value, record.employment_status.value) == ("02", "self-employed")
    assert "r0123" not in record.learner


@pytest.mark.parametrize("kind", list(LAYOUTS))
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_templates_read_back_as_a_valid_row(tmp_path: Path, kind: str, fmt: str) -> None:
    path = tmp_path / f"{kind}.{fmt}"
    write_template(layout(kind), fmt, path)
    [(row, cells, problems)] = _rows(path, kind)
    assert (row if fmt != "jsonl" else 2, problems) == (2, [])
    layout(kind).parse_row(cells, row, CONTEXT)  # the example row is valid


def test_xlsx_template_lists_the_allowed_codes_with_labels(tmp_path: Path) -> None:
    path = tmp_path / "offerings.xlsx"
    write_template(layout("offerings"), "xlsx", path)
    codes = list(openpyxl.load_workbook(path, read_only=True)["codes"].iter_rows(values_only=True))
    assert codes[0] == ("column", "code", "label_en", "label_nl", "also_accepted")
    assert ("participation_form", "blended", "Blended", "Hybride", "Hybride") in codes
    assert ("kind", "further-training", "Further training", "Bij- en nascholing",
            "further_training | Further training | Bij- en nascholing") in codes  # fmt: skip


def test_docs_import_md_is_generated_from_the_layouts() -> None:
    text = (ROOT / "docs" / "import.md").read_text(encoding="utf-8")
    generated = text.split(START, 1)[1].split(END, 1)[0]
    assert generated.strip() == render_layouts().strip(), "run: python -m microcred.io.docs docs/import.md"


def test_every_layout_column_is_documented_with_its_alias() -> None:
    text = (ROOT / "docs" / "import.md").read_text(encoding="utf-8")
    for kind, rows_layout in LAYOUTS.items():
        assert f"`{kind}`" in text
        for column in rows_layout.columns:
            assert f"| `{column.name}` | `{column.nl}` |" in text


def test_csv_written_by_excel_with_trailing_empty_cells_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "editions.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, delimiter=";").writerows(
            [
                ["provider", "code", "offering_code", "start_date", "end_date", ""],
                ["vub", "E1", "X", "2024-09-01", "2024-12-01", "", ""],
                ["", "", "", "", "", ""],
            ]
        )
    assert [(row, problems) for row, _, problems in _rows(path)] == [(2, [])]


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_control_characters_in_a_cell_are_reported_with_row_and_column(tmp_path: Path, fmt: str) -> None:
    if fmt == "csv":
        path = tmp_path / "editions.csv"
        good, bad = "vub,E1,MC-DSS,2024-09-01,2024-12-20,30\n", "vub,E\x072,MC-DSS,2024-09-01,2024-12-20,30\n"
        path.write_text(EDITION_HEADER + good + bad)
    else:
        path = tmp_path / "editions.jsonl"
        path.write_text('{"provider": "vub", "code": "E1"}\n{"provider": "vub", "code": "E\\u00002"}\n')
    rows = _rows(path)
    assert rows[0][2] == []
    row, _, problems = rows[1]
    assert row == (3 if fmt == "csv" else 2)
    assert [(p.column, p.reason("nl")) for p in problems] == [("code", "bevat een stuurteken")]  # type: ignore[attr-defined]


def test_a_header_line_over_the_cell_limit_is_a_row_one_problem(tmp_path: Path) -> None:
    """Issue 15, finding 8: a header over 128 KB failed the import job with "failed unexpectedly (Error)"."""
    path = tmp_path / "editions.csv"
    path.write_text('"' + "x" * 200_000 + '"\nvub,E1\n')
    with pytest.raises(FileRejected) as rejected:
        _rows(path)
    [problem] = rejected.value.problems
    assert problem.row == 1
    assert "row 1 is not a header" in problem.reason("en")
