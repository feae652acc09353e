"""Enrolment imports read in column blocks (decision 0037): row digests, block boundaries, and what still goes
row by row. On SQLite and PostgreSQL, with real files."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from microcred.bootstrap import Register
from microcred.io import Block, columnar, layout, open_table
from microcred.services import imports
from tests.conftest import TEST_PEPPER
from tests.databases import SMALL_DEMO, Content
from tests.services.hostile_files import HEADER, enrolment, with_stale_dimension, workbook, write

TODAY = date(2025, 6, 1)
ROWS = 30


@pytest.fixture
def register_content() -> Content:
    return SMALL_DEMO


def run_import(register: Register, path: Path, **options: Any) -> imports.ImportReport:
    return imports.import_file(
        "enrolments", path, register.uow, pepper=TEST_PEPPER, max_bytes=1 << 30, today=TODAY, **options
    )


def csv_file(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("".join(",".join(cells) + "\n" for cells in [HEADER, *rows]), encoding="utf-8")
    return path


def stored(register: Register) -> dict[str, tuple[Any, Any]]:
    """Each H- enrolment's updated_at and row digest, by reference."""
    with register.engine.connect() as connection:
        found = connection.execute(
            text("SELECT reference, updated_at, row_digest FROM enrolments WHERE reference LIKE 'H-%'")
        )
        return {row.reference: (row.updated_at, row.row_digest) for row in found}


