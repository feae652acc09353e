"""The job worker an application starts stops with the application, before the register's owner closes the
database: a test's SQLite file or throw-away PostgreSQL server is never polled after it is gone. A job
submitted afterwards starts the worker again."""

from __future__ import annotations

from fastapi.testclient import TestClient

from microcred.asgi import create_app
from microcred.bootstrap import Register


def test_an_application_stops_the_worker_it_started_and_a_later_start_runs_it_again(register: Register) -> None:
    with TestClient(create_app(register)) as client:
        assert client.get("/healthz").status_code == 200
        assert register.worker.running, "serve_jobs is on: the application runs a worker"
    assert not register.worker.running, "the application stopped its worker"
    register.start_worker()  # what submitting a job does
    assert register.worker.running
    register.stop_worker()
    assert not register.worker.running
