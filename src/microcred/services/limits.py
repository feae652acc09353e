"""Per-caller rate limits: the register's budgets, shared by the API, the web pages and every process.

A client cannot double its budget by switching between the API and the web pages, nor N serving processes
multiply it by N: each caller's token bucket is refilled and spent in one atomic upsert in the database
(``storage/jobs.py``, docs/decisions/0020-durable-jobs.md). Callers are keyed by a SHA-256 digest of the
limit and the caller: an e-mail or client address is never stored in the clear.

A busy caller does not cost a database write per request (issue 21, decision 0041's addendum): a process
takes a *lease* of several tokens in one upsert when the budget refills fast enough (``rate`` x
``LEASE_SECONDS`` tokens, at most ``LEASE_MOST`` and a quarter of the burst) and spends them in memory for
up to ``LEASE_SECONDS``; and once the database has refused a caller, the process refuses it without asking
again until the bucket can have refilled one token. Both only ever spend tokens the database granted, so
every process together still grants no more than the bucket holds; the cost is that a lease another process
holds is not available here (a caller may be refused up to one lease early, never late) and that a token
leased now may be spent up to ``LEASE_SECONDS`` later (at most ``rate`` x ``LEASE_SECONDS`` more in any
window than the bucket alone would allow). The register's own budgets (one verification a second, two
wallet requests a second) lease one token: for them nothing changes but the remembered refusal.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock

from microcred.errors import RateLimited
from microcred.services.ports import UnitOfWorkFactory
from microcred.settings import Settings

__all__ = ["LEASE_MOST", "LEASE_SECONDS", "Leases", "Limits", "RateLimit", "take"]

LEASE_SECONDS = 1.0  # a leased token is spent within this time or forgotten
LEASE_MOST = 32  # tokens one upsert may lease: one write per 32 requests of a busy caller
_CALLERS_KEPT = 10_000  # callers with a lease or a refusal remembered per limit; more forget the oldest


@dataclass(frozen=True, slots=True)
class RateLimit:
    """``rate`` requests per second per caller on average, bursts of up to ``burst``; ``name`` keys the bucket."""

    name: str
    rate: float
    burst: int

    @property
    def lease(self) -> int:
        """Tokens one process may take at once: what refills in LEASE_SECONDS, within LEASE_MOST and burst/4."""
        return max(1, min(LEASE_MOST, int(self.rate * LEASE_SECONDS), self.burst // 4))


def _key(limit: RateLimit, caller: str) -> str:
    return hashlib.sha256(f"{limit.name}:{caller.strip().lower()}".encode()).hexdigest()


def _refused(limit: RateLimit, left: float) -> RateLimited:
    wait = math.ceil((1 - left) / limit.rate)
    return RateLimited("too-many-requests", wait=wait, retry_after=max(wait, 1))


def take(limit: RateLimit, caller: str, *, uow: UnitOfWorkFactory, now: Callable[[], float] = time.time) -> None:
    """Spend one request of ``caller``'s budget under ``limit``; RateLimited (with the seconds to wait) when empty."""
    with uow() as work:
        spent, left = work.rate_buckets.take(_key(limit, caller), rate=limit.rate, burst=limit.burst, now=now())
        work.commit()
    if not spent:
        raise _refused(limit, left)


@dataclass(slots=True)
class _Held:
    tokens: int = 0  # leased from the database, not yet spent
    until: float = 0.0  # the lease is forgotten at this moment
    refused_until: float = 0.0  # the bucket holds less than one token before this moment


class Leases:
    """One process's leases and remembered refusals, per caller of each limit (see the module's docstring).

    Shared by the threads of a process: the lock is held for dictionary steps only, never during the upsert
    (two threads may then both lease for one caller: each lease was granted by the database)."""

    def __init__(self, uow: UnitOfWorkFactory, *, now: Callable[[], float] = time.time) -> None:
        self._uow = uow
        self._now = now
        self._held: OrderedDict[str, _Held] = OrderedDict()
        self._lock = Lock()

    def take(self, limit: RateLimit, caller: str) -> None:
        """Spend one request of ``caller``'s budget: from this process's lease, else from the database."""
        key, now = _key(limit, caller), self._now()
        with self._lock:
            held = self._held.get(key)
            if held is not None:
                if held.tokens and now < held.until:  # a lease first: another thread's refusal may be older
                    held.tokens -= 1
                    return
                if now < held.refused_until:
                    raise _refused(limit, 1 - (held.refused_until - now) * limit.rate)
        with self._uow() as work:
            spent, left = work.rate_buckets.take(key, rate=limit.rate, burst=limit.burst, now=now, most=limit.lease)
            work.commit()
        with self._lock:
            held = self._held.pop(key, None) or _Held()
            # Threads of this process that leased at once keep every token: a lease replacing another lost its
            # tokens, and under 20 requests at once a caller with a burst of 100 was refused after a dozen. The
            # tokens leased now expire with those still held, so none is spent later than its lease allows.
            kept = held.tokens if now < held.until else 0
            if spent:
                held.tokens, held.refused_until = kept + spent - 1, 0.0
                held.until = held.until if kept else now + LEASE_SECONDS
            elif kept:  # the bucket is empty because this process holds its tokens: spend one of them
                held.tokens = kept - 1
            else:
                held.tokens, held.refused_until = 0, now + (1 - left) / limit.rate
            self._held[key] = held
            while len(self._held) > _CALLERS_KEPT:  # forgetting is safe: a lease lost, a refusal asked again
                self._held.popitem(last=False)
        if not spent and not kept:
            raise _refused(limit, left)


class Limits:
    """What one caller may ask of the register (issue 15, findings 6 and 7; issue 16).

    Each budget comes from the settings (``MICROCRED_<LIMIT>_RATE`` and ``_BURST``, one shape for all); the
    limits are attributes besides, so a test may set others for one register."""

    def __init__(self, uow: UnitOfWorkFactory, settings: Settings, *, now: Callable[[], float] = time.time) -> None:
        self._leases = Leases(uow, now=now)
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
        self._leases.take(self.api_token, subject)

    def access_link(self, address: str, *, client: str) -> None:
        """Count one access-link request for the address and for the client; RateLimited past either."""
        self._leases.take(self.access_link_client, client)
        self._leases.take(self.access_link_address, address)

    def wallet_protocol(self, *, client: str) -> None:
        """Count one request of a wallet app from the client; RateLimited past its budget."""
        self._leases.take(self.wallet_client, client)

    def verification(self, *, client: str) -> None:
        """Count one anonymous verification of the client; RateLimited past its budget."""
        self._leases.take(self.verification_client, client)
