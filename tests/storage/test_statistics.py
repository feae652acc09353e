"""The register's statistics source on both backends: the facts it hands over, in batches, are the ones
written, and its change token moves with every change statistics could see."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from microcred.bootstrap import Register
from microcred.storage.statistics import SqlStatisticsSource
from tests.stats.register_data import facts, load


def _rows(batches: Iterable[Any], *names: str) -> list[tuple[Any, ...]]:
    rows = []
    for batch in batches:
        columns = [getattr(batch, name) for name in names]
        assert len({len(column) for column in columns}) == 1  # every column of a batch is as long
        rows += zip(*columns, strict=True)
    return rows


def _by_learner(rows: list[tuple[Any, ...]]) -> list[list[tuple[Any, ...]]]:
    """Enrolments grouped by learner without the learner ids, which differ by backend's sequences."""
    found: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for edition, learner, *rest in rows:
        found[learner].append((edition, *rest))
    return sorted(sorted(group) for group in found.values())


def test_the_source_hands_over_the_rows_written_in_batches(register: Register) -> None:
    load(register)
    expected = facts()
    with register.engine.connect() as connection:
        source = SqlStatisticsSource(connection, batch=5)  # 128 enrolments: many batches, the last one short
        providers = _rows(source.providers(), "id", "slug", "name", "type")
        offerings = _rows(
            source.offerings(),
            *("id", "provider_id", "code", "title", "kind", "flemish_type", "ects_tenths", "eqf_level", "vks_level"),
            *("isced_field", "participation_form"),
        )
        editions = _rows(source.editions(), "id", "offering_id", "academic_year", "capacity")
        enrolments = _rows(
            source.enrolments(), "edition_id", "learner_id", "contract_type", "employment_status", "age_band", "outcome"
        )
    assert sorted(providers) == sorted(expected.providers_rows)
    assert sorted(offerings) == sorted(expected.offerings_rows)  # ECTS 2.5 as 25 tenths on both backends
    assert sorted(editions) == sorted(expected.editions_rows)
    assert _by_learner(enrolments) == _by_learner(expected.enrolments_rows)


def test_the_change_token_moves_with_inserts_updates_and_deletes(register: Register) -> None:
    def token() -> str:
        with register.uow() as work:
            return work.statistics.change_token()

    empty = token()
    load(register)
    loaded = token()
    assert loaded != empty
    assert token() == loaded
    with register.engine.begin() as connection:
        connection.execute(text("UPDATE providers SET type = type, updated_at = :now"), {"now": datetime.now(UTC)})
    updated = token()
    assert updated != loaded
    with register.engine.begin() as connection:
        connection.execute(text("DELETE FROM enrolments WHERE id = (SELECT MIN(id) FROM enrolments)"))
    assert token() not in (updated, loaded)


def test_a_register_file_keeps_its_snapshot_beside_it_and_a_server_keeps_it_in_memory(register: Register) -> None:
    with register.uow() as work:
        source = work.statistics
        if register.engine.url.get_backend_name() == "sqlite":
            assert source.register_file is not None
            assert source.register == str(source.register_file)
            assert source.register_file.name == "microcred.db"
        else:
            assert source.register_file is None
            assert source.register.startswith("postgresql")
            password = register.engine.url.password
            assert not password or str(password) not in source.register
