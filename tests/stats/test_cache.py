"""The statistics snapshot is kept between reports and brought up to date only when the register changed, on
SQLite (a DuckDB file next to the register) and PostgreSQL (kept in memory): with the rows changed since,
not a full copy (decision 0038)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from sqlalchemy import text

from microcred.bootstrap import Register, build
from microcred.services.reports import parliament_report
from microcred.stats import ParliamentReport, cache
from microcred.stats.cache import forget, snapshot_files, snapshots_refreshed, snapshots_taken
from microcred.stats.snapshot import connect
from microcred.storage.changes import next_statistics_generation
from tests.databases import Content, database_copy, settings_for
from tests.stats.register_data import STATS_REGISTER


@pytest.fixture
def register_content() -> Content:
    return STATS_REGISTER


def _report(register: Register) -> ParliamentReport:
    return parliament_report(register.uow, from_year="2020-21", to_year="2023-24")


def _snapshot_files(register: Register) -> list[str]:
    with register.uow() as work:
        return [path.name for path in snapshot_files(work.statistics)]


def test_an_unchanged_register_reuses_its_snapshot_and_a_change_refreshes_it(register: Register) -> None:
    first = _report(register)
    taken = snapshots_taken()
    files = _snapshot_files(register)
    assert _report(register) == first
    assert snapshots_taken() == taken
    assert _snapshot_files(register) == files

    refreshed = snapshots_refreshed()
    with register.engine.begin() as connection:  # an update only: same row counts and ids, as storage writes
        generation = next_statistics_generation(connection)
        connection.execute(
            text(
                "UPDATE enrolments SET outcome = 'passed', updated_at = :now, change_generation = :generation "
                "WHERE edition_id IN (SELECT id FROM editions WHERE academic_year = 2020)"
            ),
            {"now": datetime.now(UTC), "generation": generation},
        )
    changed = _report(register)
    assert (snapshots_taken(), snapshots_refreshed()) == (taken, refreshed + 1)
    assert changed.enrolments.figure("completion_rate", "2020-21").value == 100
    assert first.enrolments.figure("completion_rate", "2020-21").value != 100
    if files:  # SQLite: the new generation replaced the old file
        assert len(_snapshot_files(register)) == 1
        assert _snapshot_files(register) != files

    with register.engine.begin() as connection:  # rows removed, by any statement: triggers log deletes
        connection.execute(
            text("DELETE FROM enrolments WHERE edition_id IN (SELECT id FROM editions WHERE academic_year = 2020)")
        )
    assert _report(register).enrolments.figure("enrolments", "2020-21").value == 0
    assert changed.enrolments.figure("enrolments", "2020-21").value != 0
    assert (snapshots_taken(), snapshots_refreshed()) == (taken, refreshed + 2)


def test_a_new_process_reopens_the_current_snapshot_file(register: Register) -> None:
    first = _report(register)
    forget()  # as if the CLI ran after the web server had taken the copy
    taken = snapshots_taken()
    assert _report(register) == first
    expected_copies = 0 if _snapshot_files(register) else 1  # PostgreSQL keeps its copy in memory only
    assert snapshots_taken() == taken + expected_copies


@pytest.fixture
def file_register(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    """An SQLite register: its snapshot is a file next to it (a PostgreSQL register keeps its copy in memory)."""
    wired = build(settings_for(database_copy(request, "sqlite", STATS_REGISTER), tmp_path_factory.mktemp("outbox")))
    yield wired
    wired.close()


def _change(register: Register) -> None:
    with register.engine.begin() as connection:
        generation = next_statistics_generation(connection)
        connection.execute(
            text(
                "UPDATE enrolments SET outcome = 'passed', change_generation = :g "
                "WHERE id = (SELECT MIN(id) FROM enrolments)"
            ),
            {"g": generation},
        )


def _refreshed_file(register: Register) -> tuple[ParliamentReport, Path]:
    """A report, a change and the next report, which refreshes the kept file: that report and the file."""
    _report(register)
    _change(register)
    refreshed = snapshots_refreshed()
    report = _report(register)
    assert snapshots_refreshed() == refreshed + 1
    with register.uow() as work:
        (path,) = snapshot_files(work.statistics)
    return report, path


def _corrupt_enrolment_blocks(path: Path) -> None:
    """Overwrite bytes inside every block holding ``stat_enrolments``' columns, as an unwritten page after a crash
    would leave them (DuckDB's file: three 4 KiB headers, then 256 KiB blocks, each behind its checksum)."""
    db = connect(path, read_only=True)
    blocks = {
        int(b)
        for (b,) in db.execute(
            "SELECT block_id FROM pragma_storage_info('stat_enrolments') WHERE block_id >= 0"
        ).fetchall()
    }
    db.close()
    assert blocks
    with path.open("r+b") as file:
        for block in blocks:
            file.seek(3 * 4096 + block * 256 * 1024 + 64)
            file.write(b"\xa5" * 256)


def test_a_refreshed_file_is_unsynced_and_marked_with_the_boot_it_was_written_in(file_register: Register) -> None:
    _report_before, path = _refreshed_file(file_register)
    db = connect(path, read_only=True)
    (boot,) = db.execute("SELECT unsynced_boot FROM stat_meta").fetchall()[0]
    db.close()
    assert boot == Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()


def test_after_a_reboot_a_whole_unsynced_file_is_read_once_and_kept(
    file_register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    report, path = _refreshed_file(file_register)
    forget()
    monkeypatch.setattr(cache, "_boot", lambda: "another boot")
    taken = snapshots_taken()
    assert _report(file_register) == report
    assert snapshots_taken() == taken
    assert path.exists()


def test_after_a_reboot_an_unsynced_file_with_an_unreadable_block_is_dropped_and_copied_again(
    file_register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    report, path = _refreshed_file(file_register)
    forget()
    _corrupt_enrolment_blocks(path)
    taken = snapshots_taken()
    db = connect(path, read_only=True)
    with pytest.raises(duckdb.Error, match="checksum"):  # the corruption is real: reading the file fails
        db.execute("SELECT bit_xor(hash(n)) FROM stat_enrolments AS n").fetchall()
    db.close()
    monkeypatch.setattr(cache, "_boot", lambda: "another boot")
    assert _report(file_register) == report
    assert snapshots_taken() == taken + 1


def test_in_the_boot_it_was_written_in_an_unsynced_file_is_trusted_without_reading_it(
    file_register: Register,
) -> None:
    """Proved by a corruption the same boot does not look for: the kept file is reused (a real crash restarts
    the machine, so this never meets a damaged file)."""
    _report_before, path = _refreshed_file(file_register)
    forget()
    _corrupt_enrolment_blocks(path)
    taken = snapshots_taken()
    with pytest.raises(duckdb.Error, match="checksum"):
        _report(file_register)
    assert snapshots_taken() == taken


def test_a_refresh_that_fails_copies_the_register_in_full_and_says_so(
    file_register: Register, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A DuckDB error in a refresh (out of memory, once, turned the first report after an update into a full copy
    of 43 s with no word of it) still gives a correct report, from a full copy, and leaves a warning naming the
    error's type only."""
    _report(file_register)
    _change(file_register)

    def out_of_memory(*_: object) -> bool:
        raise duckdb.OutOfMemoryException("failed to pin block")

    monkeypatch.setattr(cache, "refresh_snapshot", out_of_memory)
    taken = snapshots_taken()
    with caplog.at_level("WARNING", logger="microcred.stats.cache"):
        report = _report(file_register)
    assert snapshots_taken() == taken + 1
    (record,) = [r for r in caplog.records if r.name == "microcred.stats.cache"]
    assert record.levelname == "WARNING"
    assert getattr(record, "error_type", None) == "OutOfMemoryException"
    monkeypatch.undo()
    forget()
    assert report == _report(file_register)
