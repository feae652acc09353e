"""Rate limits shared through the database on SQLite and PostgreSQL: one budget per caller for every
process, refilled with time, and callers stored only as digests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from microcred.bootstrap import Register, build
from microcred.errors import RateLimited
from microcred.services.limits import LEASE_SECONDS, Leases, RateLimit, take

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


FAST = RateLimit("fast", rate=100.0, burst=40)  # leases of 10 (a quarter of the burst)


def _granted(leases: Leases, caller: str = "busy") -> bool:
    try:
        leases.take(FAST, caller)
    except RateLimited:
        return False
    return True


def _bucket(register: Register) -> tuple[float, float, int]:
    with register.engine.connect() as connection:
        row = connection.exec_driver_sql("SELECT tokens, updated, granted FROM rate_buckets").one()
    return float(row[0]), float(row[1]), int(row[2])


def test_leasing_processes_grant_no_more_than_the_budget(register: Register, other_process: Register) -> None:
    clock = Clock()
    first, second = Leases(register.uow, now=clock), Leases(other_process.uow, now=clock)
    assert FAST.lease == 10
    granted = [_granted(leases) for _ in range(30) for leases in (first, second)]
    assert granted.count(True) == FAST.burst, "two processes together: the burst, not a lease more"
    assert granted[: FAST.burst] == [True] * FAST.burst
    with pytest.raises(RateLimited):
        take(FAST, "busy", uow=register.uow, now=clock)  # the database holds nothing a lease did not account for
    assert _bucket(register)[0] < 1.0


def test_a_lease_is_one_write_for_several_requests_and_is_forgotten_in_time(register: Register) -> None:
    clock = Clock()
    leases = Leases(register.uow, now=clock)
    assert _granted(leases)
    assert _bucket(register) == (30.0, clock.now, 10), "ten tokens taken in one upsert"
    clock.now += 0.5
    assert all(_granted(leases) for _ in range(9))
    assert _bucket(register)[1] == clock.now - 0.5, "nine spent from the lease: no write"
    clock.now += LEASE_SECONDS  # the last lease is spent; the next one is left unspent and forgotten
    assert _granted(leases)
    clock.now += LEASE_SECONDS + 0.01
    assert _granted(leases)
    assert _bucket(register)[1] == clock.now, "a lease older than LEASE_SECONDS is not spent: the database is asked"


def test_a_refusal_is_remembered_until_a_token_can_have_refilled(register: Register) -> None:
    clock = Clock()
    slow = Leases(register.uow, now=clock)
    assert LIMIT.lease == 1, "slow budgets lease one token: every grant is asked of the database"
    for _ in range(LIMIT.burst):
        slow.take(LIMIT, "caller")
    with pytest.raises(RateLimited) as refused:
        slow.take(LIMIT, "caller")
    assert refused.value.retry_after == 2
    asked = _bucket(register)
    clock.now += 1.0
    with pytest.raises(RateLimited) as again:
        slow.take(LIMIT, "caller")
    assert again.value.retry_after == 1, "the same wait the database would answer"
    assert _bucket(register) == asked, "refused from memory: no write"
    clock.now += 1.0
    slow.take(LIMIT, "caller")
    assert _bucket(register)[1] == clock.now


def test_threads_that_lease_at_once_keep_every_token(register: Register) -> None:
    """Two threads of one process lease for one caller at the same time (the second asks the database while the
    first's lease is being stored): both leases stay spendable, so the caller gets its whole burst, and only then a
    refusal. A lease that replaced the other lost its tokens: the API refused a burst of 20 after a dozen."""
    clock = Clock()
    nested: list[bool] = []
    started: list[bool] = []

    def uow_with_another_thread_inside():  # type: ignore[no-untyped-def]
        work = register.uow()
        if not started:
            started.append(True)
            nested.append(_granted(leases))  # the other thread's lease, stored while this one is in flight
        return work

    leases = Leases(uow_with_another_thread_inside, now=clock)
    granted = [_granted(leases) for _ in range(FAST.burst + 5)]
    assert nested == [True]
    assert granted.count(True) + 1 == FAST.burst, "every token of both leases spent, none lost"
    assert granted[: FAST.burst - 1] == [True] * (FAST.burst - 1)
