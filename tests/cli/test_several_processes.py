"""Issue 16: two `microcred serve` processes and one `microcred worker` on one PostgreSQL, as in production.

An import submitted on one port is followed to its end on the other; the worker is killed with SIGKILL in
the middle of the job and started again, and the job finishes exactly once with the result an
uninterrupted run gives. Idempotency keys, rate limits, sessions and login throttling hold across the two
serving processes, because they live in the database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from microcred.bootstrap import Register, build
from microcred.services import auth
from microcred.services.auth import Scope
from microcred.testing import free_port
from tests.databases import SMALL_DEMO, TEST_PEPPER, database_copy, settings_for
from tests.web.conftest import csrf_of

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ROWS = 20_000  # long enough that the worker is killed inside the import, on a fast machine too
LEASE_SECONDS = 3
STARTUP_SECONDS = 120  # generous: the suite shares two cores; an idle machine starts a server in about 2 s
MICROCRED = str(Path(sys.executable).parent / "microcred")
STAFF, PASSWORD = "desk@ugent.be", "a long enough password"


def _enrolments_file() -> bytes:
    header = "provider,reference,edition_code,learner_id,enrolment_date,contract_type,outcome,grade,outcome_date\n"
    rows = (
        f"ugent,BULK-{i:06d},MC-DISINFO-2024,r{7_000_000 + i},2024-09-20,02,passed,15,2025-01-20\n" for i in range(ROWS)
    )
    return (header + "".join(rows)).encode()


class Processes:
    """The command-line processes of one test, each logging to its own file; all stopped at the end."""

    def __init__(self, database_url: str, folder: Path) -> None:
        self.folder = folder
        self.running: list[subprocess.Popen[bytes]] = []
        self.environment = {
            **os.environ,
            "MICROCRED_DATABASE_URL": database_url,
            "MICROCRED_ENVIRONMENT": "test",
            "MICROCRED_PSEUDONYM_PEPPER": TEST_PEPPER,
            "MICROCRED_OUTBOX_DIR": str(folder / "outbox"),
            "MICROCRED_JOB_LEASE_SECONDS": str(LEASE_SECONDS),
            "MICROCRED_LOG_LEVEL": "WARNING",
        }

    def start(self, *arguments: str) -> subprocess.Popen[bytes]:
        log = (self.folder / f"{arguments[0]}-{len(self.running)}.log").open("wb")
        process = subprocess.Popen([MICROCRED, *arguments], env=self.environment, stdout=log, stderr=subprocess.STDOUT)
        self.running.append(process)
        return process

    def serve_two(self) -> tuple[str, str]:
        """Two serving processes that leave jobs to the worker; their base URLs once both answer."""
        bases = []
        for _ in range(2):
            port = free_port()
            self.start("serve", "--port", str(port), "--no-jobs")
            bases.append(f"http://127.0.0.1:{port}")
        for base in bases:  # started together: a loaded machine takes its time to import the app
            _until(lambda base=base: _answers(f"{base}/healthz"), f"{base} to answer", STARTUP_SECONDS)
        return bases[0], bases[1]

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.terminate()
        for process in self.running:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _until(condition: Callable[[], Any], what: str, seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"waited {seconds} s for {what}")


@dataclass
class Cluster:
    """The small demo on a fresh database of the throw-away PostgreSQL, and two serving processes on it."""

    register: Register
    processes: Processes
    first: str
    second: str


@pytest.fixture(scope="module")
def cluster(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Shared by this module's tests: starting two servers is most of their time on a loaded machine."""
    folder = tmp_path_factory.mktemp("cluster")
    url = database_copy(request, "postgres", SMALL_DEMO)
    wired = build(settings_for(url, folder / "outbox").model_copy(update={"serve_jobs": False}))
    wired.access.add_staff(STAFF, provider="ugent", password=PASSWORD)
    running = Processes(url, folder)
    try:
        yield Cluster(wired, running, *running.serve_two())
    finally:
        running.stop_all()
        wired.close()


def _uninterrupted_result(request: pytest.FixtureRequest, tmp_path: Path, content: bytes) -> dict[str, Any]:
    """The same import on a fresh copy of the same register, run once in this process."""
    url = database_copy(request, "postgres", SMALL_DEMO)
    wired = build(settings_for(url, tmp_path / "outbox-2").model_copy(update={"serve_jobs": False}))
    try:
        job = wired.jobs.submit_import("enrolments", content, provider="ugent", fmt="csv")
        assert wired.worker.run_once()
        return wired.jobs.get_job(job.id, owner="ugent").result
    finally:
        wired.close()


