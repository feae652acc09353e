"""Per-caller rate limits shared by every process: a token bucket per caller, kept in the database.

With several ``microcred serve`` processes an in-memory bucket per process would multiply every limit by
the number of processes. Each request instead refills and spends its caller's bucket in one atomic
upsert (``storage/jobs.py``), so the limit is the register's, whichever process answers
(docs/decisions/0020-durable-jobs.md). Callers are keyed by a SHA-256 digest: an e-mail address or a
client address is never stored in the clear.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from microcred.errors import Throttled
from microcred.services.dependencies import Dependencies
from microcred.services.ports import UnitOfWorkFactory

__all__ = ["ACCESS_LINK", "API_TOKEN", "VERIFICATION", "Limits", "RateLimit", "RateLimited", "take"]


@dataclass(frozen=True, slots=True)
class RateLimit:
    """``rate`` requests per second per caller on average, bursts of up to ``burst``."""

    name: str
    rate: float
    burst: int


API_TOKEN = RateLimit("token", rate=20.0, burst=100)  # every request of one API token
ACCESS_LINK = RateLimit("access-link", rate=1 / 60, burst=5)  # access links mailed to one address
VERIFICATION = RateLimit("verify", rate=1.0, burst=30)  # anonymous verifications from one client address


class RateLimited(Throttled):
    """The caller spent its budget; ``retry_after`` says in how many seconds one more request is allowed."""

    code = "rate-limited"
    status = 429

    def __init__(self, *, wait: int) -> None:
        super().__init__("too-many-requests", retry_after=max(wait, 1), wait=wait)
        self.headers = {"Retry-After": str(self.retry_after)}


def _key(limit: RateLimit, caller: str) -> str:
    return hashlib.sha256(f"{limit.name}:{caller.strip().lower()}".encode()).hexdigest()


def take(limit: RateLimit, caller: str, *, uow: UnitOfWorkFactory, now: Callable[[], float] = time.time) -> None:
    """Spend one request of ``caller``'s budget under ``limit``; RateLimited (with the wait) when empty."""
    with uow() as work:
        left = work.rate_buckets.take(_key(limit, caller), rate=limit.rate, burst=limit.burst, now=now())
        work.commit()
    if left is not None:
        raise RateLimited(wait=math.ceil((1 - left) / limit.rate))


class Limits:
    """The register's rate limits, bound to its database; adapters spend from them by caller.

    The limits are attributes so a test (or an installation's code) may set others for one register."""

    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps
        self.token_limit = API_TOKEN
        self.access_link_limit = ACCESS_LINK
        self.verification_limit = VERIFICATION

    def spend_token(self, subject: str) -> None:
        """One request of an API token (its prefix)."""
        take(self.token_limit, subject, uow=self._deps.uow)

    def spend_access_link(self, address: str) -> None:
        """One access link mailed to ``address``."""
        take(self.access_link_limit, address, uow=self._deps.uow)

    def spend_verification(self, client: str) -> None:
        """One anonymous verification from the client address."""
        take(self.verification_limit, client, uow=self._deps.uow)
