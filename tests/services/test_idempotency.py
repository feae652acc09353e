"""Idempotency-Key reservations on SQLite and PostgreSQL: reserve, refuse while running, replay, release."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert

from microcred.bootstrap import Register
from microcred.errors import Conflict, Invalid
from microcred.services import idempotency
from microcred.services.idempotency import ABANDONED_AFTER, StoredAnswer
from microcred.storage import migrate
from microcred.storage.tables import idempotency_keys
from microcred.testing import FixedClock

ANSWER = StoredAnswer(201, "application/json", b'{"code":"MC-1"}')


def test_a_key_is_reserved_once_refused_while_running_and_replayed_when_done(register: Register) -> None:
    keys = register.idempotency
    assert keys.reserve("tok1", "k", "request-a") is None
    with pytest.raises(Conflict, match="in progress"):
        keys.reserve("tok1", "k", "request-a")
    with pytest.raises(Invalid) as refused:
        keys.reserve("tok1", "k", "request-b")
    assert refused.value.problems[0].field == "Idempotency-Key"
    keys.complete("tok1", "k", ANSWER)
    assert keys.reserve("tok1", "k", "request-a") == ANSWER
    assert keys.reserve("tok2", "k", "request-a") is None  # keys belong to one owner


def test_a_released_key_may_be_used_again(register: Register) -> None:
    keys = register.idempotency
    assert keys.reserve("tok1", "k", "request-a") is None
    keys.release("tok1", "k")
    assert keys.reserve("tok1", "k", "request-b") is None


def test_releasing_never_forgets_a_stored_answer(register: Register) -> None:
    keys = register.idempotency
    keys.reserve("tok1", "k", "request-a")
    keys.complete("tok1", "k", ANSWER)
    keys.release("tok1", "k")
    assert keys.reserve("tok1", "k", "request-a") == ANSWER


def test_the_same_request_takes_over_a_reservation_its_dead_process_left(register: Register) -> None:
    clock = FixedClock()
    assert idempotency.reserve("tok1", "k", "request-a", uow=register.uow, clock=clock) is None
    clock.now += ABANDONED_AFTER - timedelta(seconds=1)
    with pytest.raises(Conflict):
        idempotency.reserve("tok1", "k", "request-a", uow=register.uow, clock=clock)
    clock.now += timedelta(seconds=2)
    with pytest.raises(Invalid):  # another request never takes a key over
        idempotency.reserve("tok1", "k", "request-b", uow=register.uow, clock=clock)
    assert idempotency.reserve("tok1", "k", "request-a", uow=register.uow, clock=clock) is None
    with pytest.raises(Conflict):  # and now it is the new reservation that runs
        idempotency.reserve("tok1", "k", "request-a", uow=register.uow, clock=clock)


def test_responses_stored_before_reservations_existed_are_replayed(register: Register) -> None:
    """Migration auth_0002 turns the stored responses of auth_0001 into finished ("done") keys."""
    migrate.downgrade(register.engine, "auth_0001")
    with register.engine.begin() as connection:
        connection.execute(
            insert(idempotency_keys).values(  # auth_0001's columns only: no state
                owner="tok1",
                key="old",
                request_hash="request-a",
                status=201,
                content_type="application/json",
                body=ANSWER.body,
                created_at=FixedClock()(),
            )
        )
    migrate.upgrade(register.engine)
    assert register.idempotency.reserve("tok1", "old", "request-a") == ANSWER
