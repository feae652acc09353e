"""Durable jobs on SQLite and PostgreSQL: any process answers for a job, an interrupted one is resumed and
finishes exactly once, a stalled worker's late writes change nothing, results hold no learner identifier; a
mailing job whose mail server fails keeps nothing unsent."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from microcred.bootstrap import Register, build, utc_now
from microcred.domain import Credential, Learner
from microcred.errors import Invalid, NotFound
from microcred.services import issuance
from microcred.services.jobs import CheckedFileGone
from microcred.services.mail import SmtpMailer
from microcred.services.offer_mailing import mail_offers
from microcred.services.ports import UnitOfWork
from microcred.services.worker import MAX_ATTEMPTS, JobWorker
from microcred.settings import Settings
from microcred.testing import free_port
from tests.databases import SMALL_DEMO, Content, settings_for

NEW_EDITION = b"code,offering_code,start_date,end_date,capacity\nMC-DISINFO-2025,MC-DISINFO,2025-09-20,2026-01-31,40\n"
EDITION = "MC-DISINFO-2024"  # passed enrolments of ugent without credentials in the small demo


@pytest.fixture
def register_content() -> Content:
    return SMALL_DEMO


@pytest.fixture
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """No worker thread starts on submit here: each test runs the worker itself, step by step."""
    return settings_for(database_url, tmp_path_factory.mktemp("outbox")).model_copy(update={"serve_jobs": False})


@pytest.fixture
def other_process(register: Register) -> Iterator[Register]:
    """A second register on the same database, as another process would build it."""
    wired = build(register.settings)
    yield wired
    wired.close()


def _dead_worker_claims(register: Register) -> int:
    """A worker claims the oldest job and dies at once: its lease has already run out. Its attempt."""
    with register.uow() as work:
        now = utc_now()
        claimed = work.jobs.claim("dead-worker", now=now, lease_until=now - timedelta(seconds=1))
        work.commit()
    assert claimed is not None
    return claimed.attempts


def _edition_codes(register: Register) -> set[str]:
    with register.uow() as work:
        return {edition.code for edition in work.editions.list_for_offering("ugent", "MC-DISINFO")}


def test_a_job_submitted_in_one_process_is_run_and_answered_by_another(
    register: Register, other_process: Register
) -> None:
    job = register.jobs.submit_import("editions", NEW_EDITION, provider="ugent", fmt="csv")
    assert other_process.jobs.get_job(job.id, owner="ugent").state == "queued"
    assert other_process.worker.run_once()
    done = register.jobs.get_job(job.id, owner="ugent")
    assert (done.state, done.attempts, done.result["created"], done.result["committed"]) == ("succeeded", 1, 1, True)
    assert "MC-DISINFO-2025" in _edition_codes(register)
    with register.uow() as work:
        assert work.jobs.input_of(job.id) is None, "the uploaded file is dropped once it was imported"
    with pytest.raises(NotFound):
        register.jobs.get_job(job.id, owner="vub")
    assert not other_process.worker.run_once(), "a finished job is not run again"


def test_an_import_interrupted_by_a_crash_is_resumed_and_committed_once(register: Register) -> None:
    job = register.jobs.submit_import("editions", NEW_EDITION, provider="ugent", fmt="csv")
    assert _dead_worker_claims(register) == 1
    assert register.jobs.get_job(job.id, owner="ugent").state == "running"
    assert register.worker.run_once()
    done = register.jobs.get_job(job.id, owner="ugent")
    assert (done.state, done.attempts) == ("succeeded", 2)
    assert (done.result["created"], done.result["unchanged"]) == (1, 0), "the rows were stored once, by attempt 2"


def test_a_stalled_workers_late_outcome_changes_nothing(register: Register) -> None:
    job = register.jobs.submit_import("editions", NEW_EDITION, provider="ugent", fmt="csv")
    stalled = _dead_worker_claims(register)
    assert register.worker.run_once()  # took over the expired lease and finished
    with register.uow() as work:
        late = work.jobs.end(job.id, stalled, state="failed", at=utc_now(), error="{}")
        beat = work.jobs.beat(job.id, stalled, now=utc_now(), lease_until=utc_now(), done=0, total=0)
        work.commit()
    assert (late, beat) == (False, False)
    assert register.jobs.get_job(job.id, owner="ugent").state == "succeeded"


def test_a_job_interrupted_too_often_ends_failed_with_the_reason(register: Register) -> None:
    job = register.jobs.submit_import("editions", NEW_EDITION, provider="ugent", fmt="csv")
    for _ in range(MAX_ATTEMPTS):
        _dead_worker_claims(register)
    assert register.worker.run_once()
    failed = register.jobs.get_job(job.id, owner="ugent")
    assert failed.state == "failed"
    assert failed.failure is not None
    assert failed.failure.reason == "job-interrupted"
    assert f"interrupted {MAX_ATTEMPTS} times" in (failed.error or "")
    assert "onderbroken" in failed.failure.describe("nl")
    assert "MC-DISINFO-2025" not in _edition_codes(register), "nothing half stored"


def test_issuing_resumed_after_a_crash_issues_each_credential_once_and_counts_all(register: Register) -> None:
    uninterrupted = len(issuance.list_credentials("ugent", uow=register.uow))
    job = register.jobs.submit_issue("ugent", EDITION)
    attempt = _dead_worker_claims(register)
    with register.uow() as work:
        waiting = work.credentials.passed_without_credential("ugent", EDITION)
    assert len(waiting) >= 2

    def counted_by_the_dead_worker(work: UnitOfWork, credential_ids: Sequence[str]) -> None:
        assert work.jobs.beat(job.id, attempt, now=utc_now(), lease_until=utc_now(), done=1, total=2)
        work.jobs.add_items(job.id, credential_ids, first_position=0)

    issuance.issue_for_enrolment(
        "ugent", waiting[0], uow=register.uow, keys=register.key_store, settings=register.settings,
        clock=register.clock, within=counted_by_the_dead_worker,
    )  # fmt: skip
    assert register.worker.run_once()
    done = register.jobs.get_job(job.id, owner="ugent")
    issued = issuance.list_credentials("ugent", uow=register.uow)
    assert (done.state, done.attempts) == ("succeeded", 2)
    assert done.result["issued"] == len(waiting) == len(issued) - uninterrupted
    assert sorted(done.result["credentials"]) == sorted(c.uuid for c in issued[uninterrupted:])
    assert len({c.enrolment_reference for c in issued}) == len(issued), "one credential per enrolment"


def test_a_clean_dry_run_keeps_its_file_for_one_real_import(register: Register) -> None:
    check = register.jobs.submit_import("editions", NEW_EDITION, provider="ugent", fmt="csv", dry_run=True)
    assert register.worker.run_once()
    assert register.jobs.get_job(check.id, owner="ugent").result["ok"] is True
    assert "MC-DISINFO-2025" not in _edition_codes(register)
    with pytest.raises(CheckedFileGone):
        register.jobs.submit_checked_import(check.id, provider="vub")
    real = register.jobs.submit_checked_import(check.id, provider="ugent")
    with pytest.raises(CheckedFileGone):
        register.jobs.submit_checked_import(check.id, provider="ugent")
    assert register.worker.run_once()
    assert register.jobs.get_job(real.id, owner="ugent").result["created"] == 1


def test_a_job_result_holds_no_learner_identifier(register: Register) -> None:
    header = b"provider,reference,edition_code,learner_id,enrolment_date,contract_type,outcome,grade,outcome_date\n"
    row = b"ugent,E-NEW-1,NO-SUCH-EDITION,r0999111,2024-09-20,02,passed,15,2025-01-20\n"
    job = register.jobs.submit_import("enrolments", header + row, provider="ugent", fmt="csv")
    assert register.worker.run_once()
    done = register.jobs.get_job(job.id, owner="ugent")
    assert done.result["problems"], done.result
    with register.uow() as work:
        stored = work.jobs.get(job.id)
    assert stored is not None
    assert "r0999111" not in (stored.result or "") + (stored.params or "")
    assert all(problem["value"] is None for problem in done.result["problems"])


def test_issuing_an_unknown_edition_is_not_found_before_any_job_exists(register: Register) -> None:
    with pytest.raises(NotFound):
        register.jobs.submit_issue("ugent", "NO-SUCH-EDITION")
    assert register.jobs.count_jobs()["queued"] == 0


def test_a_failed_job_keeps_its_reason_for_every_reader(register: Register) -> None:
    job = register.jobs.submit_import("editions", b"code\n", provider="no-such-provider", fmt="csv")
    assert register.worker.run_once()
    failed = register.jobs.get_job(job.id, owner="no-such-provider")
    assert failed.state == "failed"
    assert failed.failure is not None
    assert failed.error == str(failed.failure)
    with register.uow() as work:
        stored = work.jobs.get(job.id)
    assert stored is not None
    assert json.loads(stored.error or "")["reason"] == failed.failure.reason


def test_an_unknown_kind_or_format_is_refused_when_submitted(register: Register) -> None:
    with pytest.raises(Invalid) as kind:
        register.jobs.submit_import("learners", b"x", provider="ugent")
    assert kind.value.problems[0].field == "kind"
    with pytest.raises(Invalid) as fmt:
        register.jobs.submit_import("editions", b"x", provider="ugent", fmt="docx")
    assert fmt.value.problems[0].field == "format"


def test_finished_jobs_are_forgotten_after_a_week(register: Register) -> None:
    job = register.jobs.submit_import("editions", b"code\n", provider="no-such-provider", fmt="csv")
    assert register.worker.run_once()
    with register.uow() as work:
        assert work.jobs.prune(finished_before=utc_now() - timedelta(days=7)) == 0
        assert work.jobs.prune(finished_before=utc_now() + timedelta(seconds=1)) == 1
        work.commit()
    with pytest.raises(NotFound):
        register.jobs.get_job(job.id, owner="no-such-provider")


def _issued_with_two_addresses(register: Register) -> list[Credential]:
    """Issue EDITION and give two of its learners an address at ugent; the edition's credentials."""
    register.issuance.issue_for_edition("ugent", EDITION)
    issued = [c for c in issuance.list_credentials("ugent", uow=register.uow) if c.edition_code == EDITION]
    with register.uow() as work:
        for number, credential in enumerate(issued[:2]):
            work.learners.save(Learner(credential.learner, f"mailed{number}@example.org"), provider="ugent")
        work.commit()
    return issued


