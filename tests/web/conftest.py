"""A served demo register for the page tests, on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from microcred.asgi import create_app
from microcred.bootstrap import Register
from microcred.services.demo import load_small_demo

PEPPER = "pepper-for-web-tests"


@pytest.fixture
def demo(register: Register) -> Register:
    load_small_demo(register.uow, pepper=PEPPER)
    return register


@pytest.fixture
def client(demo: Register) -> Iterator[TestClient]:
    with TestClient(create_app(demo)) as served:
        yield served


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the form has no CSRF token"
    return found.group(1)
