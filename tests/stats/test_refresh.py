"""A snapshot refreshed with only the rows changed since its token gives the very report a full copy gives,
figure for figure, whatever was inserted, changed or removed in between, on SQLite and PostgreSQL
(decision 0038). Writes stamp their rows the way storage does (``storage.changes``); deletes go through the
triggers, cascades included."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, text

from microcred.bootstrap import Register
from microcred.domain import AgeBand, ContractType, EmploymentStatus, OfferingKind, Outcome, ProviderType
from microcred.stats import Scope, build_report, take_snapshot
from microcred.stats.cache import cached_snapshot, snapshots_refreshed, snapshots_taken
from microcred.storage.changes import next_statistics_generation
from tests.databases import Content
from tests.stats.register_data import STATS_REGISTER


@pytest.fixture
def register_content() -> Content:
    return STATS_REGISTER


_SCOPE = Scope(2019, 2024, tuple(t.value for t in ProviderType), tuple(k.value for k in OfferingKind))
_SCHEMES = (None, "insz", "esi", "register", "local")
_NOW = datetime(2025, 1, 1, tzinfo=UTC)

_pick = st.integers(min_value=0, max_value=10_000)
_enrolment_values = st.tuples(
    st.sampled_from([c.value for c in ContractType]),
    st.sampled_from([s.value for s in EmploymentStatus]),
    st.sampled_from([a.value for a in AgeBand]),
    st.sampled_from([o.value for o in Outcome]),
    st.sampled_from(_SCHEMES),
)
_operation = st.one_of(
    st.tuples(st.just("insert"), _pick, _pick, _enrolment_values),
    st.tuples(st.just("update"), _pick, _enrolment_values),
    st.tuples(st.just("delete"), _pick),
    st.tuples(st.just("capacity"), _pick, st.one_of(st.none(), st.integers(1, 40))),
    st.tuples(st.just("move edition"), _pick, st.integers(2019, 2024)),
    st.tuples(st.just("drop edition"), _pick),
    st.tuples(
        st.just("offering"),
        _pick,
        st.sampled_from([k.value for k in OfferingKind]),
        st.sampled_from(["0613", "0311", None]),
    ),
    st.tuples(st.just("provider"), _pick, st.sampled_from([t.value for t in ProviderType])),
)


def _ids(connection: Connection, table: str) -> list[int]:
    return [int(i) for (i,) in connection.execute(text(f"SELECT id FROM {table} ORDER BY id"))]


def _apply(connection: Connection, operation: tuple[Any, ...]) -> None:
    """One write as storage makes it: a new statistics generation for the rows it writes."""
    kind, *args = operation
    stamp = {"g": next_statistics_generation(connection), "now": _NOW}
    enrolments, editions = _ids(connection, "enrolments"), _ids(connection, "editions")
    if kind == "insert" and editions:
        edition = editions[args[0] % len(editions)]
        learners = _ids(connection, "learners")
        learner = learners[args[1] % len(learners)]
        contract, status, age, outcome, scheme = args[2]
        connection.execute(
            text(
                "INSERT INTO enrolments (provider_id, reference, edition_id, learner_id, learner_scheme, "
                "enrolment_date, contract_type, employment_status, age_band, outcome, created_at, updated_at, "
                "change_generation) SELECT provider_id, :reference, id, :learner, :scheme, start_date, :contract, "
                ":status, :age, :outcome, :now, :now, :g FROM editions WHERE id = :edition"
            ),
            {**stamp, "reference": f"H{stamp['g']}", "learner": learner, "scheme": scheme, "contract": contract}
            | {"status": status, "age": age, "outcome": outcome, "edition": edition},
        )
    elif kind == "update" and enrolments:
        contract, status, age, outcome, scheme = args[1]
        connection.execute(
            text(
                "UPDATE enrolments SET contract_type = :contract, employment_status = :status, age_band = :age, "
                "outcome = :outcome, learner_scheme = :scheme, updated_at = :now, change_generation = :g WHERE id = :id"
            ),
            {**stamp, "contract": contract, "status": status, "age": age, "outcome": outcome, "scheme": scheme}
            | {"id": enrolments[args[0] % len(enrolments)]},
        )
    elif kind == "delete" and enrolments:
        connection.execute(text("DELETE FROM enrolments WHERE id = :id"), {"id": enrolments[args[0] % len(enrolments)]})
    elif kind == "capacity" and editions:
        connection.execute(
            text("UPDATE editions SET capacity = :capacity, updated_at = :now, change_generation = :g WHERE id = :id"),
            {**stamp, "capacity": args[1], "id": editions[args[0] % len(editions)]},
        )
    elif kind == "move edition" and editions:
        connection.execute(
            text(
                "UPDATE editions SET academic_year = :year, start_date = :start, updated_at = :now, "
                "change_generation = :g WHERE id = :id"
            ),
            {**stamp, "year": args[1], "start": date(args[1], 10, 1), "id": editions[args[0] % len(editions)]},
        )
    elif kind == "drop edition" and editions:  # its enrolments go with it (ON DELETE CASCADE)
        connection.execute(text("DELETE FROM editions WHERE id = :id"), {"id": editions[args[0] % len(editions)]})
    elif kind == "offering":
        offerings = _ids(connection, "offerings")
        connection.execute(
            text(
                "UPDATE offerings SET kind = :kind, isced_field = :field, updated_at = :now, change_generation = :g "
                "WHERE id = :id"
            ),
            {**stamp, "kind": args[1], "field": args[2], "id": offerings[args[0] % len(offerings)]},
        )
    elif kind == "provider":
        providers = _ids(connection, "providers")
        connection.execute(
            text("UPDATE providers SET type = :type, updated_at = :now, change_generation = :g WHERE id = :id"),
            {**stamp, "type": args[1], "id": providers[args[0] % len(providers)]},
        )


def _reports(register: Register) -> tuple[Any, Any]:
    """The report from the kept snapshot, refreshed, and from a full copy taken now."""
    with register.uow() as work:
        kept = cached_snapshot(work.statistics)
        full = take_snapshot(work.statistics)
        secret = work.statistics.rounding_secret()
    try:
        return build_report(kept, _SCOPE, k=3, secret=secret), build_report(full, _SCOPE, k=3, secret=secret)
    finally:
        kept.close()
        full.close()


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(batches=st.lists(st.lists(_operation, min_size=1, max_size=6), min_size=1, max_size=3))
def test_a_refreshed_snapshot_reports_what_a_full_copy_reports(register: Register, batches: list[list[Any]]) -> None:
    _reports(register)  # a snapshot to refresh
    for batch in batches:
        with register.engine.begin() as connection:
            for operation in batch:
                _apply(connection, operation)
        refreshed, full = _reports(register)
        assert refreshed == full


def test_new_rows_are_applied_without_a_full_copy(register: Register) -> None:
    _reports(register)
    taken, refreshed = snapshots_taken(), snapshots_refreshed()
    with register.engine.begin() as connection:
        known = connection.execute(
            text("SELECT contract_type, employment_status, age_band, outcome, learner_scheme FROM enrolments")
        ).first()
        assert known is not None
        for pick in range(5):  # values the snapshot has coded already
            _apply(connection, ("insert", pick, pick * 7, tuple(known)))
        _apply(connection, ("capacity", 3, 11))
        _apply(connection, ("provider", 0, "university-college"))
    kept, full = _reports(register)
    assert kept == full
    assert (snapshots_taken(), snapshots_refreshed()) == (taken, refreshed + 1)


def test_a_value_no_row_holds_any_more_or_never_coded_makes_a_full_copy(register: Register) -> None:
    with register.engine.connect() as connection:
        band = connection.execute(text("SELECT MIN(age_band) FROM enrolments")).scalar_one()
    _reports(register)
    taken, refreshed = snapshots_taken(), snapshots_refreshed()
    with register.engine.begin() as connection:  # the band disappears: a full copy would not code it
        generation = next_statistics_generation(connection)
        connection.execute(
            text("UPDATE enrolments SET age_band = 'unknown', change_generation = :g WHERE age_band = :band"),
            {"g": generation, "band": band},
        )
    assert _reports(register)[0] == _reports(register)[1]
    assert (snapshots_taken(), snapshots_refreshed()) == (taken + 1, refreshed)
    with register.engine.begin() as connection:  # and comes back: the snapshot has no code for it
        _apply(connection, ("insert", 1, 1, ("03", "unknown", band, "enrolled", None)))
    kept, full = _reports(register)
    assert kept == full
    assert (snapshots_taken(), snapshots_refreshed()) == (taken + 2, refreshed)
