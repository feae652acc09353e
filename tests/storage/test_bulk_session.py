"""A bulk write sets its connection up once per transaction, and only for that transaction (storage.bulk).

PostgreSQL plans every statement of an import for its own run: the tables grow inside one transaction that no
ANALYZE has counted, and the generic plan PostgreSQL keeps for a statement psycopg prepared after five runs was
made while the table looked empty (a sequential scan per later batch: 19 s a batch of 5,000 look-ups at
600,000 rows before this). SQLite gets a page cache that holds the indexes the write walks.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from microcred.bootstrap import Register
from microcred.services.ports import UnitOfWork
from microcred.storage import SqlUnitOfWork
from tests.storage.records import a_provider


def _setting(register: Register, work: UnitOfWork) -> str:
    assert isinstance(work, SqlUnitOfWork)  # the setting belongs to the unit of work's own connection
    connection: Connection = work.connection
    if register.engine.url.get_backend_name() == "postgresql":
        return str(connection.execute(text("SHOW plan_cache_mode")).scalar_one())
    return str(connection.execute(text("PRAGMA cache_size")).scalar_one())


def test_a_bulk_look_up_sets_the_transaction_up_and_the_next_transaction_starts_plain(register: Register) -> None:
    postgres = register.engine.url.get_backend_name() == "postgresql"
    with register.uow() as work:
        before = _setting(register, work)
        assert work.bulk.enrolment_digests(1, ["R-1", "R-2"]) == {}
        during = _setting(register, work)
    with register.uow() as work:
        after = _setting(register, work)
    if postgres:
        assert (before, during, after) == ("auto", "force_custom_plan", "auto")
    else:
        assert during != before
        assert int(during) < 0  # a size in KiB, not pages


def test_an_issuing_batch_plans_its_reads_for_each_run_and_the_next_transaction_starts_plain(
    register: Register,
) -> None:
    """A bulk issue grows the credentials table within minutes: on PostgreSQL a generic plan made while it was
    small took the batch's read from 20 ms to 500-600 ms after 10,000 credentials (issue 21)."""
    with register.uow() as work:
        work.providers.save(a_provider())
        work.commit()
    with register.uow() as work:
        before = _setting(register, work)
        assert work.credentials.awaiting(a_provider().slug, ["R-1"]) == []
        during = _setting(register, work)
    with register.uow() as work:
        after = _setting(register, work)
    if register.engine.url.get_backend_name() == "postgresql":
        assert (before, during, after) == ("auto", "force_custom_plan", "auto")
    else:
        assert before == during == after  # SQLite plans every statement for its run anyway
