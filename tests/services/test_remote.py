"""The verifier's fetcher against a real HTTP server on loopback: bounds, address rules, redirects, cache."""

from __future__ import annotations

import time

import pytest

from microcred.credentials.verify import FetchFailed
from microcred.services.remote import RemoteDocuments
from tests.loopback import Reply, serve


def _remote(**options: object) -> RemoteDocuments:
    settings: dict[str, object] = {"timeout": 2.0, "max_bytes": 64 * 1024, "cache_seconds": 0, "allow_local": True}
    settings.update(options)
    return RemoteDocuments(**settings)  # type: ignore[arg-type]


def test_a_document_is_fetched_from_loopback_when_the_test_setting_allows_it() -> None:
    with serve({"/did.json": Reply.json({"id": "did:web:x"})}) as site:
        assert _remote().fetch(site.base_url + "/did.json") == '{"id": "did:web:x"}'


def test_loopback_and_private_addresses_are_refused_by_default() -> None:
    with serve({"/did.json": Reply.json({})}) as site:
        with pytest.raises(FetchFailed, match="private, loopback or reserved"):
            _remote(allow_local=False).fetch(site.base_url + "/did.json")
        assert site.requests == []
    metadata = _remote(allow_local=False, resolver=lambda host, port: ["169.254.169.254"])
    with pytest.raises(FetchFailed, match="private, loopback or reserved"):
        metadata.fetch("https://issuer.example/.well-known/did.json")
    mapped = _remote(allow_local=False, resolver=lambda host, port: ["8.8.8.8", "::ffff:10.0.0.1"])
    with pytest.raises(FetchFailed, match="private"):
        mapped.fetch("https://issuer.example/did.json")


def test_plain_http_is_refused_except_to_loopback() -> None:
    private = _remote(resolver=lambda host, port: ["10.1.2.3"])
    with pytest.raises(FetchFailed, match="not https"):
        private.fetch("http://issuer.example/did.json")
    with pytest.raises(FetchFailed, match="not an https URL"):
        _remote().fetch("file:///etc/passwd")
    with pytest.raises(FetchFailed, match="user name or password"):
        _remote().fetch("https://user:secret@issuer.example/did.json")


def test_the_connection_goes_to_the_checked_address_with_the_original_host_name() -> None:
    with serve({"/did.json": Reply.json({"ok": True})}) as site:
        pinned = _remote(resolver=lambda host, port: ["127.0.0.1"])
        pinned.fetch(f"http://issuer.test:{site.port}/did.json")
        assert site.requests == [("/did.json", f"issuer.test:{site.port}")]


@pytest.mark.parametrize("declare_length", [True, False], ids=["declared", "streamed"])
def test_a_document_over_the_size_limit_is_refused(declare_length: bool) -> None:
    big = Reply(b"[" + b"0," * 40_000 + b"0]", declare_length=declare_length)
    with serve({"/big.json": big}) as site, pytest.raises(FetchFailed, match="larger than 65536 bytes"):
        _remote().fetch(site.base_url + "/big.json")


def test_a_slow_server_is_given_up_on_after_the_timeout() -> None:
    slow = Reply(b"x" * 20 * 1024, chunk_delay=0.3)  # 20 chunks: six seconds in all, each chunk in time
    with serve({"/slow.json": slow}) as site:
        started = time.monotonic()
        with pytest.raises(FetchFailed, match="took longer than 1 s"):
            _remote(timeout=1.0).fetch(site.base_url + "/slow.json")
        assert time.monotonic() - started < 2.5


def test_redirects_and_errors_are_reasons_not_documents() -> None:
    replies = {
        "/moved": Reply(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data"}),
        "/broken": Reply(b"oops", status=500),
    }
    with serve(replies) as site:
        with pytest.raises(FetchFailed, match="redirect"):
            _remote().fetch(site.base_url + "/moved")
        with pytest.raises(FetchFailed, match="HTTP 500"):
            _remote().fetch(site.base_url + "/broken")
        with pytest.raises(FetchFailed, match="HTTP 404"):
            _remote().fetch(site.base_url + "/missing")
    with pytest.raises(FetchFailed, match="could not be reached"):
        _remote().fetch(site.base_url + "/gone")  # the server has stopped


def test_fetched_documents_are_reused_until_the_cache_time_runs_out() -> None:
    now = [1000.0]
    with serve({"/list": Reply.json({"n": 1})}) as site:
        remote = _remote(cache_seconds=300, clock=lambda: now[0])
        for _ in range(3):
            remote.fetch(site.base_url + "/list")
        assert len(site.requests) == 1
        now[0] += 301
        remote.fetch(site.base_url + "/list")
        assert len(site.requests) == 2
