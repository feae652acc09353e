"""JSON-LD to RDF quads for the document shapes we sign, with pyld's decisions taken once and reused.

pyld re-derives, for every key of every node, the term definition, the scoped contexts and the value
coercion, then builds expanded JSON, a node map and triple dicts before it writes N-Quads. Each of those
decisions depends only on the active context and the key (or the node's types), so here pyld's own
functions take them the first time, they are memoised on the context's identity, and quads are written
straight from the document. The rules mirrored are pyld's ``_expand``, ``_expand_object``,
``_prepare_nested_context``, ``_expand_value``, ``_create_node_map`` (deduplication) and ``_object_to_rdf``;
pyld is reached only through ``_pyld_internals.py``, which lists them and pins the pyld release.

A node with an ``id`` is walked once per content and active context (:class:`Subtree`): a batch of credentials
of one offering repeats the issuer and the achievement, two thirds of the quads of a credential.

Anything outside the handled shapes (value objects, language/index/id/type maps, ``@graph`` containers,
``@json``, ``@reverse``, ``@nest``, embedded contexts, blank-node identifiers, relative IRIs, undefined
terms) raises :class:`Unsupported`, and the caller runs pyld, which stays the only source of behaviour,
JSON-LD safe-mode errors included.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pyld import jsonld

from microcred.credentials._pyld_internals import (
    NEEDS_ESCAPE,
    ActiveContext,
    ContextProcessing,
    absolute_iri,
    canonical_double,
    context_id,
    escape_literal,
    is_absolute_iri,
    is_reverse_term,
    previous_context,
    term_value,
    type_aliases,
)
from microcred.credentials._rdfc import Quad
from microcred.credentials._walk import Subtree, SubtreeMemo, Walk

__all__ = ["CompiledToRdf", "Unsupported", "is_exact_double"]

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_TYPE = f"<{_RDF}type>"
_LANGSTRING = _RDF + "langString"
_XSD_BOOLEAN, _XSD_DOUBLE, _XSD_INTEGER, _XSD_STRING = (_XSD + t for t in ("boolean", "double", "integer", "string"))
_NOT_DATATYPES = (None, "@id", "@vocab", "@none")
_MEMO_LIMIT = 20_000
_SUBTREE_LIMIT = 512  # remembered subtrees: a few per offering a batch issues, each some dozens of quads
_SUBTREE_DEPTH = 2  # a named node inside a named node is still remembered (a DID subject's achievement)
_MAX_SAFE_INTEGER = 2**53


class Unsupported(Exception):
    """The document leaves the shapes this path handles; pyld must process it."""


@dataclass(frozen=True, slots=True)
class _Key:
    """What one key of a node means in one active context (pyld ``_expand_object`` for that key)."""

    kind: str  # "@id", "@type", "@context" or "property"
    name: str = ""
    predicate: str = ""  # the N-Quads term of the expanded property
    term_ctx: Any = None  # the context values are expanded in (property-scoped context applied)
    is_list: bool = False
    coercion: str | None = None  # the term's @type: None, "@id", "@vocab", "@none" or a datatype IRI
    language: str | None = None
    scalars: bool = True  # False when pyld would treat a scalar under this key specially
    plain_strings: bool = False  # a string value is a plain (or language-tagged) literal


class CompiledToRdf:
    """The quads pyld's ``to_rdf`` gives for a document, or :class:`Unsupported`."""

    def __init__(self, document_loader: Callable[..., Any]) -> None:
        self._pyld = ContextProcessing(document_loader)
        self._initial = self._pyld.initial()
        self._keys: dict[tuple[str, str], _Key] = {}
        self._contexts: dict[tuple[Any, ...], Any] = {}
        self._type_keys: dict[str, frozenset[str]] = {}
        self._type_iris: dict[tuple[str, str], str] = {}
        self._subtrees = SubtreeMemo(_SUBTREE_LIMIT, sightings=_MEMO_LIMIT)

    def quads(self, document: Mapping[str, Any]) -> list[Quad]:
        """The document's default-graph quads, blank nodes labelled ``_:b1``, ``_:b2``, ..."""
        if type(document) is not dict or not document.keys() - {"@context", "@id", "id"}:
            raise Unsupported  # pyld drops a top-level node without properties
        walk = Walk()
        self._node(walk, None, None, document, self._document_context(document.get("@context")))
        return walk.quads

    # -- the walk ---------------------------------------------------------------------------------

    def _node(self, walk: Walk, term_ctx: Any, name: str | None, element: Any, pretype: Any) -> str:
        """Write a node object's quads; return its N-Quads term (its IRI or a fresh blank node)."""
        if type(element) is not dict:
            raise Unsupported  # only plain JSON objects: anything else is pyld's to judge
        if pretype is None:
            pretype = self._pretype_context(term_ctx, name, element)
        ctx = self._typed_context(pretype, element)
        uuid = context_id(ctx)
        subject = ""
        entries: list[tuple[_Key, Any]] = []
        for key, value in element.items():
            plan = self._keys.get((uuid, key)) or self._key(ctx, key)
            if plan.kind == "@id":
                if subject or type(value) is not str:
                    raise Unsupported  # colliding @id keys, or an @id that is not a string
                subject = f"<{self._iri(ctx, value, vocab=False)}>"
            elif plan.kind != "@context":
                entries.append((plan, value))
        subject = subject or walk.blank_node()
        pretype_id = context_id(pretype)
        for plan, value in entries:
            if plan.kind == "@type":
                for type_name in value if type(value) is list else (value,):
                    if type(type_name) is not str:
                        raise Unsupported
                    type_iri = self._type_iris.get((pretype_id, type_name)) or self._type_iri(pretype, type_name)
                    walk.add(subject, _TYPE, ("@type", type_iri), type_iri)
            elif plan.is_list:
                if value is None:
                    continue  # pyld drops a null before it would make an (empty) list
                walk.add_list(subject, plan.predicate, self._list_items(walk, plan, value))
            else:
                self._values(walk, subject, plan, value)
        return subject

    def _nested(self, walk: Walk, plan: _Key, element: Any) -> str:
        """A node object under a property: from the subtree memo when it has an ``id`` seen before, else walked.

        Python does not walk JSON-LD faster: the memo saves the walk of what credentials of one offering share,
        about 0.1 ms of 0.2 ms for a credential (measured in benchmarks/bench_status_lists.py, issue 21). The
        key is the node's ``marshal`` bytes (format 2, which writes no back-references) with the context and
        the term: marshal writes each value with its exact type (str, int, float, bool, None, list, dict; no
        subclass, which it refuses) and reads it back equal, so equal bytes are an equal node, and it writes a
        credential's achievement in a fifth of the time its JSON text took (the key was 28 µs of a credential's
        signing; issue 21). A value marshal cannot write walks here. Depth is bounded so a hostile document of
        nested ids costs at most twice its size in keys."""
        if walk.depth >= _SUBTREE_DEPTH or "id" not in element:
            return self._node(walk, plan.term_ctx, plan.name, element, None)
        try:
            content = marshal.dumps(element, 2)
        except ValueError:  # a type marshal cannot write, or nesting past its depth limit
            return self._node(walk, plan.term_ctx, plan.name, element, None)
        memo_key = (context_id(plan.term_ctx), plan.name, content)
        subtree = self._subtrees.get(memo_key)
        if subtree is None:
            if self._subtrees.first_sighting(memo_key):
                return self._node(walk, plan.term_ctx, plan.name, element, None)
            alone = Walk(walk.depth + 1)
            subtree = Subtree.of(alone, self._node(alone, plan.term_ctx, plan.name, element, None))
            self._subtrees.keep(memo_key, subtree)
        return subtree.replay(walk)

    def _values(self, walk: Walk, subject: str, plan: _Key, value: Any) -> None:
        predicate, quads, keys, seen = plan.predicate, walk.quads, walk.keys, walk.seen
        for item in value if type(value) is list else (value,):
            kind = type(item)
            if kind is str and plan.plain_strings and plan.language is None:
                key: tuple[Any, ...] | None = (subject, predicate, "@value", False, item, None, None)
                obj = f'"{escape_literal(item)}"' if NEEDS_ESCAPE.search(item) else f'"{item}"'
            elif kind is dict:
                obj = self._nested(walk, plan, item)
                key = (subject, predicate, "@id", obj) if obj[0] == "<" else None
            elif item is None:
                continue
            elif kind is list:
                self._values(walk, subject, plan, item)  # nested arrays flatten (pyld _expand)
                continue
            else:
                identity, obj = self._scalar(plan, item)
                key = (subject, predicate, *identity)
            if key is not None:
                if key in seen:
                    continue
                seen.add(key)
            quads.append((subject, predicate, obj))
            keys.append(key)

    def _list_items(self, walk: Walk, plan: _Key, value: Any) -> list[str]:
        items: list[str] = []
        for item in value if type(value) is list else (value,):
            if item is None:
                continue
            if type(item) is list:
                raise Unsupported  # a list of lists
            if type(item) is dict:
                items.append(self._node(walk, plan.term_ctx, plan.name, item, None))
            else:
                items.append(self._scalar(plan, item)[1])
        return items

    def _scalar(self, plan: _Key, value: Any) -> tuple[tuple[Any, ...], str]:
        """pyld ``_expand_value`` then ``_object_to_rdf``; the identity is what the node map compares."""
        if not plan.scalars or type(value) not in (str, int, float, bool):
            raise Unsupported
        coercion = plan.coercion
        if type(value) is str and coercion in ("@id", "@vocab"):
            obj = f"<{self._iri(plan.term_ctx, value, vocab=coercion == '@vocab')}>"
            return ("@id", obj), obj
        datatype = None if coercion in _NOT_DATATYPES else coercion
        language = plan.language if datatype is None and type(value) is str else None
        identity = ("@value", type(value) is bool, value, datatype, language)
        return identity, _literal(value, datatype, language)

    # -- memoised decisions -----------------------------------------------------------------------

    def _key(self, ctx: Any, key: str) -> _Key:
        if type(key) is not str:
            raise Unsupported
        memo_key = (context_id(ctx), key)
        plan = self._keys.get(memo_key)
        if plan is None:
            plan = self._plan(ctx, key)
            _remember(self._keys, memo_key, plan)
        return plan

    def _plan(self, ctx: Any, key: str) -> _Key:
        if key == "@context":
            return _Key("@context")
        expanded = self._pyld.expand_iri(ctx, key, vocab=True)
        if expanded in ("@id", "@type"):
            return _Key(expanded)
        if not isinstance(expanded, str) or expanded.startswith("_:") or not is_absolute_iri(expanded):
            raise Unsupported  # undefined (safe mode refuses), another keyword, or a blank-node property
        term_ctx = ctx
        scoped = term_value(ctx, key, "@context")
        if scoped is not None:
            term_ctx = self._process(ctx, scoped, propagate=True, override_protected=True)
        container = _container(ctx, key)
        term_container = _container(term_ctx, key)
        if container - {"@set", "@list"} or ("@list" in container) != ("@list" in term_container):
            raise Unsupported
        if term_value(ctx, key, "@type") == "@json" or is_reverse_term(term_ctx, key):
            raise Unsupported
        coercion = term_value(term_ctx, key, "@type")
        language = term_value(term_ctx, key, "@language")
        scalars = (
            self._pyld.expand_iri(term_ctx, key, vocab=True) == expanded
            and term_value(term_ctx, key, "@direction") is None
            and (language is None or isinstance(language, str))
            and (coercion in _NOT_DATATYPES or _is_datatype(coercion))
        )
        plain_strings = scalars and coercion in (None, "@none")
        return _Key(
            "property", key, f"<{expanded}>", term_ctx, "@list" in container, coercion, language, scalars, plain_strings
        )

    def _document_context(self, local: Any) -> Any:
        if isinstance(local, str):
            urls: tuple[str, ...] = (local,)
        elif isinstance(local, list) and local and all(isinstance(url, str) for url in local):
            urls = tuple(local)
        else:
            raise Unsupported  # no context, or an embedded one
        ctx = self._contexts.get(("document", urls))
        if ctx is None:
            ctx = self._process(self._initial, list(urls))
            _remember(self._contexts, ("document", urls), ctx)
        return ctx

    def _pretype_context(self, term_ctx: Any, name: str | None, element: Mapping[str, Any]) -> Any:
        """pyld ``_expand`` for a node: revert a type-scoped context, then apply the property-scoped one."""
        if "@context" in element:
            raise Unsupported
        reference_only = False
        previous = previous_context(term_ctx)
        if len(element) == 1 and previous is not None:
            (only,) = element
            reference_only = isinstance(only, str) and self._key(term_ctx, only).kind == "@id"
        memo_key = ("node", context_id(term_ctx), name, reference_only)
        ctx = self._contexts.get(memo_key)
        if ctx is None:
            ctx = term_ctx if reference_only or previous is None else previous
            scoped = term_value(term_ctx, name, "@context")
            if scoped is not None:
                ctx = self._process(ctx, scoped, override_protected=True)
            _remember(self._contexts, memo_key, ctx)
        return ctx

    def _typed_context(self, pretype: Any, element: dict[str, Any]) -> Any:
        """pyld ``_prepare_nested_context``: apply type-scoped contexts, sorted by key then by type."""
        uuid = context_id(pretype)
        type_keys = self._type_keys.get(uuid)
        if type_keys is None:
            type_keys = type_aliases(pretype)
            _remember(self._type_keys, uuid, type_keys)
        memo_key: tuple[Any, ...] = ("typed", uuid)
        for key, values in element.items():
            if key in type_keys:
                if type(values) is list and all(type(value) is str for value in values):
                    memo_key += ((key, tuple(values)),)
                elif type(values) is str:
                    memo_key += ((key, values),)
                else:
                    raise Unsupported  # a type that is not a string
        if len(memo_key) == 2:
            return pretype
        ctx = self._contexts.get(memo_key)
        if ctx is None:
            ctx = pretype
            for key in sorted(key for key in element if key in type_keys):
                values = element[key]
                for type_name in sorted(values if type(values) is list else [values]):
                    scoped = term_value(pretype, type_name, "@context")
                    if scoped is not None and scoped is not False:
                        ctx = self._process(ctx, scoped, propagate=False)
            _remember(self._contexts, memo_key, ctx)
        return ctx

    def _type_iri(self, pretype: Any, type_name: str) -> str:
        """The N-Quads term of a type name, expanded in the context before type-scoped contexts."""
        memo_key = (context_id(pretype), type_name)
        iri = self._type_iris.get(memo_key)
        if iri is None:
            iri = f"<{self._iri(pretype, type_name, vocab=True)}>"
            _remember(self._type_iris, memo_key, iri)
        return iri

    def _iri(self, ctx: ActiveContext, value: str, *, vocab: bool) -> str:
        """pyld ``_expand_iri`` with no base IRI; anything but an absolute IRI is :class:`Unsupported`."""
        iri = absolute_iri(ctx, value, vocab=vocab)
        if iri is None:
            raise Unsupported  # a keyword-like value, a blank node identifier, or a relative IRI (safe mode)
        return iri

    def _process(self, ctx: ActiveContext, local: Any, **flags: bool) -> ActiveContext:
        try:
            return self._pyld.apply(ctx, local, **flags)
        except jsonld.JsonLdError as error:
            raise Unsupported from error