def _enrolment_count(register: Register) -> int:
    with register.engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT count(*) FROM enrolments").scalar_one())


def test_a_job_survives_its_worker_being_killed_and_finishes_once_across_processes(
    request: pytest.FixtureRequest, cluster: Cluster, tmp_path: Path
) -> None:
    register, processes, first, second = cluster.register, cluster.processes, cluster.first, cluster.second
    token = auth.create_token(provider="ugent", scopes=[s.value for s in Scope], uow=register.uow, clock=register.clock)
    owner = {"Authorization": f"Bearer {token.token}"}
    before = _enrolment_count(register)
    content = _enrolments_file()

    upload = {**owner, "Content-Type": "text/csv", "Idempotency-Key": "bulk-enrolments-1"}
    url = "/api/v1/providers/ugent/imports/enrolments?format=csv"
    submitted = httpx.post(first + url, headers=upload, content=content, timeout=30)
    assert submitted.status_code == 202, submitted.text
    replayed = httpx.post(second + url, headers=upload, content=content, timeout=30)
    assert replayed.status_code == 202, replayed.text
    assert replayed.headers["idempotency-replayed"] == "true", "the same key on the other process: one create"
    assert replayed.headers["location"] == submitted.headers["location"]
    location = submitted.headers["location"]

    def job() -> dict[str, Any]:
        answer = httpx.get(second + location, headers=owner, timeout=10)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    assert job()["state"] == "queued", "the serving processes leave jobs to the worker"
    worker = processes.start("worker", "--poll", "0.2")
    _until(lambda: job()["state"] == "running", "the worker to claim the job", STARTUP_SECONDS)
    time.sleep(0.3)  # into the import's transaction (5,000 rows had ended before the kill on a fast machine)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    interrupted = job()
    assert (interrupted["state"], interrupted["attempts"]) == ("running", 1), "killed in the middle of the job"
    assert _enrolment_count(register) == before, "nothing half stored"

    processes.start("worker", "--poll", "0.2")
    finished = _until(
        lambda: (found := job())["state"] in ("succeeded", "failed") and found, "the job to end", STARTUP_SECONDS
    )
    assert (finished["state"], finished["attempts"]) == ("succeeded", 2), finished
    assert finished["result"] == _uninterrupted_result(request, tmp_path, content)
    assert finished["result"]["created"] == ROWS
    assert _enrolment_count(register) == before + ROWS, "stored exactly once"
    replay_now = httpx.post(first + url, headers=upload, content=content, timeout=30)
    assert (replay_now.headers["location"], replay_now.json()["state"]) == (location, "succeeded")


def test_limits_sessions_and_sign_in_throttling_hold_across_two_processes(cluster: Cluster) -> None:
    first, second = cluster.first, cluster.second
    asked = {"email": "someone@example.org"}
    statuses = [
        httpx.post(f"{base}/api/v1/learners/access-link", json=asked, timeout=10).status_code
        for base in (first, second, first, second, first, second)
    ]
    assert statuses == [202] * 5 + [429], "five links per address for the register, not per process"

    with httpx.Client(base_url=first, timeout=10) as desk:
        token = csrf_of(desk.get("/desk").text)
        signed_in = desk.post("/desk/login", data={"email": STAFF, "password": PASSWORD, "csrf_token": token})
        assert signed_in.status_code in (200, 303), signed_in.text
        cookies = desk.cookies
    with httpx.Client(base_url=second, timeout=10, cookies=cookies) as same_session:
        page = same_session.get("/desk/imports")
        assert page.status_code == 200, "the session signed in on one process is valid on the other"

    guesses = []
    for base in (first, second) * 3:
        with httpx.Client(base_url=base, timeout=10) as guesser:
            token = csrf_of(guesser.get("/desk").text)
            wrong = {"email": STAFF, "password": "wrong guess!", "csrf_token": token}
            guesses.append(guesser.post("/desk/login", data=wrong).status_code)
    assert guesses == [401] * 5 + [429], "five failures spread over two processes lock the account"
