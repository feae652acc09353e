"""Login throttling: after a few failed sign-ins an account or a client waits, exponentially longer.

Counts live in the database (``login_attempts``), so every worker process shares them (issue 15, finding 4).
Keys are SHA-256 digests of ``account:<e-mail>`` and ``client:<address>``: no address is stored in clear.
A client gets more free failures than an account, since many people can share one address.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from microcred.errors import Throttled
from microcred.services.ports import UnitOfWork
from microcred.settings import Settings

__all__ = ["ACCOUNT", "CLIENT", "Policy", "check", "failed", "policies", "succeeded"]

FORGET_AFTER = timedelta(hours=24)  # a quiet day starts the count again


@dataclass(frozen=True, slots=True)
class Policy:
    """``free`` failures pass; each further one locks the key for ``base`` doubling, up to ``ceiling``."""

    name: str
    free: int
    base: timedelta = timedelta(seconds=30)
    ceiling: timedelta = timedelta(minutes=15)

    def key(self, value: str) -> str:
        return hashlib.sha256(f"{self.name}:{value.strip().lower()}".encode()).hexdigest()

    def lock_after(self, failures: int) -> timedelta | None:
        if failures < self.free:
            return None
        doubled: timedelta = self.base * 2 ** min(failures - self.free, 20)
        return min(doubled, self.ceiling)


ACCOUNT = Policy("account", free=5)
CLIENT = Policy("client", free=20)


def policies(settings: Settings) -> tuple[Policy, Policy]:
    """The account's and the client's policies as the operator set them (``MICROCRED_LOGIN_*``); the defaults
    are ``ACCOUNT`` and ``CLIENT``. The key names stay the same, so changing a number keeps the counts."""
    base = timedelta(seconds=settings.login_lock_seconds)
    ceiling = timedelta(seconds=settings.login_lock_ceiling_seconds)
    return (
        Policy(ACCOUNT.name, free=settings.login_account_free_failures, base=base, ceiling=ceiling),
        Policy(CLIENT.name, free=settings.login_client_free_failures, base=base, ceiling=ceiling),
    )


def check(work: UnitOfWork, keys: list[str], now: datetime) -> None:
    """Throttled while any of the keys is locked, with the seconds to wait."""
    for key in keys:
        found = work.login_attempts.get(key)
        if found is not None and found.locked_until is not None and found.locked_until > now:
            wait = max(1, math.ceil((found.locked_until - now).total_seconds()))
            raise Throttled("sign-in-throttled", retry_after=wait, wait=wait)


def failed(work: UnitOfWork, counted: list[tuple[Policy, str]], now: datetime) -> None:
    """Count one failure for each key and lock those past their policy's free failures."""
    for policy, key in counted:
        found = work.login_attempts.get(key)
        fresh = found is None or now - found.last_failure_at > FORGET_AFTER
        failures = 1 if fresh or found is None else found.failures + 1
        lock = policy.lock_after(failures)
        work.login_attempts.record(key, failures=failures, at=now, locked_until=None if lock is None else now + lock)


def succeeded(work: UnitOfWork, key: str) -> None:
    """A correct sign-in forgets the account's failures."""
    work.login_attempts.clear(key)
