"""A served demo register for the page tests, on SQLite and on PostgreSQL.

Every register here starts as a copy of a template that holds the small demo (loaded once per session)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from microcred.asgi import create_app
from microcred.bootstrap import Register
from microcred.services.demo import load_small_demo
from tests.databases import Content

PEPPER = "pepper-for-web-tests"
SMALL_DEMO = Content("small demo for the web tests", lambda wired: load_small_demo(wired.uow, pepper=PEPPER))


@pytest.fixture
def register_content() -> Content:
    return SMALL_DEMO


@pytest.fixture
def demo(register: Register) -> Register:
    """The register with the small demo in it."""
    return register


@pytest.fixture
def client(demo: Register) -> Iterator[TestClient]:
    with TestClient(create_app(demo)) as served:
        yield served


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the form has no CSRF token"
    return found.group(1)


def finished_job(client: TestClient, started: object) -> str:
    """Follow a background job's page (as its htmx poll does) until it is done; its final page."""
    url = getattr(started, "url", None)
    assert url is not None
    assert "/desk/jobs/" in url.path, "the action did not start a job"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        partial = client.get(url.path, headers={"HX-Request": "true"})
        assert partial.status_code == 200
        if "hx-trigger" not in partial.text:
            return partial.text
        time.sleep(0.05)
    raise AssertionError("the job did not finish within 60 s")
