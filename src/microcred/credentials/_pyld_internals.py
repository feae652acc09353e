"""The one door to pyld's private internals, for the compiled canonicalisation path; pinned to pyld 3.3.0.

The compiled path (``_compiled_rdf.py``) asks pyld what a key means in an active context and memoises the
answer on the context's identity. pyld has no public API for that: context processing with JSON-LD 1.1's
scoping flags, IRI expansion and the active context's layout are all private. Every such use is here, so
a pyld upgrade means re-checking this module and the rules :data:`MIRRORED` lists, nothing else.
``tests/credentials/test_pyld_internals.py`` fails loudly when the installed pyld is not :data:`PYLD_VERSION`
or a name below changed; docs/decisions/0009-canonicalisation.md says why and what to do on an upgrade.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pyld import canon, jsonld, nquads

__all__ = [
    "MIRRORED",
    "PRIVATE_API",
    "PYLD_VERSION",
    "ActiveContext",
    "ContextProcessing",
    "DeepIterationsExceeded",
    "absolute_iri",
    "canonical_double",
    "context_id",
    "escape_literal",
    "is_absolute_iri",
    "is_reverse_term",
    "previous_context",
    "rdfc_nquads",
    "term_value",
    "type_aliases",
]

PYLD_VERSION = "3.3.0"
"""The pyld release this module was checked against; pyproject.toml pins exactly this one."""

PRIVATE_API: Mapping[str, str] = {
    "pyld.jsonld.JsonLdProcessor._process_context": (
        "(self, active_ctx, local_ctx, options, override_protected=False, propagate=True, validate_scoped=True,"
        " cycles=None)"
    ),
    "pyld.jsonld.JsonLdProcessor._get_initial_context": "(self, options)",
    "pyld.jsonld.JsonLdProcessor._expand_iri": (
        "(self, active_ctx, value, base=None, vocab=False, local_ctx=None, defined=None)"
    ),
    "pyld.jsonld.JsonLdProcessor.get_context_value": "(ctx, key, type_)",
    "pyld.canon.URDNA2015.main": "(self, dataset, options)",
    "pyld.canon.URDNA2015.hash_n_degree_quads": "(self, id_, issuer)",
}
"""Every private or undocumented pyld callable used here, with the signature it was checked against."""

MIRRORED: Mapping[str, str] = {
    "pyld.jsonld.JsonLdProcessor.to_rdf": "d6d3a01b25868853",
    "pyld.jsonld.JsonLdProcessor._expand": "cd2a14909c51a21c",
    "pyld.jsonld.JsonLdProcessor._expand_object": "40302ada4cf4424b",
    "pyld.jsonld.JsonLdProcessor._prepare_nested_context": "586bf86f324e21b0",
    "pyld.jsonld.JsonLdProcessor._revert_to_previous_context": "fb41ac2a5cd65a19",
    "pyld.jsonld.JsonLdProcessor._expand_value": "1deffff05b5ff61e",
    "pyld.jsonld.JsonLdProcessor._expand_iri": "92a65c1a95d8f2ab",
    "pyld.jsonld.JsonLdProcessor._create_node_map": "fd8881d2c38b4fa2",
    "pyld.jsonld.JsonLdProcessor._graph_to_rdf": "50ae77f2b1ab23ba",
    "pyld.jsonld.JsonLdProcessor._object_to_rdf": "9193cc00b1001ac3",
    "pyld.jsonld.JsonLdProcessor._list_to_rdf": "6a13932b629ec6e3",
    "pyld.jsonld._is_absolute_iri": "82219a0a9e1500ec",
    "pyld.nquads.serialize_nquad": "f5c987bf231df7e7",  # calls the module's ``escape``, which we replace
    "pyld.canon.URDNA2015.main": "cc2371fa07438151",  # _BoundedRdfc reads its hash_to_blank_nodes
}
"""pyld functions whose rules ``_compiled_rdf.py`` and :func:`absolute_iri` re-implement, with the first 16
hex digits of the SHA-256 of their source: a changed source means the mirror must be re-read against it."""

ActiveContext = Any
"""pyld's active context, a frozendict; callers treat it as opaque and go through the functions below.
Layout relied on: ``_uuid`` (identity, fresh for every new context), ``mappings`` (term -> definition with
``@id``, ``_prefix``, ``reverse``), ``@vocab``, and ``previousContext`` (set by a non-propagated context)."""

_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")  # pyld's _is_absolute_iri
_KEYWORD_LIKE = re.compile(r"^@[a-zA-Z]+$")  # JSON-LD 1.1 §9.3: ignored, like pyld's KEYWORD_PATTERN

_MANTISSA = Decimal("1.000000000000000")


def canonical_double(value: float) -> str:
    """The ``xsd:double`` lexical form jsonld.js writes: ``toExponential(15)``, zeros trimmed (``5.5E0``).

    ECMAScript rounds an exact tie up (ECMA-262 ``Number.prototype.toExponential``: "pick the larger n");
    pyld 3.3 uses C's ``%1.15e``, which rounds it to even, so 2**-24 became ``5.960464477539062E-8``
    where Digital Bazaar writes ``…063E-8`` (found by tests/credentials/test_canonical_fuzz.py)."""
    if value == 0:
        return "0.0E0"  # (-0).toExponential(15) has no sign either
    exact = Decimal(value)
    exponent = exact.adjusted()
    mantissa = exact.scaleb(-exponent).quantize(_MANTISSA, ROUND_HALF_UP)
    if abs(mantissa) >= 10:  # 9.9999999999999995 rounds up to 10.000000000000000
        exponent += 1
        mantissa = exact.scaleb(-exponent).quantize(_MANTISSA, ROUND_HALF_UP)
    digits = f"{mantissa:.15f}".rstrip("0")
    return f"{digits}0E{exponent}" if digits.endswith(".") else f"{digits}E{exponent}"


_ECHAR = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')
"""A literal character canonical N-Quads writes escaped (RDFC-1.0 §4.3 via RDF 1.2 N-Quads §canonical)."""


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    return _ECHAR.get(char) or f"\\u{ord(char):04X}"


def escape_literal(value: str) -> str:
    """Canonical N-Quads string escaping: ``\\b \\t \\n \\f \\r \\" \\\\`` and ``\\uXXXX`` for other controls.

    pyld 3.3 escapes only ``\\ \\t \\n \\r "`` and writes other control characters raw, which is not
    RDFC-1.0 and not what Digital Bazaar's rdf-canonize writes (issue 17)."""
    return NEEDS_ESCAPE.sub(_escaped, value)


