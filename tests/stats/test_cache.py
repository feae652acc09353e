"""The statistics snapshot is kept between reports and brought up to date only when the register changed, on
SQLite (a DuckDB file next to the register) and PostgreSQL (kept in memory): with the rows changed since,
not a full copy (decision 0038)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from microcred.bootstrap import Register
from microcred.services.reports import parliament_report
from microcred.stats import ParliamentReport
from microcred.stats.cache import forget, snapshot_files, snapshots_refreshed, snapshots_taken
from microcred.storage.changes import next_statistics_generation
from tests.databases import Content
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
