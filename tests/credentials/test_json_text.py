"""Compact JSON text written with some members' text given is the text ``json.dumps`` writes (issue 21)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from microcred.credentials.json_text import compact, compact_with

SHARED = {"id": "https://register.example/offerings/hoge/DLT", "name": "Datageletterdheid – één", "n": [1, 1.5]}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize(
    "document",
    [
        {"achievement": SHARED},
        {"a": 1, "achievement": SHARED},
        {"achievement": SHARED, "z": 'é"\\\n'},
        {"a": None, "achievement": SHARED, "b": [SHARED], "c": {"d": True}},
        {"a": 1},
        {},
    ],
)
def test_a_known_member_is_put_in_place_of_its_encoding(document: dict[str, Any]) -> None:
    assert compact(document) == _dumps(document)
    assert compact_with(document, {"achievement": (SHARED, compact(SHARED))}) == _dumps(document)


def test_a_known_text_is_used_only_for_its_own_object() -> None:
    equal_copy = dict(SHARED)
    document = {"a": 1, "achievement": equal_copy}
    stale = (SHARED, '{"stale":true}')
    assert compact_with(document, {"achievement": stale}) == _dumps(document)
    assert compact_with({"achievement": SHARED}, {"achievement": stale}) == '{"achievement":{"stale":true}}'
