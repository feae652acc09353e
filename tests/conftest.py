"""Shared fixtures: a register on SQLite and on a real throw-away PostgreSQL server.

``register`` is parametrised over both backends: every storage test runs twice. Each test gets its own
database (a file in tmp_path, or a fresh database in the session's PostgreSQL server).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from microcred.bootstrap import Register, build
from microcred.settings import Settings
from microcred.testing import PostgresServer, throwaway_postgres

TEST_PEPPER = "test-pepper-0123456789abcdef"
_database_numbers = itertools.count()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    with throwaway_postgres() as server:
        yield server


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'microcred.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(f"test_{next(_database_numbers)}")


@pytest.fixture
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url,
        environment="test",
        pseudonym_pepper=TEST_PEPPER,
        outbox_dir=tmp_path_factory.mktemp("outbox"),
    )


@pytest.fixture
def register(settings: Settings) -> Iterator[Register]:
    wired = build(settings)
    wired.migrate()
    yield wired
    wired.close()
