"""Fetching other issuers' public documents (did:web DID documents, status lists) for the verifier.

The verifier is public: anyone can make it fetch a URL by pasting a credential that names it. So every
fetch is bounded (one deadline for the whole exchange, a byte limit), goes only to public addresses over
HTTPS (a test setting allows loopback and private addresses, and plain http to loopback), connects to
the address it checked (no DNS rebinding in between), follows no redirects, and keeps a small cache.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

# FetchFailed from where it is defined (``credentials.verify`` re-exports it but loads pyld and jsonschema),
# and httpx only when a document is downloaded: the register builds this fetcher for every command (issue 21).
from microcred.credentials.verdict import FetchFailed

__all__ = ["RemoteDocuments", "Resolver"]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]
"""(host, port) -> its IP addresses; the system resolver unless a test hands in another."""

_CACHE_ENTRIES = 256
_ACCEPT = "application/did+json, application/vc+ld+json, application/ld+json;q=0.9, application/json;q=0.8"


def _system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise FetchFailed("host-lookup-failed", host=host, error=str(error)) from None
    return [str(info[4][0]) for info in infos]


def _is_public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


@dataclass(frozen=True, slots=True)
class _Target:
    """Where to connect: the checked address, and the name the server's certificate must carry."""

    url: str
    host_header: str
    hostname: str


class RemoteDocuments:
    """Fetches small public documents over HTTPS, within the bounds of the register's verifier settings."""

    def __init__(
        self,
        *,
        timeout: float,
        max_bytes: int,
        cache_seconds: int,
        allow_local: bool = False,
        resolver: Resolver = _system_resolver,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._cache_seconds = cache_seconds
        self._allow_local = allow_local
        self._resolve = resolver
        self._clock = clock
        self._cache: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RemoteDocuments(timeout={self._timeout}, max_bytes={self._max_bytes}, allow_local={self._allow_local})"

    @property
    def allows_local(self) -> bool:
        return self._allow_local

    def fetch(self, url: str) -> str:
        """The body of ``url`` as text; FetchFailed (with a reason code a person can read in words) otherwise."""
        cached = self._cached(url)
        if cached is not None:
            return cached
        body = self._download(self._target(url))
        if self._cache_seconds:
            with self._lock:
                self._cache[url] = (self._clock() + self._cache_seconds, body)
                self._cache.move_to_end(url)
                while len(self._cache) > _CACHE_ENTRIES:
                    self._cache.popitem(last=False)
        return body

    def _cached(self, url: str) -> str | None:
        with self._lock:
            found = self._cache.get(url)
            if found is None:
                return None
            if found[0] <= self._clock():
                del self._cache[url]
                return None
            return found[1]

    def _target(self, url: str) -> _Target:
        parts = urlsplit(url)
        host = parts.hostname
        if parts.scheme not in ("https", "http") or not host:
            raise FetchFailed("not-https-url", url=url)
        if parts.username or parts.password:
            raise FetchFailed("url-with-credentials", url=url)
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise FetchFailed("invalid-port", url=url) from None
        addresses = [ipaddress.ip_address(found.split("%", 1)[0]) for found in self._resolve(host, port)]
        if not addresses:
            raise FetchFailed("host-not-found", host=host)
        if not self._allow_local and not all(_is_public(address) for address in addresses):
            raise FetchFailed("private-address", host=host)
        if parts.scheme == "http" and not (self._allow_local and all(address.is_loopback for address in addresses)):
            raise FetchFailed("plain-http", url=url)
        address = addresses[0]
        literal = f"[{address}]" if address.version == 6 else str(address)
        netloc = literal if parts.port is None else f"{literal}:{parts.port}"
        pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        host_header = parts.netloc.rsplit("@", 1)[-1]
        return _Target(pinned, host_header, host)

    def _download(self, target: _Target) -> str:
        deadline = self._clock() + self._timeout
        extensions = {"sni_hostname": target.hostname} if target.url.startswith("https:") else {}
        headers = {"Host": target.host_header, "Accept": _ACCEPT, "Accept-Encoding": "identity"}
        import httpx  # deferred: see the comment on the module's imports

        try:
            with (
                httpx.Client(timeout=self._timeout, follow_redirects=False, trust_env=False) as client,
                client.stream("GET", target.url, headers=headers, extensions=extensions) as response,
            ):
                if response.is_redirect:
                    raise FetchFailed("redirect", host=target.hostname)
                if response.status_code != 200:
                    raise FetchFailed("http-status", host=target.hostname, status=response.status_code)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self._max_bytes:
                    raise FetchFailed("too-large", limit=self._max_bytes)
                body = bytearray()
                for chunk in response.iter_raw():
                    body += chunk
                    if len(body) > self._max_bytes:
                        raise FetchFailed("too-large", limit=self._max_bytes)
                    if self._clock() > deadline:
                        raise FetchFailed("too-slow", host=target.hostname, seconds=self._timeout)
        except httpx.TimeoutException:
            raise FetchFailed("too-slow", host=target.hostname, seconds=self._timeout) from None
        except httpx.HTTPError as error:
            raise FetchFailed("unreachable", host=target.hostname, error=type(error).__name__) from None
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise FetchFailed("not-utf8", host=target.hostname) from None
