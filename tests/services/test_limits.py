"""Rate limits shared through the database on SQLite and PostgreSQL: one budget per caller for every
process, refilled with time, and callers stored only as digests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from microcred.bootstrap import Register, build
from microcred.errors import RateLimited
from microcred.services.limits import RateLimit, take

LIMIT = RateLimit("test", rate=0.5, burst=3)


class Clock:
    """Seconds since the epoch, moved by the test."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def other_process(register: Register) -> Iterator[Register]:
    wired = build(register.settings)
    yield wired
    wired.close()


def _spend(register: Register, caller: str, clock: Clock) -> int | None:
    """None when granted, else the seconds to wait."""
    try:
        take(LIMIT, caller, uow=register.uow, now=clock)
    except RateLimited as limited:
        waited = limited
    else:
        return None
    assert waited.headers["Retry-After"] == str(waited.retry_after)
    return waited.retry_after


def test_two_processes_spend_from_one_budget(register: Register, other_process: Register) -> None:
    clock = Clock()
    spent = [_spend(process, "caller", clock) for process in (register, other_process, register, other_process)]
    assert spent == [None, None, None, 2], "three of the burst in all, whichever process answered"
    assert _spend(register, "someone else", clock) is None, "per caller"


def test_the_budget_refills_with_time_up_to_the_burst(register: Register) -> None:
    clock = Clock()
    assert [_spend(register, "caller", clock) for _ in range(4)] == [None, None, None, 2]
    clock.now += 2.0  # one token at 0.5 per second
    assert [_spend(register, "caller", clock) for _ in range(2)] == [None, 2]
    clock.now += 3_600.0
    assert [_spend(register, "caller", clock) for _ in range(4)] == [None, None, None, 2], "never above the burst"


def test_a_caller_is_stored_only_as_a_digest(register: Register) -> None:
    register.limits.access_link("Learner@Example.org", client="192.0.2.7")
    with register.engine.connect() as connection:
        keys = [row[0] for row in connection.exec_driver_sql("SELECT key FROM rate_buckets")]
    assert len(keys) == 2, "one bucket for the address, one for the client"
    assert all("example" not in key.lower() and "192" not in key and len(key) == 64 for key in keys)