@contextmanager
def writes(register: Register) -> Iterator[list[str]]:
    """The INSERT, UPDATE and DELETE statements sent while the block runs."""
    sent: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            sent.append(statement)

    event.listen(register.engine, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(register.engine, "before_cursor_execute", seen)


def test_an_unchanged_reimport_writes_no_row_and_changes_no_updated_at(register: Register, tmp_path: Path) -> None:
    path = csv_file(tmp_path / "enrolments.csv", [enrolment(n) for n in range(ROWS)])
    first = run_import(register, path)
    assert (first.created, first.committed) == (ROWS, True), first.render()
    before = stored(register)
    assert len(before) == ROWS
    assert all(digest for _, digest in before.values())
    with writes(register) as sent:
        again = run_import(register, path)
    assert (again.unchanged, again.updated, again.created, again.committed) == (ROWS, 0, 0, True), again.render()
    assert [s for s in sent if "enrolments" in s or "learners" in s] == []
    assert stored(register) == before


def test_one_changed_row_is_updated_and_only_it(register: Register, tmp_path: Path) -> None:
    rows = [enrolment(n) for n in range(ROWS)]
    run_import(register, csv_file(tmp_path / "first.csv", rows))
    before = stored(register)
    rows[7][HEADER.index("outcome")] = "withdrawn"
    report = run_import(register, csv_file(tmp_path / "second.csv", rows))
    assert (report.updated, report.unchanged, report.committed) == (1, ROWS - 1, True), report.render()
    after = stored(register)
    assert [reference for reference in after if after[reference] != before[reference]] == ["H-7"]
    assert after["H-7"][0] > before["H-7"][0]


def test_a_row_changed_by_another_path_is_compared_by_value_and_restored(register: Register, tmp_path: Path) -> None:
    """A write outside the import clears the row's digest, so the next import cannot take it for unchanged."""
    path = csv_file(tmp_path / "enrolments.csv", [enrolment(n) for n in range(ROWS)])
    run_import(register, path)
    with register.uow() as work:
        changed = work.enrolments.get("vub", "H-3")
        changed.grade, changed.outcome = "12", type(changed.outcome)("passed")
        work.enrolments.save(changed)
        work.commit()
    assert stored(register)["H-3"][1] is None
    report = run_import(register, path)
    assert (report.updated, report.unchanged) == (1, ROWS - 1), report.render()
    with register.uow() as work:
        assert work.enrolments.get("vub", "H-3").outcome.value == "enrolled"
    assert stored(register)["H-3"][1] is not None


def test_problems_on_both_sides_of_a_block_boundary_keep_their_row_numbers(
    register: Register, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ten data rows of equal length per block: rows 11 and 12 are the last of one block and the first of the next."""
    rows = [enrolment(n, learner=f"r07{n:05d}") for n in range(40)]
    rows[9][HEADER.index("edition_code")] = "NO-SUCH-EDI"  # row 11, the last of the first block
    rows[10][HEADER.index("contract_type")] = "77"  # row 12, the first of the second
    rows[30][HEADER.index("enrolment_date")] = "2023-13-01"  # row 32, inside the fourth
    for number, cells in enumerate(rows):
        cells[1] = f"H-{number:04d}"  # every line the same length
    path = csv_file(tmp_path / "boundary.csv", rows)
    lines = path.read_bytes().split(b"\n")
    assert len({len(line) for line in lines[1:-1]}) == 1
    monkeypatch.setattr(columnar, "BLOCK_BYTES", 10 * (len(lines[1]) + 1))
    with open_table(path, layout("enrolments"), max_bytes=1 << 30, columnar=True) as table:
        blocks = [item for item in table.items or () if isinstance(item, Block)]
    assert [(block.first_row, block.size) for block in blocks] == [(2, 10), (12, 10), (22, 10), (32, 10)]
    report = run_import(register, path)
    assert [(p.row, p.column, p.code) for p in report.problems] == [
        (11, "edition_code", "edition-unknown"),
        (12, "contract_type", "not-in-vocabulary"),
        (32, "enrolment_date", "no-such-day"),
    ]
    assert (report.rows, report.rejected, report.committed) == (40, 3, False)


def test_rows_after_a_quoted_cell_are_read_row_by_row_with_exact_numbers(
    register: Register, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [enrolment(n) for n in range(25)]
    rows[14][HEADER.index("reference")] = '"H-14\nsecond line"'  # a cell over two lines: row 16 spans lines 16-17
    rows[20][HEADER.index("contract_type")] = "77"  # row 22, on line 23
    path = csv_file(tmp_path / "quoted.csv", rows)
    monkeypatch.setattr(columnar, "BLOCK_BYTES", 300)
    report = run_import(register, path, skip_invalid=True)
    assert [(p.row, p.column, p.code) for p in report.problems] == [(22, "contract_type", "not-in-vocabulary")]
    assert (report.rows, report.created, report.rejected) == (25, 24, 1), report.render()


def test_warnings_and_repeated_keys_in_a_block_are_reported_as_row_by_row(register: Register, tmp_path: Path) -> None:
    rows = [enrolment(n) for n in range(12)]
    rows[3][HEADER.index("enrolment_date")] = "03/09/2023"  # day first, and the other reading is also a day
    rows[8][HEADER.index("reference")] = "H-2"  # row 10 repeats row 4's key
    report = run_import(register, csv_file(tmp_path / "notes.csv", rows), skip_invalid=True)
    assert [(w.row, w.column, w.code) for w in report.warnings] == [(5, "enrolment_date", "day-first-ambiguous")]
    assert [(p.row, p.column, p.code, dict(p.params)) for p in report.problems] == [
        (10, "reference", "repeated-key", {"first": 4})
    ]
    assert (report.created, report.rejected) == (11, 1)


def test_a_dimension_claiming_a_million_rows_reads_the_rows_there_are(register: Register, tmp_path: Path) -> None:
    rows: list[list[object]] = [list(HEADER), *(enrolment(n) for n in range(8))]
    lying = with_stale_dimension(workbook({"enrolments": rows}), "A1:G1048576")
    report = run_import(register, write(tmp_path, "lying.xlsx", lying))
    assert (report.rows, report.created, report.committed) == (8, 8, True), report.render()


def test_two_providers_with_the_same_reference_are_two_enrolments_on_every_import(
    register: Register, tmp_path: Path
) -> None:
    rows = [enrolment(n) for n in range(4)]
    others = [["ugent", f"H-{n}", "MC-DISINFO-2023", f"r09{n:05d}", "2023-09-21", "02", "passed"] for n in range(4)]
    path = csv_file(tmp_path / "two.csv", rows + others)
    assert run_import(register, path).created == 8
    others[2][HEADER.index("outcome")] = "failed"
    again = run_import(register, csv_file(tmp_path / "again.csv", rows + others))
    assert (again.updated, again.unchanged) == (1, 7), again.render()
    with register.uow() as work:
        assert work.enrolments.get("ugent", "H-2").outcome.value == "failed"
        assert work.enrolments.get("vub", "H-2").outcome.value == "enrolled"
