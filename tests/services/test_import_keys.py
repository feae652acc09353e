"""The keys an import has seen: the row each key first appeared on, whether it is still pending, on disk in
one of several sorted runs, or behind a filter that says "maybe" for everything."""

from __future__ import annotations

import pytest

from microcred.services import import_keys
from microcred.services.import_keys import SeenKeys


@pytest.mark.parametrize("filter_bits", [1 << 26, 8], ids=["filter", "every-key-a-maybe"])
def test_a_repeated_key_names_its_first_row_across_runs(monkeypatch: pytest.MonkeyPatch, filter_bits: int) -> None:
    monkeypatch.setattr(import_keys, "_BATCH", 7)  # a run on disk every seven keys
    monkeypatch.setattr(import_keys, "_FENCE", 2)  # a fence post every two keys: look-ups cross windows
    monkeypatch.setattr(import_keys, "_MASK", filter_bits - 1)
    keys = [f"provider\x1fR{number:05d}" for number in range(60)]
    with SeenKeys() as seen:
        assert seen.add_new(keys[:25], list(range(2, 27))) == [None] * 25
        for row, key in enumerate(keys[25:40], start=27):
            assert seen.first_row(key) is None
            seen.add(key, row)
        again = keys[3:5] + keys[40:45] + keys[30:31] + keys[40:41]  # seen in a run, new, repeated in the call
        assert seen.add_new(again, list(range(100, 109))) == [5, 6, None, None, None, None, None, 32, 102]
        assert [seen.first_row(key) for key in (keys[0], keys[24], keys[39], keys[44], keys[59])] == [
            2, 26, 41, 106, None,
        ]  # fmt: skip
