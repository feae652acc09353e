"""The statistics generation: what makes the report's change token one row and its refresh incremental.

Every write of a row that statistics read (providers, offerings, editions, enrolments) calls
``next_statistics_generation`` in the writing transaction and stamps the row's ``change_generation`` with the
value it returns; deletes, cascades included, are logged with a generation by triggers (migration
stats_0001_s5d). The counter is bumped per write call rather than once per transaction, so a rolled back
savepoint takes its bump with it and never leaves a committed row stamped above the committed counter. On
PostgreSQL the bump locks the counter row until commit: writers of statistics rows commit one after the
other, so a row's stamp is never below a generation a reader has already seen (decision 0038).
"""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from microcred.storage.tables import statistics_generation

__all__ = ["next_statistics_generation", "statistics_generation_now"]

_COUNTER = statistics_generation.c.generation


def next_statistics_generation(connection: Connection) -> int:
    """Move the register's statistics generation on by one and return it, for the rows about to be written."""
    bumped = update(statistics_generation).where(statistics_generation.c.id == 1).values(generation=_COUNTER + 1)
    return int(connection.execute(bumped.returning(_COUNTER)).scalar_one())


def statistics_generation_now(connection: Connection) -> int:
    """The generation of the last committed write statistics read (one indexed row: the change token)."""
    return int(connection.execute(select(_COUNTER).where(statistics_generation.c.id == 1)).scalar_one())
