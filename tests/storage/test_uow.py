"""The unit of work on both backends: nothing is kept unless ``commit()`` is called."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from microcred.bootstrap import Register
from microcred.errors import Conflict, NotFound
from microcred.settings import Settings
from microcred.storage.tables import learners, providers
from microcred.testing import FixedClock
from tests.storage.records import a_provider


def test_nothing_is_kept_without_commit(register: Register) -> None:
    with register.uow() as work:
        work.providers.save(a_provider())
    with register.uow() as work, pytest.raises(NotFound):
        work.providers.get("ugent")


def test_a_record_another_writer_stored_first_is_a_conflict_not_a_driver_error(register: Register) -> None:
    """Two writers that both found no learner ``p-1`` insert it: the database refuses the second, as a Conflict."""
    with register.uow() as work:
        work.connection.execute(insert(learners).values(pseudonym="p-1"))
        work.commit()
    with pytest.raises(Conflict, match="at the same moment"), register.uow() as work:
        work.connection.execute(insert(learners).values(pseudonym="p-1"))
    with pytest.raises(IntegrityError), register.uow() as work:  # a missing value is a bug, not a race
        work.connection.execute(insert(learners).values(pseudonym=None))


def test_rows_are_stamped_by_the_registers_clock_not_the_machines(settings: Settings) -> None:
    clock = FixedClock(datetime(2021, 2, 3, 4, 5, tzinfo=UTC))
    wired = Register(settings=settings, clock=clock)
    try:
        with wired.uow() as work:
            work.providers.save(a_provider())
            work.commit()
        with wired.engine.connect() as connection:
            created, updated = connection.execute(select(providers.c.created_at, providers.c.updated_at)).one()
        assert created.replace(tzinfo=UTC) == clock.now
        assert updated.replace(tzinfo=UTC) == clock.now
    finally:
        wired.close()
