"""The quads of one JSON-LD to RDF walk (:class:`Walk`), and a node's quads kept to replay into another.

The compiled path (``_compiled_rdf.py``) writes quads into a walk as pyld's node map would keep them:
deduplicated per subject and property, blank nodes numbered ``_:b1``, ``_:b2``, ... in the order made.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from microcred.credentials._rdfc import Quad

__all__ = ["Subtree", "SubtreeMemo", "Term", "Walk"]

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_FIRST, _REST, _NIL = f"<{_RDF}first>", f"<{_RDF}rest>", f"<{_RDF}nil>"


class Walk:
    """The quads of one document, deduplicated per subject and property as pyld's node map does.

    ``keys`` holds each quad's deduplication key (None: never deduplicated), so a subtree walked on its own
    can be replayed into another walk (:class:`Subtree`); ``depth`` counts the subtree walks it is inside."""

    __slots__ = ("blank_nodes", "depth", "keys", "quads", "seen")

    def __init__(self, depth: int = 0) -> None:
        self.quads: list[Quad] = []
        self.keys: list[tuple[Any, ...] | None] = []
        self.seen: set[tuple[Any, ...]] = set()
        self.blank_nodes = 0
        self.depth = depth

    def blank_node(self) -> str:
        self.blank_nodes += 1
        return f"_:b{self.blank_nodes}"

    def add(self, subject: str, predicate: str, identity: tuple[Any, ...] | None, obj: str) -> None:
        if identity is not None:
            key = (subject, predicate, *identity)
            if key in self.seen:
                return
            self.seen.add(key)
        self.quads.append((subject, predicate, obj))
        self.keys.append(key)

    def add_list(self, subject: str, predicate: str, items: list[str]) -> None:
        """An RDF collection, as pyld's ``_list_to_rdf`` writes it (lists are never deduplicated)."""
        node = self.blank_node() if items else _NIL
        self.quads.append((subject, predicate, node))
        for position, item in enumerate(items):
            following = self.blank_node() if position < len(items) - 1 else _NIL
            self.quads.append((node, _FIRST, item))
            self.quads.append((node, _REST, following))
            node = following
        self.keys.extend([None] * (1 + 2 * len(items)))


Term = str | int  # an N-Quads term, or the number of a blank node made inside a subtree
_PLACEMENTS = 4  # numberings of a subtree's blank nodes kept: documents of one shape put it at one place


@dataclass(frozen=True, slots=True)
class Subtree:
    """The quads one node object gives, walked on its own: its blank nodes numbered from 1, and for each quad
    the key that deduplicates it against the rest of a document (None when its subject is such a blank node,
    which nothing outside the subtree can name, or when it is never deduplicated).

    ``named`` holds the keys that are not None (each once: the walk on its own deduplicated them), and
    ``placed`` the quads as written after a given number of blank nodes, with the root's term."""

    root: Term
    quads: tuple[tuple[Term, str, Term, tuple[Any, ...] | None], ...]
    blank_nodes: int
    keys: tuple[tuple[Any, ...] | None, ...]
    named: frozenset[tuple[Any, ...]]
    placed: dict[int, tuple[tuple[Quad, ...], str]] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, walk: Walk, root: str) -> Subtree:
        def local(term: str) -> Term:
            return int(term[3:]) if term[:3] == "_:b" else term

        quads = tuple(
            (local(s), p, local(o), None if s[0] == "_" else key)
            for (s, p, o), key in zip(walk.quads, walk.keys, strict=True)
        )
        keys = tuple(quad[3] for quad in quads)
        return cls(local(root), quads, walk.blank_nodes, keys, frozenset(key for key in keys if key is not None))

    def replay(self, walk: Walk) -> str:
        """Add the quads to ``walk`` as walking the node there would: fresh blank nodes, the same deduplication.

        When ``walk`` has none of the subtree's keys yet (the usual case: one achievement per credential),
        every quad goes in, in order: the quads numbered for this place are added at once, written the first
        time a document puts the subtree there (a credential's achievement replayed quad by quad was about
        45 µs of its 0.3 ms of signing, measured in benchmarks/bench_status_lists.py; issue 21)."""
        base, seen = walk.blank_nodes, walk.seen
        if seen.isdisjoint(self.named):
            placed = self.placed.get(base)
            if placed is None:
                if len(self.placed) >= _PLACEMENTS:
                    self.placed.clear()  # another thread may do the same: each writes the same value
                placed = self.placed[base] = self._place(base)
            walk.blank_nodes += self.blank_nodes
            walk.quads.extend(placed[0])
            walk.keys.extend(self.keys)
            seen.update(self.named)
            return placed[1]
        quads, keys = walk.quads, walk.keys
        walk.blank_nodes += self.blank_nodes
        for subject, predicate, obj, key in self.quads:
            if key is not None:
                if key in seen:
                    continue
                seen.add(key)
            quads.append(
                (
                    f"_:b{base + subject}" if isinstance(subject, int) else subject,
                    predicate,
                    f"_:b{base + obj}" if isinstance(obj, int) else obj,
                )
            )
            keys.append(key)
        root = self.root
        return f"_:b{base + root}" if isinstance(root, int) else root

    def _place(self, base: int) -> tuple[tuple[Quad, ...], str]:
        """Every quad and the root's term with the blank nodes numbered after ``base``."""

        def term(value: Term) -> str:
            return f"_:b{base + value}" if isinstance(value, int) else value

        return tuple((term(s), p, term(o)) for s, p, o, _ in self.quads), term(self.root)


class SubtreeMemo:
    """Subtrees by key, the least recently used dropped first, kept only from a key's second sighting: a node
    met once (each credential's own status entry) costs its key and neither a separate walk nor the place of a
    shared node. The web app canonicalises in several threads: the dictionary changes under a lock."""

    def __init__(self, limit: int, *, sightings: int) -> None:
        self._limit, self._sightings = limit, sightings
        self._kept: dict[Any, Subtree] = {}
        self._sighted: set[int] = set()  # hashes of the keys seen once; a collision only keeps a node early
        self._lock = threading.Lock()

    def get(self, key: Any) -> Subtree | None:
        with self._lock:
            subtree = self._kept.pop(key, None)
            if subtree is not None:
                self._kept[key] = subtree  # now the most recently used
        return subtree

    def first_sighting(self, key: Any) -> bool:
        """Whether ``key`` is seen for the first time (it is remembered as seen)."""
        sighting = hash(key)
        with self._lock:
            if sighting in self._sighted:
                return False
            if len(self._sighted) >= self._sightings:
                self._sighted.clear()
            self._sighted.add(sighting)
        return True

    def keep(self, key: Any, subtree: Subtree) -> None:
        with self._lock:
            if len(self._kept) >= self._limit:
                del self._kept[next(iter(self._kept))]
            self._kept[key] = subtree
