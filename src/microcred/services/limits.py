"""Per-caller rate limits: an in-process token bucket, and the register's anonymous limits that both the
API and the web pages spend from (so a client cannot double its budget by switching between them).

Counts live in memory, per process: they slow a single client or a flood for one address; login
throttling, which must hold across processes, lives in the database (``services/throttle.py``).
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from dataclasses import dataclass, field

from microcred.errors import RateLimited

__all__ = ["Limits", "RateLimiter"]


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    """``rate`` requests per second per caller on average, bursts of up to ``burst``."""

    rate: float = 20.0
    burst: int = 100
    _buckets: dict[str, _Bucket] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self, caller: str) -> None:
        """Spend one request of ``caller``'s budget; RateLimited (with the seconds to wait) when it is empty."""
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(caller)
            if bucket is None:
                bucket = self._buckets[caller] = _Bucket(float(self.burst), now)
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return
            wait = math.ceil((1 - bucket.tokens) / self.rate)
        raise RateLimited("too-many-requests", wait=wait, retry_after=max(wait, 1))


def _key(kind: str, value: str) -> str:
    """Buckets are keyed by a digest: an e-mail address is not kept in memory in the clear."""
    return hashlib.sha256(f"{kind}:{value.strip().lower()}".encode()).hexdigest()


@dataclass
class Limits:
    """What an anonymous client may ask of one register process (issue 15, findings 6 and 7)."""

    # Access links: five for one address, then one a minute; a client asking for many addresses is slowed too.
    access_link_address: RateLimiter = field(default_factory=lambda: RateLimiter(rate=1 / 60, burst=5))
    access_link_client: RateLimiter = field(default_factory=lambda: RateLimiter(rate=1 / 30, burst=20))
    # Anonymous verification (API and web verifier alike): 30 at once, then one a second per client address.
    verification_client: RateLimiter = field(default_factory=lambda: RateLimiter(rate=1.0, burst=30))
    # Wallet apps (OpenID4VCI tokens, nonces, credentials, offers; OpenID4VP answers): 60 at once, then two a
    # second per client address. Codes and nonces are single-use and PINs counted per offer besides (0023).
    wallet_client: RateLimiter = field(default_factory=lambda: RateLimiter(rate=2.0, burst=60))

    def access_link(self, address: str, *, client: str) -> None:
        """Count one access-link request for the address and for the client; RateLimited past either."""
        self.access_link_client.take(_key("client", client))
        self.access_link_address.take(_key("address", address))

    def wallet_protocol(self, *, client: str) -> None:
        """Count one request of a wallet app from the client; RateLimited past its budget."""
        self.wallet_client.take(_key("wallet", client))

    def verification(self, *, client: str) -> None:
        """Count one anonymous verification of the client; RateLimited past its budget."""
        self.verification_client.take(_key("client", client))
