"""Engines: SQLite is tuned on every connection."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from microcred.bootstrap import Register


def test_sqlite_runs_in_wal_mode(register: Register) -> None:
    if not register.settings.is_sqlite:
        pytest.skip("WAL is a SQLite setting")
    with register.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_lower_folds_case_beyond_ascii_on_both_backends(register: Register) -> None:
    """Sort keys such as an offering's title use SQL lower(); SQLite's own only folds A-Z."""
    with register.engine.connect() as connection:
        assert connection.execute(text("SELECT lower('ÉCOLE Ärzte Data')")).scalar() == "école ärzte data"
