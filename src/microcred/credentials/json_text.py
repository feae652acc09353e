"""Compact JSON text, the form the register stores a signed document in, written with parts known already.

A bulk issue writes hundreds of documents that share their issuer and achievement objects (the same objects,
:class:`~microcred.credentials.ob3.OpenBadgeTemplate`). Writing each document whole encoded those again every
time: 37 µs of a credential's 460 µs of CPU on SQLite, the achievement most of it (issue 21). A shared object's
text is written once and put in place; the answer is the text ``json.dumps`` gives for the whole document.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["compact", "compact_with"]

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def compact(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, separators=(",", ":"))``, without building an encoder per call."""
    return _ENCODER.encode(value)


def compact_with(mapping: Mapping[str, Any], known: Mapping[str, tuple[object, str]]) -> str:
    """:func:`compact` of ``mapping``, whose value under a key of ``known`` is written as the text given with
    it when it is that very object (``is``), and encoded as usual otherwise.

    A JSON object's compact text is ``{`` + its members' ``"key":value`` joined by ``,`` + ``}``, in insertion
    order, each value written on its own: so runs of members without a known text are encoded together as an
    object and their braces dropped, and the known texts go between them, in the mapping's order."""
    pieces: list[str] = []
    run: dict[str, Any] = {}
    for key, value in mapping.items():
        given = known.get(key)
        if given is not None and given[0] is value:
            if run:
                pieces.append(_ENCODER.encode(run)[1:-1])
                run = {}
            pieces.append(f"{_ENCODER.encode(key)}:{given[1]}")
        else:
            run[key] = value
    if run:
        pieces.append(_ENCODER.encode(run)[1:-1])
    return "{" + ",".join(pieces) + "}"
