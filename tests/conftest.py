"""Shared fixtures: a register on SQLite and on a real throw-away PostgreSQL server.

``register`` is parametrised over both backends: every storage test runs twice. Each test gets its own
database (a file in tmp_path, or a fresh database in the session's PostgreSQL server), copied from a
template that was migrated once per session (see ``tests/databases.py``). A folder or module that wants
every register to start with data overrides ``register_content``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings as hypothesis_settings

from microcred.bootstrap import Register, build
from microcred.settings import Settings
from microcred.testing import PostgresServer, throwaway_postgres
from tests.databases import TEST_PEPPER, Content, DatabaseTemplates, database_copy, settings_for

__all__ = ["BACKENDS", "TEST_PEPPER"]

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

# Hypothesis' per-example deadline (200 ms) times the machine as much as the code: on a shared two-core
# runner with two workers an example that takes 20 ms alone can take 400 ms, and fails as "flaky".
hypothesis_settings.register_profile("microcred", deadline=None)
hypothesis_settings.load_profile("microcred")

# A served process freezes its start-up heap once (asgi.py); a test worker starts thousands of applications,
# and freezing each time would keep every earlier test's cyclic garbage for good. tests/test_gc_freeze.py
# turns it on for the one test of it.
os.environ.setdefault("MICROCRED_GC_FREEZE_AT_STARTUP", "false")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    with throwaway_postgres() as server:
        yield server


@pytest.fixture(scope="session")
def database_templates(tmp_path_factory: pytest.TempPathFactory) -> DatabaseTemplates:
    return DatabaseTemplates(tmp_path_factory.mktemp("templates"))


@pytest.fixture
def register_content() -> Content | None:
    """What each test's register holds besides the schema: nothing, unless a folder or module says so."""
    return None


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, register_content: Content | None) -> str:
    return database_copy(request, request.param, register_content)


@pytest.fixture
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return settings_for(database_url, tmp_path_factory.mktemp("outbox"))


@pytest.fixture
def register(settings: Settings) -> Iterator[Register]:
    wired = build(settings)
    yield wired
    wired.close()
