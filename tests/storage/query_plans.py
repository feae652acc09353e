"""Reading the plan the database chooses for the statements a repository really runs (with their parameters).

SQLite's planner has no statistics here, so a small register gets the plan a large one does; PostgreSQL's
would scan a small table anyway, so it is asked with sequential scans turned off, which still sorts or scans
when no index can serve.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from microcred.bootstrap import Register


@contextmanager
def statements(register: Register, table: str) -> Iterator[list[tuple[str, Any]]]:
    """The SELECTs on ``table`` run on the register's engine meanwhile, with their parameters."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and f"FROM {table}" in statement:
            seen.append((statement, parameters))

    event.listen(register.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(register.engine, "before_cursor_execute", record)


def plan(register: Register, statement: str, parameters: Any) -> list[str]:
    with register.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            return [str(row[-1]) for row in rows]
        connection.exec_driver_sql("SET enable_seqscan = off")
        return [str(row[0]) for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters)]
