"""Bulk issuing in batches (issue 21, decisions 0025 and 0036): one transaction per batch, across list
boundaries, idempotent, a crash or a killed worker in the middle of a batch leaves nothing half done, and each
credential is the one the single way signs, byte for byte; on SQLite and PostgreSQL.

Lists hold 16 credentials and a batch 10, so batches open lists 2 and 3 part-way through."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from microcred.bootstrap import Register, build
from microcred.credentials.ob3 import Award, LearnerIdentity, StatusEntry, open_badge_document, sign_open_badge
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
    _assert_the_first_batch_alone_was_kept_and_a_second_run_completes(seeded)


def _assert_the_first_batch_alone_was_kept_and_a_second_run_completes(seeded: Seeded) -> None:
    wired = seeded.register
    kept = issuance.list_credentials("hoge", uow=wired.uow)
    assert len(kept) == BATCH, "the first batch committed; nothing of the second"
    with wired.uow() as work:
        assert work.credentials.status_list_numbers("hoge") == [1], "list 2 opened in the batch: rolled back"
    assert all(_verifies(seeded, credential) for credential in kept)
    resumed = _issue_edition(seeded)
    assert resumed == PASSED - BATCH
    _assert_complete(seeded, len(kept) + resumed)


_KILLED_IN_THE_SECOND_BATCH = """
import os, signal, sys
from microcred.bootstrap import build
from microcred.services import issuance
from microcred.settings import Settings
from microcred.testing import FixedClock
from tests.credentials.register_setup import ISSUED_AT, PEPPER

settings = Settings(database_url=sys.argv[1], environment="test", pseudonym_pepper=PEPPER, status_list_size=16)
register = build(settings)
batches = 0

def within(work, ids):
    global batches
    batches += 1
    if batches == 2:  # batch 2 stored its credentials and opened list 2, uncommitted: the process dies here
        os.kill(os.getpid(), signal.SIGKILL)

issuance.issue_for_edition("hoge", "DLT-2024", uow=register.uow, keys=register.key_store, settings=settings,
                           clock=FixedClock(ISSUED_AT), batch_size=10, within=within)
"""


def test_a_worker_killed_inside_a_batch_keeps_nothing_of_it_and_a_second_run_completes(
    small_lists: Register,
) -> None:
    seeded = seed(small_lists, passed=PASSED)
    root = Path(__file__).resolve().parents[2]
    died = subprocess.run(
        [sys.executable, "-c", _KILLED_IN_THE_SECOND_BATCH, small_lists.settings.database_url],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert died.returncode == -signal.SIGKILL, died.stderr
    _assert_the_first_batch_alone_was_kept_and_a_second_run_completes(seeded)


def _without_what_differs(document: dict[str, Any]) -> dict[str, Any]:
    """The document less what two learners' credentials must differ in: ids, salt and hash, index, proof value."""
    document = json.loads(json.dumps(document))
    document.pop("id")
    for identity in document["credentialSubject"]["identifier"]:
        identity.pop("salt"), identity.pop("identityHash")
    document["credentialStatus"].pop("id"), document["credentialStatus"].pop("statusListIndex")
    for proof in document["proof"]:
        proof.pop("proofValue")
    return document


def test_a_batch_issued_credential_is_the_one_the_single_way_signs_byte_for_byte(register: Register) -> None:
    seeded = seed(register, passed=4)
    alone = seeded.issue("P-1")
    assert _issue_edition(seeded) == 3, "one batch"
    batch = [c for c in issuance.list_credentials("hoge", uow=register.uow) if c.uuid != alone.uuid]
    for credential in batch:
        assert _without_what_differs(credential.document) == _without_what_differs(alone.document)
        assert credential.document_json == _signed_alone(seeded, credential)
        assert _verifies(seeded, credential)
    assert _verifies(seeded, alone)


def _signed_alone(seeded: Seeded, credential: Credential) -> str:
    """The credential's JSON as the one-document functions sign it, from its stored award, salt and index."""
    wired, now = seeded.register, seeded.clock()
    document = credential.document
    with wired.uow() as work:
        enrolment = work.enrolments.get("hoge", credential.enrolment_reference)
        award = Award(
            credential_id=credential.uuid,
            provider=work.providers.get("hoge"),
            offering=work.offerings.get("hoge", credential.offering_code),
            edition=work.editions.get("hoge", credential.edition_code),
            enrolment=enrolment,
            learner=LearnerIdentity(
                salt=document["credentialSubject"]["identifier"][0]["salt"],
                email=work.learners.email_of(enrolment.learner, "hoge"),
                pseudonym=enrolment.learner,
            ),
            issuer_did=wired.key_store.did("hoge"),
            public_base_url=wired.settings.public_base_url,
            issued_at=now,
            valid_from=now,
            valid_until=None,
            status=[
                StatusEntry(
                    StatusPurpose.MESSAGE,
                    credential.status_indexes[StatusPurpose.REVOCATION],
                    document["credentialStatus"]["statusListCredential"],
                )
            ],
            awarding_body_did=wired.key_store.did("hoge"),
        )
        key, method = wired.key_store.signing_key(work, "hoge", now)
    signed = sign_open_badge(open_badge_document(award), signing_key=key, verification_method=method, created=now)
    return json.dumps(signed, ensure_ascii=False, separators=(",", ":"))
