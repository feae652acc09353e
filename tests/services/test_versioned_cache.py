"""The catalogue's kept answers: bounded, least recently used first out, all dropped by a new version."""

from __future__ import annotations

from microcred.services.versioned_cache import VersionedCache


def test_a_full_cache_lets_the_least_recently_used_answer_go() -> None:
    cache: VersionedCache[str] = VersionedCache(2)
    cache.put("v1", "a", "answer a")
    cache.put("v1", "b", "answer b")
    assert cache.get("v1", "a") == "answer a"  # a is now used more recently than b
    cache.put("v1", "c", "answer c")
    assert cache.get("v1", "b") is None
    assert (cache.get("v1", "a"), cache.get("v1", "c")) == ("answer a", "answer c")


def test_an_answer_is_given_for_its_own_version_only() -> None:
    cache: VersionedCache[str] = VersionedCache(4)
    cache.put("v1", "a", "answer a")
    assert cache.get("v2", "a") is None
    cache.put("v2", "b", "answer b")
    assert len(cache) == 1  # the new version dropped every answer to the old one
    assert cache.get("v1", "a") is None


def test_size_zero_keeps_nothing() -> None:
    cache: VersionedCache[str] = VersionedCache(0)
    cache.put("v1", "a", "answer a")
    assert cache.get("v1", "a") is None
