"""Alembic migrations on both backends: the schema goes down to nothing and up again."""

from __future__ import annotations

from sqlalchemy import inspect

from microcred.bootstrap import Register
from microcred.storage import migrate


def test_migrations_go_down_to_nothing_and_up_again(register: Register) -> None:
    assert migrate.is_up_to_date(register.engine)
    migrate.downgrade(register.engine, "base")
    assert not migrate.is_up_to_date(register.engine)
    assert set(inspect(register.engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(register.engine)
    assert {"providers", "offerings", "editions", "enrolments", "learners"} <= set(
        inspect(register.engine).get_table_names()
    )
