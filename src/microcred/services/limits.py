"""Per-caller rate limits: the register's budgets, shared by the API, the web pages and every process.

A client cannot double its budget by switching between the API and the web pages, nor N serving processes
multiply it by N: each request refills and spends its caller's token bucket in one atomic upsert in the
database (``storage/jobs.py``, docs/decisions/0020-durable-jobs.md). Callers are keyed by a SHA-256
digest of the limit and the caller: an e-mail or client address is never stored in the clear.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from microcred.errors import RateLimited
from microcred.services.ports import UnitOfWorkFactory
from microcred.settings import Settings

__all__ = ["Limits", "RateLimit", "take"]


@dataclass(frozen=True, slots=True)
class RateLimit:
    """``rate`` requests per second per caller on average, bursts of up to ``burst``; ``name`` keys the bucket."""

    name: str
    rate: float
    burst: int


def _key(limit: RateLimit, caller: str) -> str:
    return hashlib.sha256(f"{limit.name}:{caller.strip().lower()}".encode()).hexdigest()


def take(limit: RateLimit, caller: str, *, uow: UnitOfWorkFactory, now: Callable[[], float] = time.time) -> None:
    """Spend one request of ``caller``'s budget under ``limit``; RateLimited (with the seconds to wait) when empty."""
    with uow() as work:
        left = work.rate_buckets.take(_key(limit, caller), rate=limit.rate, burst=limit.burst, now=now())
        work.commit()
    if left is not None:
        wait = math.ceil((1 - left) / limit.rate)
        raise RateLimited("too-many-requests", wait=wait, retry_after=max(wait, 1))


class Limits:
    """What one caller may ask of the register (issue 15, findings 6 and 7; issue 16).

    Each budget comes from the settings (``MICROCRED_<LIMIT>_RATE`` and ``_BURST``, one shape for all); the
    limits are attributes besides, so a test may set others for one register."""

    def __init__(self, uow: UnitOfWorkFactory, settings: Settings) -> None:
        self._uow = uow
        s = settings  # each budget is MICROCRED_<LIMIT>_RATE and _BURST (README, docs/api.md)
        # Every request of one API token: 100 at once, then 20 a second.
        self.api_token = RateLimit("token", rate=s.token_rate, burst=s.token_burst)
        # Access links: five for one address, then one a minute; a client asking for many addresses is slowed too.
        self.access_link_address = RateLimit("access-link", rate=s.access_link_rate, burst=s.access_link_burst)
        self.access_link_client = RateLimit(
            "access-link-client", rate=s.access_link_client_rate, burst=s.access_link_client_burst
        )
        # Anonymous verification (API and web verifier alike): 30 at once, then one a second per client address
        # (a load test from one address lifts them).
        self.verification_client = RateLimit("verify", rate=s.verification_rate, burst=s.verification_burst)
        # Wallet apps (OpenID4VCI tokens, nonces, credentials, offers; OpenID4VP answers): 60 at once, then two
        # a second per client address. Codes and nonces are single-use and PINs counted per offer besides (0023).
        self.wallet_client = RateLimit("wallet", rate=s.wallet_rate, burst=s.wallet_burst)

    def token(self, subject: str) -> None:
        """Count one request of an API token (its prefix); RateLimited past its budget."""
        take(self.api_token, subject, uow=self._uow)

    def access_link(self, address: str, *, client: str) -> None:
        """Count one access-link request for the address and for the client; RateLimited past either."""
        take(self.access_link_client, client, uow=self._uow)
        take(self.access_link_address, address, uow=self._uow)

    def wallet_protocol(self, *, client: str) -> None:
        """Count one request of a wallet app from the client; RateLimited past its budget."""
        take(self.wallet_client, client, uow=self._uow)

    def verification(self, *, client: str) -> None:
        """Count one anonymous verification of the client; RateLimited past its budget."""
        take(self.verification_client, client, uow=self._uow)
