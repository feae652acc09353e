"""The command line, run in-process against a SQLite file of its own in each test's folder.

Registers that take a while to load (``microcred demo``, the small demo) are made once per session and
copied into the test's folder by the ``demo`` fixtures, so a test that is about something else does not
load them again.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from microcred.bootstrap import build
from microcred.cli.context import register
from microcred.cli.main import run
from microcred.services.demo import load_small_demo
from microcred.settings import Settings

DATABASE = "cli.db"


def microcred(*args: str) -> int:
    """Run ``microcred ARGS`` as the command line would; its exit code."""
    return run(list(args))


def _use_database(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    monkeypatch.chdir(folder)
    monkeypatch.setenv("MICROCRED_DATABASE_URL", f"sqlite:///{folder / DATABASE}")
    monkeypatch.setenv("MICROCRED_ENVIRONMENT", "test")


@pytest.fixture(autouse=True)
def isolated_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    _use_database(monkeypatch, tmp_path)
    register.cache_clear()
    yield tmp_path
    register.cache_clear()


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What ``microcred init`` and ``microcred demo`` leave behind, made once per session."""
    folder = tmp_path_factory.mktemp("cli-demo")
    with pytest.MonkeyPatch.context() as monkeypatch:
        _use_database(monkeypatch, folder)
        register.cache_clear()
        try:
            assert microcred("init") == 0
            assert microcred("demo") == 0
        finally:
            register().close()
            register.cache_clear()
    return _closed(folder / DATABASE)


@pytest.fixture
def demo(demo_database: Path, isolated_database: Path) -> None:
    """The test's database starts as ``microcred demo`` left it."""
    shutil.copyfile(demo_database, isolated_database / DATABASE)


@pytest.fixture(scope="session")
def small_demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo register, loaded once per session."""
    path = tmp_path_factory.mktemp("small-demo") / DATABASE
    wired = build(Settings(database_url=f"sqlite:///{path}", environment="test"))
    wired.migrate()
    load_small_demo(wired.uow, pepper=wired.settings.pseudonym_pepper.get_secret_value())
    wired.close()
    return _closed(path)


def _closed(path: Path) -> Path:
    """A database file that holds everything: closing its last connection folded the WAL back into it."""
    assert not path.with_name(path.name + "-wal").exists(), f"{path} is still open"
    return path


@pytest.fixture
def small_demo(small_demo_database: Path, isolated_database: Path) -> None:
    """The test's database starts with the small demo in it."""
    shutil.copyfile(small_demo_database, isolated_database / DATABASE)
