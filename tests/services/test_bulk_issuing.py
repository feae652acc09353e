"""Bulk issuing in batches (issue 21, decision 0025): one transaction per batch, across list boundaries,
idempotent, and a crash in the middle of a batch leaves nothing half done; on SQLite and PostgreSQL.

Lists hold 16 credentials and a batch 10, so batches open lists 2 and 3 part-way through."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from microcred.bootstrap import Register, build
from microcred.domain import Credential, StatusPurpose
from microcred.services import issuance, verification
from microcred.services.ports import UnitOfWork
from microcred.settings import Settings
from tests.credentials.register_setup import Seeded, seed

LIST_SIZE = 16
BATCH = 10
PASSED = 2 * LIST_SIZE + 4  # 36: lists 1 and 2 fill, list 3 opens; batches end at 10, 20, 30, 36


class Crash(Exception):
    """Stands in for a process dying while a batch's transaction is open."""


@pytest.fixture
def small_lists(settings: Settings) -> Iterator[Register]:
    wired = build(settings.model_copy(update={"status_list_size": LIST_SIZE}))
    yield wired
    wired.close()


def _issue_edition(
    seeded: Seeded, *, within: issuance.Within | None = None, progress: issuance.Progress | None = None
) -> int:
    wired = seeded.register
    return issuance.issue_for_edition(
        "hoge",
        "DLT-2024",
        uow=wired.uow,
        keys=wired.key_store,
        settings=wired.settings,
        clock=seeded.clock,
        batch_size=BATCH,
        within=within,
        progress=progress,
    )


def _verifies(seeded: Seeded, credential: Credential) -> bool:
    wired = seeded.register
    result = verification.verify_document(
        credential.document, uow=wired.uow, keys=wired.key_store, clock=seeded.clock, remote=None
    )
    return result.check("signature").passed and result.check("status").passed


def _assert_complete(seeded: Seeded, issued: int) -> None:
    """Every passed enrolment has one credential; each full list used each index once, in random order;
    every credential verifies, signature and status, against the lists as served."""
    stored = issuance.list_credentials("hoge", uow=seeded.register.uow)
    assert sorted(c.enrolment_reference for c in stored) == sorted(f"P-{n}" for n in range(1, PASSED + 1))
    assert [c.status_list for c in sorted(stored, key=lambda c: c.id or 0)] == [1] * 16 + [2] * 16 + [3] * 4
    for number in (1, 2):
        drawn = [c.status_indexes[StatusPurpose.REVOCATION] for c in stored if c.status_list == number]
        assert sorted(drawn) == list(range(LIST_SIZE)), "a full list used each of its indexes once"
        assert drawn != sorted(drawn), "indexes are drawn at random, not in issue order"
    assert issued == len(stored), "the count is of the credentials stored"
    assert all(_verifies(seeded, credential) for credential in stored)


def test_a_bulk_issue_crosses_list_boundaries_in_batches_and_every_credential_verifies(
    small_lists: Register,
) -> None:
    seeded = seed(small_lists, passed=PASSED)
    batches: list[int] = []
    seen: list[tuple[int, int]] = []
    issued = _issue_edition(
        seeded,
        within=lambda work, ids: batches.append(len(ids)),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert batches == [10, 10, 10, 6], "one transaction per batch"
    assert seen == [(10, 36), (20, 36), (30, 36), (36, 36)], "progress is told per batch"
    _assert_complete(seeded, issued)


def test_issuing_an_edition_again_creates_nothing_new(small_lists: Register) -> None:
    seeded = seed(small_lists, passed=PASSED)
    seeded.issue("P-7")  # one issued on its own first: the bulk issue leaves it as it is
    assert _issue_edition(seeded) == PASSED - 1
    assert _issue_edition(seeded) == 0
    stored = issuance.list_credentials("hoge", uow=small_lists.uow)
    assert len(stored) == PASSED
    with small_lists.uow() as work:
        assert work.credentials.lock_status_lists("hoge") == 3, "no list opened by the second run"


def test_a_crash_inside_a_batch_keeps_nothing_of_it_and_a_second_run_completes(small_lists: Register) -> None:
    seeded = seed(small_lists, passed=PASSED)
    calls = 0

    def crash_in_the_second_batch(work: UnitOfWork, ids: Sequence[str]) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:  # batch 2 has drawn 6 indexes of list 1 and 4 of list 2, which it opened
            raise Crash()

    with pytest.raises(Crash):
        _issue_edition(seeded, within=crash_in_the_second_batch)
    kept = issuance.list_credentials("hoge", uow=small_lists.uow)
    assert len(kept) == BATCH, "the first batch committed; nothing of the second"
    with small_lists.uow() as work:
        assert work.credentials.status_list_numbers("hoge") == [1], "list 2 opened in the batch: rolled back"
    assert all(_verifies(seeded, credential) for credential in kept)

    resumed = _issue_edition(seeded)
    assert resumed == PASSED - BATCH
    _assert_complete(seeded, len(kept) + resumed)