def test_a_failing_mail_server_keeps_nothing_unsent_and_a_new_run_mails_everyone_once(register: Register) -> None:
    issued = _issued_with_two_addresses(register)
    # a real SMTP client against a port nobody listens on: the connection is refused (an OSError)
    unreachable = SmtpMailer("127.0.0.1", free_port())
    failing = JobWorker(dataclasses.replace(register.dependencies, mailer=unreachable))
    job = register.jobs.submit_offer_mail("ugent", EDITION)
    assert failing.run_once()
    failed = register.jobs.get_job(job.id, owner="ugent")
    assert failed.state == "failed"
    assert failed.failure is not None
    assert failed.failure.reason == "offer-mail-failed"
    assert "start the job again" in failed.failure.describe("en")
    with register.uow() as work:
        assert work.oid4vci.mailed_credentials([c.uuid for c in issued]) == set(), "no offer kept for an unsent mail"
    outbox = Path(register.settings.outbox_dir)
    assert not list(outbox.glob("*.eml"))
    again = register.jobs.submit_offer_mail("ugent", EDITION)
    assert register.worker.run_once()
    done = register.jobs.get_job(again.id, owner="ugent")
    assert done.state == "succeeded", done.error
    with register.uow() as work:
        reachable = [c.uuid for c in issued if work.learners.email_of(c.learner, "ugent") is not None]
    assert done.result["mailed"] == len(reachable) >= 2
    assert len(list(outbox.glob("*.eml"))) == len(reachable)


def test_a_learner_another_mailing_reached_meanwhile_is_not_mailed_again(register: Register) -> None:
    """Two mailings of one edition overlap: the later one looked before the first had mailed anybody."""
    _issued_with_two_addresses(register)
    deps = register.dependencies
    first: dict[str, object] = {}

    def meanwhile(done: int, total: int) -> None:
        if not first:  # after this mailing looked, before it sends: the other one mails everybody
            first.update(mail_offers(deps, "ugent", EDITION))

    second = mail_offers(deps, "ugent", EDITION, progress=meanwhile)
    assert first["mailed"] == second["already_mailed"] >= 2
    assert second["mailed"] == 0
    assert len(list(Path(register.settings.outbox_dir).glob("*.eml"))) == first["mailed"]
