"""Template databases: migrate (and fill) once per test session, then give every test its own copy.

Running the Alembic migrations for every test cost more than most tests themselves. A template is made
the first time a test asks for it, once per pytest-xdist worker, and copied for each test: the file on
SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL. A copy is what a fresh migration (and the same
fill) would give, so each test still owns its database.
"""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from microcred.bootstrap import Register, build
from microcred.services.demo import load_small_demo
from microcred.settings import Settings
from microcred.testing import PostgresServer

__all__ = ["SMALL_DEMO", "TEST_PEPPER", "Content", "DatabaseTemplates", "database_copy", "settings_for"]

TEST_PEPPER = "test-pepper-0123456789abcdef"


@dataclass(frozen=True)
class Content:
    """What a test's register holds besides the schema; ``fill`` runs once, into the template."""

    name: str
    fill: Callable[[Register], object]


SMALL_DEMO = Content("small demo", lambda wired: load_small_demo(wired.uow, pepper=TEST_PEPPER))


def settings_for(database_url: str, outbox_dir: Path) -> Settings:
    """The settings of every test register (and of the templates its database is copied from)."""
    return Settings(database_url=database_url, environment="test", pseudonym_pepper=TEST_PEPPER, outbox_dir=outbox_dir)


class DatabaseTemplates:
    """The templates of one session (one xdist worker), by backend and content."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._sqlite: dict[str, Path] = {}
        self._postgres: dict[str, str] = {}
        self._numbers = itertools.count()

    def sqlite_copy(self, content: Content | None, folder: Path) -> str:
        """A new SQLite file in ``folder``, copied from the template for ``content``."""
        name = _name(content)
        if name not in self._sqlite:
            path = self._folder / f"{name}.db"
            _make(f"sqlite:///{path}", content, self._folder)
            self._sqlite[name] = path
        copy = folder / "microcred.db"
        shutil.copyfile(self._sqlite[name], copy)
        return f"sqlite:///{copy}"

    def postgres_copy(self, content: Content | None, server: PostgresServer) -> str:
        """A new database on ``server``, created from the template for ``content``."""
        name = _name(content)
        if name not in self._postgres:
            template = f"template_{name}"
            _make(server.create_database(template), content, self._folder)
            self._postgres[name] = template
        return server.create_database(f"test_{next(self._numbers)}", template=self._postgres[name])


def database_copy(request: pytest.FixtureRequest, backend: str, content: Content | None = None) -> str:
    """The URL of a new database on ``backend`` holding ``content``, for a fixture of any scope."""
    templates: DatabaseTemplates = request.getfixturevalue("database_templates")
    if backend == "sqlite":
        folders: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
        return templates.sqlite_copy(content, folders.mktemp("db"))
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return templates.postgres_copy(content, server)


def _name(content: Content | None) -> str:
    return "migrated" if content is None else "migrated_" + re.sub(r"\W+", "_", content.name).strip("_").lower()


def _make(url: str, content: Content | None, folder: Path) -> None:
    wired = build(settings_for(url, folder / "outbox"))
    try:
        wired.migrate()
        if content is not None:
            content.fill(wired)
        if wired.settings.is_sqlite:  # everything into the main file: only that file is copied
            with wired.engine.connect() as connection:
                connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    finally:
        wired.close()  # a PostgreSQL template must have no open connections when it is copied
