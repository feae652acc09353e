"""JSON-LD safe mode over pyld's documented API: refuse data that JSON-LD to RDF would silently drop.

pyld has no safe mode (jsonld.js has one). Its documented ``on_property_dropped`` handler of
``jsonld.expand`` reports a property no context defines; relative ``@id`` and undefined ``@type`` values
survive expansion as relative IRIs and are dropped later, so :func:`expand_safely` checks the expanded form.
Either way the data would be left unsigned, so both are errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from pyld import jsonld

__all__ = ["UnsafeJsonLdError", "expand_safely"]

_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


class UnsafeJsonLdError(ValueError):
    """JSON-LD safe mode: the document holds data no context defines, which RDF would silently drop."""


def expand_safely(document: Mapping[str, Any], *, document_loader: Callable[..., Any]) -> list[Any]:
    """``jsonld.expand`` with no base IRI, raising :class:`UnsafeJsonLdError` instead of dropping data."""
    options = {"documentLoader": document_loader, "base": None}
    expanded: list[Any] = jsonld.expand(dict(document), options, on_property_dropped=_refuse_dropped)
    _check_iris(expanded)
    return expanded


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