# pyld's writer (pyld.nquads.serialize_nquad) looks ``escape`` up in its module at each call, and its
# URDNA2015 both hashes and writes through that writer: replacing it makes pyld's canonical N-Quads and
# blank-node hashes RDFC-1.0's. Installed once, when this module (the only door to pyld) is imported.
nquads.escape = escape_literal
# Likewise pyld's ``_object_to_rdf`` writes doubles through the module-level ``_canonicalize_double``.
jsonld._canonicalize_double = canonical_double
term_value: Callable[[ActiveContext, Any, str], Any] = jsonld.JsonLdProcessor.get_context_value
"""A term's ``@type``, ``@container``, ``@context``, ``@language`` ... in an active context (or the default)."""


class ContextProcessing:
    """pyld's context processing with JSON-LD 1.1's ``propagate`` / ``@protected`` override flags."""

    def __init__(self, document_loader: Callable[..., Any]) -> None:
        self._processor = jsonld.JsonLdProcessor()
        self._options = {
            "documentLoader": document_loader,
            "contextResolver": jsonld.ContextResolver({}, document_loader),  # documented; lives with us
            "base": None,
            "isFrame": False,
            "keepFreeFloatingNodes": False,
            "extractAllScripts": False,
            "processingMode": "json-ld-1.1",
        }

    def initial(self) -> ActiveContext:
        """The initial active context (JSON-LD 1.1 processing mode, no base IRI)."""
        return self._processor._get_initial_context(self._options)

    def apply(
        self, active: ActiveContext, local: Any, *, propagate: bool = True, override_protected: bool = False
    ) -> ActiveContext:
        """The active context after ``local`` (URLs or objects); raises ``jsonld.JsonLdError`` as pyld does."""
        return self._processor._process_context(
            active, local, self._options, override_protected=override_protected, propagate=propagate
        )

    def expand_iri(self, active: ActiveContext, value: str, *, vocab: bool) -> Any:
        """pyld's own IRI expansion (no base IRI): an IRI, a keyword, or None for an ignored term."""
        return self._processor._expand_iri(active, value, vocab=vocab)


