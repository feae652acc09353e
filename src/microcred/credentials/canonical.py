"""RDFC-1.0 canonical N-Quads of a JSON-LD document, in JSON-LD safe mode, with only shipped contexts.

Two paths give the same bytes: :func:`canonicalize_reference` is plain ``pyld.jsonld.normalize``;
:func:`canonicalize` memoises context processing (the bulk of pyld's time, see docs/credentials.md)
and lets pyoxigraph run RDFC-1.0. ``tests/credentials/test_canonical.py`` checks both agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pyoxigraph
from pyld import jsonld
from pyld.canon import URDNA2015

from microcred.credentials._compiled_rdf import CompiledToRdf, Unsupported
from microcred.credentials._pyld_cache import CachingProcessor, SafeProcessor, UnsafeJsonLdError
from microcred.credentials._rdfc import TiedBlankNodes, canonical_nquads
from microcred.credentials.loader import UnknownContextError, document_loader

__all__ = [
    "CanonicalizationError",
    "UnsafeJsonLdError",
    "canonicalize",
    "canonicalize_reference",
    "to_nquads",
]

_ALGORITHM = "URDNA2015"  # pyld's name for RDFC-1.0 (same algorithm, renamed by the W3C)
_NQUADS = "application/n-quads"
# pyld and pyoxigraph escape these differently in literals (pyld writes them raw), and pyoxigraph
# lower-cases language tags: such datasets go through pyld's own RDFC-1.0 instead.
_DIVERGENT = re.compile(r'[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|"@[^ ]*[A-Z]')

_FAST = CachingProcessor()
_COMPILED = CompiledToRdf(_FAST)


class CanonicalizationError(ValueError):
    """pyld could not turn the document into RDF (invalid JSON-LD syntax, protected term clash, ...)."""


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


def canonicalize_reference(document: Mapping[str, Any]) -> str:
    """RDFC-1.0 N-Quads via ``pyld.jsonld.normalize`` with the offline loader; the reference path."""
    options: dict[str, Any] = {
        "algorithm": _ALGORITHM,
        "format": _NQUADS,
        "documentLoader": document_loader,
        "base": None,  # pyld would otherwise resolve relative IRIs against http://example.org/base/
    }
    with _plain_errors():
        result: str = SafeProcessor().normalize(dict(document), options)
    return result


def to_nquads(document: Mapping[str, Any]) -> str:
    """The document's RDF dataset as (not yet canonical) N-Quads, from the memoising processor."""
    return str(jsonld.JsonLdProcessor.to_nquads(_dataset(document)))


def _dataset(document: Mapping[str, Any]) -> dict[str, Any]:
    with _plain_errors():
        dataset: dict[str, Any] = _FAST.to_rdf(dict(document), _FAST.options())
    return dataset


def canonicalize(document: Mapping[str, Any]) -> str:
    """RDFC-1.0 N-Quads, byte-identical to :func:`canonicalize_reference` and several times faster."""
    try:
        return canonical_nquads(_COMPILED.quads(document))
    except (Unsupported, TiedBlankNodes):
        return _canonicalize_with_pyld(document)


def _canonicalize_with_pyld(document: Mapping[str, Any]) -> str:
    dataset = _dataset(document)
    nquads: str = jsonld.JsonLdProcessor.to_nquads(dataset)
    # Named graphs (embedded proofs, e.g. OB endorsements) have blank-node graph names, for which
    # pyoxigraph 0.5's RDFC-1.0 labels differ from the W3C algorithm: pyld handles those datasets.
    if set(dataset) != {"@default"} or _DIVERGENT.search(nquads):
        slow: str = URDNA2015().main(dataset, {"format": _NQUADS})
        return slow
    parsed = pyoxigraph.Dataset(pyoxigraph.parse(nquads, format=pyoxigraph.RdfFormat.N_QUADS))
    parsed.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    text = pyoxigraph.serialize(parsed, format=pyoxigraph.RdfFormat.N_QUADS)
    assert text is not None  # serialize returns bytes when no output is given
    # split on "\n" only: str.splitlines would also split inside literals at U+2028, U+0085, \x1c ...
    lines = [f"{line}\n" for line in text.decode("utf-8").split("\n") if line]
    lines.sort()
    return "".join(lines)
