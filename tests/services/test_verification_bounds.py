"""``check_bounds`` walks a document level by level (services/verification.py); it refuses exactly the
documents a plain depth-first walk with a depth per value refuses, checked on generated JSON against such a
walk with small limits, so that generated documents cross them often."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microcred.errors import Invalid
from microcred.services import verification

DEPTH, NODES = 4, 25

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda children: st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=3), children, max_size=6),
    max_leaves=40,
)


def _refused_depth_first(document: Any) -> bool:
    nodes, pending = 0, [(document, 1)]
    while pending:
        value, depth = pending.pop()
        nodes += 1
        if depth > DEPTH or nodes > NODES:
            return True
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        pending.extend((child, depth + 1) for child in children)
    return False


@settings(max_examples=400, deadline=None)
@given(document=json_values)
def test_bounds_refuse_what_a_depth_first_walk_refuses(document: Any) -> None:
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(verification, "MAX_DEPTH", DEPTH)
        patched.setattr(verification, "MAX_NODES", NODES)
        try:
            verification.check_bounds(document)
            refused = False
        except Invalid:
            refused = True
    assert refused == _refused_depth_first(document)


def test_a_document_at_the_limits_passes_and_one_past_them_does_not() -> None:
    deep: Any = "leaf"
    for _ in range(verification.MAX_DEPTH - 1):
        deep = [deep]
    verification.check_bounds(deep)
    with pytest.raises(Invalid) as too_deep:
        verification.check_bounds([deep])
    verification.check_bounds(list(range(verification.MAX_NODES - 1)))
    with pytest.raises(Invalid) as too_many:
        verification.check_bounds(list(range(verification.MAX_NODES)))
    assert [p.code for p in too_deep.value.problems] == ["nested-too-deep"]
    assert [p.code for p in too_many.value.problems] == ["too-many-values"]