def _container(ctx: Any, key: str) -> set[str]:
    container = term_value(ctx, key, "@container")
    if container is None:
        return set()
    return set(container) if isinstance(container, list) else {container}


def _is_datatype(coercion: Any) -> bool:
    return isinstance(coercion, str) and not coercion.startswith("_:") and is_absolute_iri(coercion)


def _literal(value: str | float, datatype: str | None, language: str | None) -> str:
    """An RDF literal in N-Quads, as pyld's ``_object_to_rdf`` and ``serialize_nquad`` write it."""
    lexical: Any = value
    kind = type(value)
    if kind is bool:
        lexical, datatype = ("true" if value else "false"), datatype or _XSD_BOOLEAN
    elif kind is float and not value.is_integer():  # type: ignore[union-attr]
        lexical, datatype = canonical_double(float(value)), datatype or _XSD_DOUBLE
    elif datatype == _XSD_DOUBLE:
        try:
            lexical = canonical_double(float(value))
        except (ValueError, TypeError):
            lexical = value
    elif kind is int and abs(value) > _MAX_SAFE_INTEGER and not is_exact_double(value):  # type: ignore[arg-type]
        raise Unsupported  # the reference route refuses it, naming where (issue 17)
    elif kind is not str and abs(value) >= 1e21:  # type: ignore[arg-type]
        lexical, datatype = canonical_double(float(value)), datatype or _XSD_DOUBLE  # same form as the int's
    elif kind is not str:
        lexical, datatype = str(int(value)), datatype or _XSD_INTEGER
    elif language is not None:
        datatype = _LANGSTRING
    else:
        datatype = datatype or _XSD_STRING
    quoted = f'"{escape_literal(lexical)}"'
    if datatype == _LANGSTRING:
        return f"{quoted}@{language}" if language else quoted
    return quoted if datatype == _XSD_STRING else f"{quoted}^^<{datatype}>"


def is_exact_double(value: int) -> bool:
    """Whether an IEEE 754 double holds this integer exactly, so JavaScript reads the same number."""
    try:
        return int(float(value)) == value
    except OverflowError:
        return False


def _remember(memo: dict[Any, Any], key: Any, value: Any) -> None:
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()  # documents from outside can name endless types; keep the memo bounded
    memo[key] = value
