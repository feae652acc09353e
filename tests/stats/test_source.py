"""Statistics read the register only through the ``StatisticsSource`` port: no connection, no table names.

Because the port is a true seam, a second implementation holding the same register as Python lists must
give the very same report as the register itself (on SQLite and PostgreSQL).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_type_hints

import microcred.stats
from microcred.bootstrap import Register
from microcred.domain import ProviderType
from microcred.services.ports import UnitOfWork
from microcred.services.reports import parliament_report
from microcred.stats import BROAD_KINDS, Scope, build_report, take_snapshot
from microcred.stats.source import StatisticsSource
from tests.stats.facts import FactsInMemory
from tests.stats.register_data import facts, load

_REGISTER_TABLES = re.compile(
    r"\b(FROM|JOIN|INTO|UPDATE)\s+(providers|offerings|editions|enrolments|learners|credentials)\b", re.IGNORECASE
)


def test_the_unit_of_work_hands_statistics_a_typed_source_and_no_connection() -> None:
    assert not hasattr(UnitOfWork, "connection")
    assert get_type_hints(UnitOfWork.statistics.fget)["return"] is StatisticsSource  # type: ignore[attr-defined]


def test_no_statistics_code_names_a_table_of_the_register() -> None:
    package = Path(microcred.stats.__file__).parent
    sources = [*package.rglob("*.py"), *package.rglob("*.sql")]
    assert len(sources) > 10
    for source in sources:
        text = source.read_text(encoding="utf-8")
        assert not _REGISTER_TABLES.search(text), source.name


def test_the_report_from_facts_in_memory_equals_the_report_from_the_register(register: Register) -> None:
    load(register)
    from_register = parliament_report(register.uow, from_year="2020-21", to_year="2023-24", threshold=5)
    higher_education = tuple(t.value for t in ProviderType if t.is_higher_education)
    source = facts(batch=7)
    snapshot = take_snapshot(source)
    try:
        scope = Scope(2020, 2023, higher_education, kinds=BROAD_KINDS)
        from_lists = build_report(snapshot, scope, k=5, secret=source.rounding_secret())
    finally:
        snapshot.close()
    assert from_lists == from_register
    assert from_lists.enrolments.figure("enrolments", "2021-22").value  # not two empty reports


def test_an_empty_source_gives_an_empty_report() -> None:
    snapshot = take_snapshot(FactsInMemory())
    try:
        report = build_report(snapshot, Scope(2020, 2023, ("university",)), k=5)
    finally:
        snapshot.close()
    assert report.enrolments.figure("enrolments", "2020-21").value == 0