def context_id(active: ActiveContext) -> str:
    """An identity for the context: equal contexts from different processing get different ids."""
    uuid: str = active["_uuid"]
    return uuid


def previous_context(active: ActiveContext) -> ActiveContext | None:
    """The context a non-propagated (type-scoped) context reverts to inside a nested node, if any."""
    return active.get("previousContext")


def is_reverse_term(active: ActiveContext, term: str) -> bool:
    mapping = active["mappings"].get(term)
    return bool(mapping and mapping.get("reverse"))


def type_aliases(active: ActiveContext) -> frozenset[str]:
    """``@type`` and every term the context defines as an alias of it (VC 2.0 defines ``type``)."""
    mappings = active["mappings"].items()
    return frozenset(["@type", *(term for term, mapping in mappings if mapping and mapping.get("@id") == "@type")])


def is_absolute_iri(value: str) -> bool:
    return _ABSOLUTE_IRI.match(value) is not None


def absolute_iri(active: ActiveContext, value: str, *, vocab: bool) -> str | None:
    """pyld ``_expand_iri`` (no base IRI) for a value, or None unless the result is an absolute, non-blank IRI.

    The hot path of the compiled walk: ``@id`` and IRI-typed values differ per document, so they are not
    memoised, and this line-for-line mirror avoids pyld's extra work for values that are not terms."""
    if _KEYWORD_LIKE.match(value):
        return None
    mappings = active["mappings"]
    result: Any = None
    if vocab and value in mappings:
        mapping = mappings[value]
        result = mapping["@id"] if mapping else None
    else:
        prefix, colon, suffix = value.partition(":")
        if colon and prefix:
            mapping = mappings.get(prefix)
            if prefix == "_" or suffix.startswith("//"):
                result = value
            elif mapping and mapping.get("_prefix"):
                result = mapping["@id"] + suffix
            elif _ABSOLUTE_IRI.match(value):
                result = value
        if result is None and vocab and "@vocab" in active:
            result = active["@vocab"] + value
    if not isinstance(result, str) or result.startswith("_:") or not _ABSOLUTE_IRI.match(result):
        return None
    return result


class DeepIterationsExceeded(ValueError):
    """RDFC-1.0's poison-graph bound (§4.4, "Maximum deep iterations exceeded" in rdf-canonize) was hit."""


class _BoundedRdfc(canon.URDNA2015):  # type: ignore[misc]
    """pyld's URDNA2015 (= RDFC-1.0) with rdf-canonize's default work bound: the Hash N-Degree Quads
    algorithm may run at most as many times as there are blank nodes with a shared first-degree hash
    (``maxWorkFactor`` 1), as RDFC-1.0 §4.4 asks implementations to bound poison graphs."""

    def __init__(self) -> None:
        super().__init__()
        self._remaining: int | None = None
        self.limit = 0

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
        if self._remaining is None:  # first call: only the tied blank nodes are left in the map
            self.limit = self._remaining = sum(len(ids) for ids in self.hash_to_blank_nodes.values())
        if self._remaining == 0:
            raise DeepIterationsExceeded(f"Maximum deep iterations exceeded ({self.limit})")
        self._remaining -= 1
        return super().hash_n_degree_quads(id_, issuer)


def rdfc_nquads(dataset: Any) -> str:
    """RDFC-1.0 canonical N-Quads of a pyld dataset (``jsonld.to_rdf``), bounded like rdf-canonize."""
    result: str = _BoundedRdfc().main(dataset, {"format": "application/n-quads"})
    return result
