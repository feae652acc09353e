"""The register's statistics source on both backends: the facts it hands over, in batches, are the ones
written, and its change token moves with every write path of the rows statistics read (decision 0038)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

import microcred
from microcred.bootstrap import Register
from microcred.domain import LangText, Outcome, QaKind, QualityAssurance
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


_TRACKED = ("providers", "offerings", "editions", "enrolments")
_WRITE = re.compile(r"^\s*(INSERT INTO|UPDATE)\s+(providers|offerings|editions|enrolments)\b", re.IGNORECASE)
# Writes that change nothing statistics read, so they need no stamp: the import's row digest alone (decision 0037)
_UNREAD = re.compile(r"^\s*UPDATE enrolments SET row_digest\s*=\s*\S+ WHERE", re.IGNORECASE)
# Modules whose only write of these tables changes no value: oid4vci.py's ``SET id = id`` takes SQLite's write
# lock before a mailing (decision 0034)
_LOCKS_ONLY = {"oid4vci.py"}
_UNREAD_SOURCE = re.compile(r"update\(enrolments\)[^\n]*\.values\(row_digest=None\)")  # the digest alone, as above


def _token(register: Register) -> int:
    with register.uow() as work:
        return int(work.statistics.change_token())


def _stamped_after(register: Register, generation: int) -> dict[str, int]:
    """How many rows of each table statistics read carry a stamp above ``generation``."""
    with register.engine.connect() as connection:
        return {
            table: int(
                connection.execute(
                    text(f"SELECT COUNT(*) FROM {table} WHERE change_generation > {generation}")
                ).scalar_one()
            )
            for table in _TRACKED
        }


def _walk(register: Register) -> list[tuple[str, str, Callable[[], None]]]:
    """Every way the register writes a row statistics read, each with the table it must show as changed."""

    def work() -> Any:
        return register.uow()

    def rename_provider() -> None:
        with work() as w:
            w.providers.save(replace(w.providers.get("uni-a"), name=LangText.of("Nieuw", "New")))
            w.commit()

    def review_provider() -> None:  # only its quality assurance changes: the provider row's updated_at moves
        with work() as w:
            review = QualityAssurance("NVAO", QaKind.INSTITUTIONAL_REVIEW, date(2024, 1, 1))
            w.providers.save(replace(w.providers.get("uni-b"), quality_assurances=[review]))
            w.commit()

    def change_offering() -> None:
        with work() as w:
            w.offerings.save(replace(w.offerings.get("uni-a", "A1"), ects=Decimal(3)))
            w.commit()

    def change_edition() -> None:
        with work() as w:
            edition = w.editions.get("uni-a", "A1-2020")
            w.editions.save(replace(edition, capacity=(edition.capacity or 0) + 7))
            w.commit()

    def change_enrolment() -> None:
        with work() as w:
            w.enrolments.save(replace(w.enrolments.get("uni-a", "R0"), outcome=Outcome.WITHDRAWN))
            w.commit()

    def bulk_enrolments() -> None:  # one new row and one changed row through the import's set-based path
        with work() as w:
            old = w.enrolments.get("uni-a", "R1")
            provider, edition = w.bulk.provider_ids()["uni-a"], w.bulk.edition_ids(w.bulk.provider_ids()["uni-a"])
            changed = replace(old, outcome=Outcome.FAILED if old.outcome != Outcome.FAILED else Outcome.PASSED)
            new = replace(old, reference="R-bulk")
            w.bulk.save_enrolments([(provider, edition[old.edition_code], e) for e in (changed, new)])
            w.commit()

    def remove_provider() -> None:  # cascades to its offerings, editions and enrolments
        with register.engine.begin() as connection:
            connection.execute(text("DELETE FROM providers WHERE slug = 'hs-c'"))

    return [
        ("load", "enrolments", lambda: load(register)),
        ("rename provider", "providers", rename_provider),
        ("review provider", "providers", review_provider),
        ("change offering", "offerings", change_offering),
        ("change edition", "editions", change_edition),
        ("change enrolment", "enrolments", change_enrolment),
        ("bulk enrolments", "enrolments", bulk_enrolments),
        ("remove provider", "", remove_provider),
    ]


def test_every_write_of_a_row_statistics_read_moves_the_token_and_stamps_the_row(register: Register) -> None:
    statements: list[str] = []

    def seen(_connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    event.listen(register.engine, "before_cursor_execute", seen)
    try:
        for name, table, step in _walk(register):
            before = _token(register)
            step()
            assert _token(register) > before, name
            assert _token(register) == _token(register)  # reading it changes nothing
            if table:
                assert _stamped_after(register, before)[table] > 0, name
    finally:
        event.remove(register.engine, "before_cursor_execute", seen)
    writes = [statement for statement in statements if _WRITE.match(statement)]
    assert writes
    unstamped = [w for w in writes if "change_generation" not in w and not _UNREAD.match(w)]
    assert unstamped == []  # every insert and update of what statistics read stamps its rows
    with register.uow() as work:
        removed = work.statistics.changes_since("0")
        assert removed is not None
        for kind in _TRACKED:  # the cascade logged every row it removed
            assert removed.removed(kind), kind


def test_every_module_that_writes_a_row_statistics_read_stamps_it() -> None:
    """The walk above runs the write paths there are today; a new module that writes these tables must stamp
    its rows too (``storage.changes.next_statistics_generation``, or ``storage.upsert`` which calls it)."""
    write = re.compile(  # statements of its own (``upsert(connection, table, ...)`` stamps for its callers)
        r"(insert|update)\((providers|offerings|editions|enrolments)\b"
        r"|(INSERT INTO|UPDATE) (providers|offerings|editions|enrolments)\b"
    )
    source = Path(microcred.__file__).parent
    writers = [
        path
        for path in source.rglob("*.py")
        if "migrations" not in path.parts and write.search(_UNREAD_SOURCE.sub("", path.read_text(encoding="utf-8")))
    ]
    assert {path.name for path in writers} >= {"bulk.py", "catalogue.py"}
    for path in writers:
        text_ = path.read_text(encoding="utf-8")
        if path.name in _LOCKS_ONLY:  # its one write is the lock, nothing else
            assert len(write.findall(text_)) == 1
            assert "update(enrolments).where(held).values(id=enrolments.c.id)" in text_
            continue
        assert "next_statistics_generation(" in text_, path
    assert "next_statistics_generation(" in (source / "storage" / "upsert.py").read_text(encoding="utf-8")


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
