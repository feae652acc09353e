"""Reasons inside reasons: a verifier's sentence often names why something else failed (a fetch, a proof).

Such a parameter is kept as the thing itself, not as its English words, and worded in the language of the
sentence it ends up in (docs/decisions/0011): anything with a ``text(lang)`` method is :class:`Worded`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from microcred.i18n import translate

__all__ = ["Phrase", "Worded", "worded"]


@runtime_checkable
class Worded(Protocol):
    """Something that says itself in either language (a :class:`Phrase`, a failed lookup, a proof check)."""

    def text(self, lang: str) -> str: ...


def worded(params: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """``params`` with every :class:`Worded` value replaced by its words in ``lang``."""
    return {name: value.text(lang) if isinstance(value, Worded) else value for name, value in params.items()}


@dataclass(frozen=True, slots=True)
class Phrase:
    """A catalogue message (its full key) with its parameters, worded when the sentence around it is."""

    key: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict, hash=False)

    def text(self, lang: str) -> str:
        return translate(self.key, lang, **worded(self.params, lang))
