"""``microcred import`` with hostile files: a clear report and exit code, never a traceback, and no learner
identifier on the screen, in the report file or in the rejected-rows file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import microcred
from tests.services.hostile_files import HEADER, HOSTILE, LEARNER_IDS, csv_text, enrolment, workbook, write


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_file_is_reported_without_a_learner_identifier(
    small_demo: None, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    filename, content = HOSTILE[name]()
    path = write(tmp_path, filename, content)
    report = tmp_path / "report.txt"
    assert microcred("import", "enrolments", str(path), "--skip-invalid", "--report", str(report)) in (0, 1)
    captured = capsys.readouterr()
    outputs = {
        "stdout": captured.out,
        "stderr": captured.err,
        "report": report.read_text(encoding="utf-8"),
        "rejected rows": (tmp_path / f"{path.stem}.rejected.csv").read_text(encoding="utf-8"),
    }
    assert "Traceback" not in captured.err
    leaks = [(where, raw) for where, text in outputs.items() for raw in LEARNER_IDS if raw in text]
    assert leaks == [], f"{name}: {leaks}"


def test_a_csv_named_xlsx_is_a_clear_error_and_exit_one(
    small_demo: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "enrolments.xlsx", csv_text([enrolment(1)]))
    assert microcred("import", "enrolments", str(path)) == 1
    captured = capsys.readouterr()
    assert "is it a CSV file named .xlsx?" in captured.out
    assert "Traceback" not in captured.err


def test_warnings_and_the_sheet_read_are_in_the_report(
    small_demo: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows: list[list[object]] = [list(HEADER), enrolment(1, date="03/04/2024")]
    path = write(tmp_path, "enrolments.xlsx", workbook({"Blad1": rows, "notes": [["read me"]]}))
    assert microcred("import", "enrolments", str(path), "--lang", "nl") == 0
    out = capsys.readouterr().out
    assert "(xlsx, blad 'Blad1', niet gelezen: 'notes')" in out
    assert "rij 2, kolom enrolment_date: gelezen '03/04/2024', bewaard '2024-04-03'" in out
    assert out.rstrip().endswith("ingevoerd")
