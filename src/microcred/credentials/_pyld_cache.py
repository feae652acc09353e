"""pyld processors: JSON-LD safe mode, and memoised context processing for the fast path.

pyld spends most of a credential's expansion re-processing the same type-scoped contexts: it clones
the active context (with a fresh uuid) for each non-propagating scope, so its own cache misses. A
processed context depends only on the active context it starts from and the local context applied, so
:class:`CachingProcessor` memoises ``_process_context`` on those two, for contexts we ship only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from cachetools import LRUCache
from frozendict import frozendict
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from microcred.credentials.loader import context_document, shipped_context_urls

__all__ = ["CachingProcessor", "SafeProcessor", "UnsafeJsonLdError"]

_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_MEMO_SIZE = 4096


class UnsafeJsonLdError(ValueError):
    """JSON-LD safe mode: the document holds data no context defines, which RDF would silently drop."""


def _refuse_dropped(expanded_property: str | None) -> None:
    raise UnsafeJsonLdError(
        f"property {expanded_property!r} is not defined by any @context; JSON-LD would drop it, "
        "so it would be left unsigned"
    )


def _check_iris(element: Any) -> None:
    """Relative ``@id``/``@type`` IRIs are dropped by JSON-LD to RDF (jsonld.js safe mode refuses them)."""
    if isinstance(element, list):
        for item in element:
            _check_iris(item)
        return
    if not isinstance(element, dict):
        return
    types = element.get("@type", ())
    for type_iri in [types] if isinstance(types, str) else types:
        if isinstance(type_iri, str) and type_iri != "@json" and not _is_absolute(type_iri):
            raise UnsafeJsonLdError(f"type {type_iri!r} is not defined by any @context")
    identifier = element.get("@id")
    if isinstance(identifier, str) and not _is_absolute(identifier):
        raise UnsafeJsonLdError(f"identifier {identifier!r} is a relative IRI, which RDF would drop")
    if "@value" in element:
        return
    for key, value in element.items():
        if key not in ("@type", "@id"):
            _check_iris(value)


def _is_absolute(iri: str) -> bool:
    return iri.startswith("_:") or _ABSOLUTE_IRI.match(iri) is not None


class SafeProcessor(jsonld.JsonLdProcessor):  # type: ignore[misc]
    """A pyld processor that raises :class:`UnsafeJsonLdError` instead of dropping data."""

    def __init__(self) -> None:
        super().__init__(on_property_dropped=_refuse_dropped)

    def expand(self, input_: Any, options: Any) -> Any:
        expanded = super().expand(input_, options)
        _check_iris(expanded)
        return expanded


class _PinnedLoader:
    """Serves each shipped context as one long-lived object, so identities can key the memo."""

    def __init__(self) -> None:
        self.documents = {url: context_document(url) for url in shipped_context_urls()}
        self.object_ids = frozenset(_object_ids(self.documents.values()))

    def __call__(self, url: str, options: Any = None) -> dict[str, Any]:
        if url not in self.documents:
            context_document(url)  # raises UnknownContextError naming the URL
        return {"contextUrl": None, "documentUrl": url, "document": self.documents[url]}


def _object_ids(values: Iterable[Any]) -> Iterable[int]:
    for value in values:
        if isinstance(value, dict):
            yield id(value)
            yield from _object_ids(value.values())
        elif isinstance(value, list):
            yield from _object_ids(value)


class CachingProcessor(SafeProcessor):
    """A :class:`SafeProcessor` that memoises context processing for shipped contexts."""

    def __init__(self) -> None:
        super().__init__()
        self._loader = _PinnedLoader()
        self._resolver = ContextResolver(LRUCache(maxsize=_MEMO_SIZE), self._loader)
        self._memo: LRUCache[tuple[Any, ...], tuple[Any, Any]] = LRUCache(maxsize=_MEMO_SIZE)

    def options(self, **extra: Any) -> dict[str, Any]:
        """pyld options wired to the pinned loader and the long-lived context resolver."""
        return {"documentLoader": self._loader, "contextResolver": self._resolver, "base": None, **extra}

    def _memo_key(self, active_ctx: Any, local_ctx: Any, flags: tuple[Any, ...]) -> tuple[Any, ...] | None:
        uuid = active_ctx.get("_uuid") if isinstance(active_ctx, frozendict | dict) else None
        if uuid is None:
            return None
        if isinstance(local_ctx, str):
            return (uuid, local_ctx, *flags)
        if isinstance(local_ctx, list) and all(isinstance(item, str) for item in local_ctx):
            return (uuid, tuple(local_ctx), *flags)
        if isinstance(local_ctx, dict) and id(local_ctx) in self._loader.object_ids:
            return (uuid, id(local_ctx), *flags)
        return None

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        flags = (override_protected, propagate, validate_scoped, options.get("base"))
        key = None if cycles else self._memo_key(active_ctx, local_ctx, flags)
        if key is not None:
            hit = self._memo.get(key)
            # the stored active context keeps its uuid alive, so the key cannot be reused by another
            if hit is not None and hit[0] is active_ctx:
                return hit[1]
        result = super()._process_context(
            active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
        )
        if key is not None and isinstance(result, frozendict):
            self._memo[key] = (active_ctx, result)
        return result
