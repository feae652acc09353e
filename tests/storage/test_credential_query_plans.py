"""The credential look-ups on the issuing path and the provider walk use an index, whatever the register's size.

Issuing one credential asked ``for_enrolment`` first, and SQLite answered it by walking every credential
in the provider's status-list block; ``iterate_for_provider`` sorted all the provider's credentials for
every page. Both grew with the register (8 credentials/s at 320,000; a walk of 300,000 that did not end).
The plans are read from the database for the statements the repository really runs, with their
parameters: SQLite's planner has no statistics here, so a small register gets the plan a large one does;
PostgreSQL's would scan a small table anyway, so it is asked with sequential scans turned off, which still
sorts or scans when no index can serve.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from microcred.bootstrap import Register
from microcred.domain import CredentialState
from tests.credentials.register_setup import seed
from tests.storage.query_plans import plan, statements


def _plan_of(register: Register, run: Callable[[Any], object]) -> list[str]:
    """The plan of the last SELECT on ``credentials`` that ``run`` makes in a unit of work."""
    with statements(register, "credentials") as seen, register.uow() as work:
        run(work)
    assert seen, "the call read credentials"
    return plan(register, *seen[-1])


def _scans_credentials(plan: list[str]) -> bool:
    return any(line.startswith("SCAN credentials") or "Seq Scan on credentials" in line for line in plan)


def _sorts(plan: list[str]) -> bool:
    # SQLite: "USE TEMP B-TREE FOR ORDER BY", or "... FOR RIGHT PART OF ORDER BY" when an index gives a prefix
    return any(
        "TEMP B-TREE FOR" in line or line.lstrip(" ->").startswith(("Sort", "Incremental Sort")) for line in plan
    )


def test_an_enrolments_credential_is_found_through_the_enrolment_index(register: Register) -> None:
    seeded = seed(register, passed=3)
    for reference in ("P-1", "P-2", "P-3"):
        seeded.issue(reference)
    plan = _plan_of(register, lambda work: work.credentials.for_enrolment("hoge", "P-2"))
    assert not _scans_credentials(plan), plan
    if register.engine.dialect.name == "sqlite":
        [on_credentials] = [line for line in plan if line.startswith("SEARCH credentials")]
        assert "(enrolment_id=?)" in on_credentials, plan
    else:
        assert any("uq_credentials_enrolment_id" in line for line in plan), plan


def test_a_page_of_the_provider_walk_starts_at_its_key_in_the_issue_order_index(register: Register) -> None:
    seeded = seed(register, passed=3)
    for reference in ("P-1", "P-2", "P-3"):
        seeded.issue(reference)

    def second_page(work: Any) -> None:
        walk = work.credentials.iterate_for_provider("hoge", batch=1)
        next(walk), next(walk)  # the second read starts after the first page's key

    plan = _plan_of(register, second_page)
    assert not _scans_credentials(plan), plan
    assert not _sorts(plan), "\n".join(plan)
    assert any("ix_credentials_provider_issued" in line for line in plan), plan


def test_a_page_of_the_newest_first_listing_reads_the_issue_order_index_backwards_without_a_sort(
    register: Register,
) -> None:
    seeded = seed(register, passed=3)
    for reference in ("P-1", "P-2", "P-3"):  # one moment, as a bulk batch shares it
        seeded.issue(reference)
    for state in (None, CredentialState.ACTIVE):

        def second_page(work: Any, state: CredentialState | None = state) -> None:
            first = work.credentials.page_for_provider("hoge", state=state, limit=1)
            work.credentials.page_for_provider("hoge", state=state, after=first.next_after, limit=1)

        plan = _plan_of(register, second_page)
        assert not _scans_credentials(plan), plan
        assert not _sorts(plan), "\n".join(plan)
        assert any("ix_credentials_provider_issued" in line for line in plan), plan


def test_a_lists_flagged_credentials_are_read_through_the_state_indexes_not_the_whole_list(
    register: Register,
) -> None:
    seeded = seed(register, passed=3)
    issued = [seeded.issue(reference) for reference in ("P-1", "P-2", "P-3")]
    seeded.change("revoke", issued[0].uuid)
    seeded.change("suspend", issued[1].uuid)
    plan = _plan_of(register, lambda work: work.credentials.status_flags("hoge", 1))
    assert not _scans_credentials(plan), plan
    assert not any("SCAN stacked_credentials" in line or "Seq Scan on stacked_credentials" in line for line in plan)
    assert any("ix_credentials_provider_state" in line for line in plan), plan
    assert any("ix_stacked_credentials_provider_state" in line for line in plan), plan
    # the state is searched in the index, not filtered from every entry of the provider in the list's range
    assert not any(line.strip().startswith("Filter") for line in plan), plan
