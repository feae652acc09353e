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

from microcred.credentials._compiled_rdf import CompiledToRdf, Unsupported, is_exact_double
from microcred.credentials._pyld_internals import DeepIterationsExceeded, rdfc_nquads
from microcred.credentials._rdfc import TiedBlankNodes, canonical_nquads
from microcred.credentials._safe_mode import UnsafeJsonLdError, expand_safely
from microcred.credentials.loader import UnknownContextError, document_loader

__all__ = [
    "CanonicalizationError",
    "PoisonGraphError",
    "Route",
    "UnsafeJsonLdError",
    "canonicalization_route",
    "canonicalize",
    "canonicalize_reference",
    "javascript_double_hazards",
]

Route = Literal["compiled", "reference"]

_TO_RDF_OPTIONS = {
    "documentLoader": document_loader,
    "base": None,  # pyld would otherwise resolve relative IRIs against http://example.org/base/
    # JSON-LD 1.1 §8.6 step 13: "text"@ar + rtl becomes "text"^^<https://www.w3.org/ns/i18n#ar_rtl>, as
    # Digital Bazaar's eddsa-rdfc-2022 suite does; without it the direction would be dropped unsigned.
    "rdfDirection": "i18n-datatype",
}
_MAX_SAFE_INTEGER = 2**53


class CanonicalizationError(ValueError):
    """pyld could not turn the document into RDF (invalid JSON-LD syntax, protected term clash, ...)."""


class PoisonGraphError(CanonicalizationError):
    """The document's blank nodes need more N-degree hashing than RDFC-1.0's poison-graph bound allows."""


def canonicalize(document: Mapping[str, Any]) -> str:
    """RDFC-1.0 N-Quads, byte-identical to :func:`canonicalize_reference`; compiled when the route allows."""
    nquads = _compiled_nquads(document)
    return canonicalize_reference(document) if nquads is None else nquads


def canonicalize_reference(document: Mapping[str, Any]) -> str:
    """RDFC-1.0 N-Quads: pyld's documented ``expand`` and ``to_rdf`` with the offline loader, then RDFC-1.0.

    Refuses integers a double cannot hold and graphs past the poison-graph bound, as Digital Bazaar does."""
    _refuse_inexact_integers(document, "$")
    with _plain_errors():
        expanded = expand_safely(document, document_loader=document_loader)
        _lower_case_directed_languages(expanded)
        # the expanded form gives the document's dataset: expansion is idempotent
        dataset = jsonld.to_rdf(expanded, dict(_TO_RDF_OPTIONS))
    try:
        return rdfc_nquads(dataset)
    except DeepIterationsExceeded as error:
        raise PoisonGraphError(
            f"{error}: the document's blank nodes are too alike to be labelled within RDFC-1.0's "
            "poison-graph bound (one N-degree hash per tied blank node), so it is neither signed nor verified"
        ) from None


def _refuse_inexact_integers(value: Any, path: str) -> None:
    """JSON numbers are IEEE 754 doubles to JavaScript: 9007199254740993 reads as ...992 there, so a
    signature over the exact integer never verifies in a JS verifier (the JCS route refuses these too)."""
    if type(value) is int and abs(value) > _MAX_SAFE_INTEGER and not is_exact_double(value):
        raise CanonicalizationError(
            f"{path}: the integer {value} is not exactly an IEEE 754 double; JavaScript verifiers read "
            "another number, so it cannot be signed: write it as a string"
        )
    if isinstance(value, Mapping):
        for key, item in value.items():
            _refuse_inexact_integers(item, f"{path}.{key}")
    elif isinstance(value, list):
        for position, item in enumerate(value):
            _refuse_inexact_integers(item, f"{path}[{position}]")


def javascript_double_hazards(document: Any, path: str = "$") -> list[str]:
    """Paths of numbers jsonld.js canonicalises wrongly, so a JavaScript issuer signed other N-Quads.

    jsonld.js (9.0, ``types.isDouble``) takes a number for an integer when ``String(n)`` has no ``.``:
    ``1e-7`` and every other non-zero double below 1e-6 with one significant digit is then written as
    ``"0"^^xsd:integer`` (or with the term's datatype) instead of ``"1.0E-7"^^xsd:double``, as JSON-LD 1.1
    §8.6 requires and we write. Python's ``repr`` and ECMAScript's ``Number::toString`` agree here."""
    if type(document) is float and document != 0 and abs(document) < 1e-6 and "." not in repr(document):
        return [path]
    found: list[str] = []
    if isinstance(document, Mapping):
        for key, item in document.items():
            found += javascript_double_hazards(item, f"{path}.{key}")
    elif isinstance(document, list):
        for position, item in enumerate(document):
            found += javascript_double_hazards(item, f"{path}[{position}]")
    return found


def _lower_case_directed_languages(element: Any) -> None:
    """JSON-LD 1.1 §8.6: the i18n datatype IRI carries the language tag in lower case (jsonld.js does;
    pyld 3.3 keeps the case)."""
    if isinstance(element, list):
        for item in element:
            _lower_case_directed_languages(item)
    elif isinstance(element, dict):
        if "@direction" in element and isinstance(element.get("@language"), str):
            element["@language"] = element["@language"].lower()
        for item in element.values():
            _lower_case_directed_languages(item)


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
