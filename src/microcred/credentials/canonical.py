"""RDFC-1.0 canonical N-Quads of a JSON-LD document, in JSON-LD safe mode, with only shipped contexts.

Two paths give the same bytes. :func:`canonicalize_reference` is pyld's documented API: ``jsonld.expand``
with a safe-mode handler, then ``jsonld.normalize``. :func:`canonicalize` takes the compiled path when
:func:`canonicalization_route` says it applies (about 40x faster), and the reference otherwise.
``tests/credentials/test_canonical*.py`` check both agree; docs/decisions/0009-canonicalisation.md says why.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from typing import Any, Literal

from pyld import jsonld

from microcred.credentials._compiled_rdf import CompiledToRdf, Unsupported
from microcred.credentials._rdfc import TiedBlankNodes, canonical_nquads
from microcred.credentials._safe_mode import UnsafeJsonLdError, expand_safely
from microcred.credentials.loader import UnknownContextError, document_loader

__all__ = [
    "CanonicalizationError",
    "Route",
    "UnsafeJsonLdError",
    "canonicalization_route",
    "canonicalize",
    "canonicalize_reference",
]

Route = Literal["compiled", "reference"]

_NORMALIZE_OPTIONS = {
    "algorithm": "URDNA2015",  # pyld's name for RDFC-1.0 (the same algorithm, renamed by the W3C)
    "format": "application/n-quads",
    "documentLoader": document_loader,
    "base": None,  # pyld would otherwise resolve relative IRIs against http://example.org/base/
}


class CanonicalizationError(ValueError):
    """pyld could not turn the document into RDF (invalid JSON-LD syntax, protected term clash, ...)."""


def canonicalize(document: Mapping[str, Any]) -> str:
    """RDFC-1.0 N-Quads, byte-identical to :func:`canonicalize_reference`; compiled when the route allows."""
    nquads = _compiled_nquads(document)
    return canonicalize_reference(document) if nquads is None else nquads


def canonicalize_reference(document: Mapping[str, Any]) -> str:
    """RDFC-1.0 N-Quads from pyld's documented API only, with the offline loader; the reference path."""
    with _plain_errors():
        expanded = expand_safely(document, document_loader=document_loader)
        # normalising the expanded form gives the document's dataset: expansion is idempotent
        result: str = jsonld.normalize(expanded, dict(_NORMALIZE_OPTIONS))
    return result


def canonicalization_route(document: Mapping[str, Any]) -> Route:
    """The path :func:`canonicalize` takes for ``document``; for tests, benchmarks and diagnosis."""
    return "reference" if _compiled_nquads(document) is None else "compiled"


def _compiled_nquads(document: Mapping[str, Any]) -> str | None:
    """The rule: compiled N-Quads when the compiled path can write the document, else None (the reference).

    The compiled path takes a document whose ``@context`` is a list of shipped context URLs, whose nodes
    are plain JSON objects with string ids and types, whose properties are defined terms without language,
    index, id, type or graph maps, ``@json``, ``@reverse`` or ``@nest``, and whose values are strings,
    numbers, booleans, nulls, node objects and ``@list`` collections; and whose blank nodes have distinct
    RDFC-1.0 first-degree hashes (§4.4.3), so no N-degree hashing is needed. The register's credentials,
    status lists and proof configurations are such documents (pinned by tests), so issuance and
    verification run compiled. Anything else (embedded proofs, value objects, undefined terms, ...) is
    rare and goes to pyld, which stays the authority on JSON-LD, its errors and safe mode included.
    """
    try:
        return canonical_nquads(_compiled().quads(document))
    except (Unsupported, TiedBlankNodes):
        return None


@cache
def _compiled() -> CompiledToRdf:
    """One compiled converter per process: its memo of pyld's decisions is what makes it fast."""
    return CompiledToRdf(document_loader)


@contextmanager
def _plain_errors() -> Iterator[None]:
    """Surface our own errors from inside pyld's wrapping, and pyld's as one named type."""
    try:
        yield
    except jsonld.JsonLdError as error:
        cause: BaseException | None = error
        while cause is not None:
            if isinstance(cause, UnknownContextError | UnsafeJsonLdError):
                raise cause from None
            last = cause
            cause = cause.__cause__
        raise CanonicalizationError(f"{error}: {last}") from error
