"""Controlled vocabularies shipped as CSV files, with English and Dutch labels.

Each vocabulary is one file in ``data/`` (sources and licences in ``data/SOURCES.md``). Files are read
through :mod:`importlib.resources` on first use, so the package works from an installed wheel and
importing it costs nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from types import MappingProxyType

__all__ = ["Concept", "Vocabulary", "isced_broad_field", "vocabulary", "vocabulary_names"]

_COLUMNS = ("code", "uri", "label_en", "label_nl", "scheme", "parent", "source")
_LANGUAGES = ("en", "nl")
_DATA = "data"
# "6", "06" or "6.0" (a spreadsheet's idea of a level) for codes that are all digits.
_NUMBER = re.compile(r"([0-9]+)(?:\.0+)?")


@dataclass(frozen=True, slots=True)
class Concept:
    """One entry of a vocabulary: our stable code, the EU URI when there is one, and its labels."""

    code: str
    uri: str | None
    labels: Mapping[str, str] = field(hash=False)  # a read-only view; kept out of the hash
    scheme: str | None
    parent: str | None

    def label(self, lang: str = "en") -> str:
        """The label in ``lang``, else the English one, else the code itself."""
        return self.labels.get(lang) or self.labels.get("en") or self.code


class Vocabulary:
    """The concepts of one vocabulary in file order, looked up by code or resolved from free text."""

    __slots__ = ("_by_code", "_by_folded_code", "_by_label", "_numeric", "_widest", "concepts", "name")

    def __init__(self, name: str, concepts: tuple[Concept, ...]) -> None:
        self.name = name
        self.concepts = concepts
        self._by_code = {c.code: c for c in concepts}
        self._by_folded_code = {_fold(c.code): c for c in concepts}
        self._by_label: dict[str, Concept] = {}
        for concept in concepts:  # file order is preference order when labels repeat
            for text in concept.labels.values():
                self._by_label.setdefault(_fold(text), concept)
        self._numeric = bool(concepts) and all(_NUMBER.fullmatch(c.code) for c in concepts)
        self._widest = max((len(c.code) for c in concepts), default=0)

    def __repr__(self) -> str:
        return f"<Vocabulary {self.name!r}: {len(self.concepts)} concepts>"

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._by_code

    def __iter__(self) -> Iterator[Concept]:
        return iter(self.concepts)

    def __len__(self) -> int:
        return len(self.concepts)

    def get(self, code: str) -> Concept:
        """The concept with exactly this code; ``KeyError`` naming the vocabulary otherwise."""
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"{code!r} is not a code in the {self.name!r} vocabulary") from None

    def resolve(self, text: str) -> Concept | None:
        """The concept a person most likely meant by ``text``, or ``None``.

        Accepts a code or an English or Dutch label, ignoring case and surrounding whitespace, with ``_``, ``-``
        and spaces between words taken as one (``self_employed``, ``Self employed``: ``self-employed``). In
        all-digit vocabularies (EQF, VKS, ISCED-F, contract types) a number that lost its leading
        zeros also matches: ``'613'`` gives ISCED-F ``'0613'``. A label used by several concepts
        resolves to the first in file order (ISCED-F ``'Law'`` is the narrow field ``042``).
        """
        key = _fold(text)
        if not key:
            return None
        found = self._by_folded_code.get(key)
        if found is None and self._numeric:
            found = self._by_number(key)
        return found if found is not None else self._by_label.get(key)

    def aliases(self, code: str) -> tuple[str, ...]:
        """The other spellings :meth:`resolve` documents for ``code``: underscores for its dashes, its English and
        Dutch labels (case never matters; ``_``, ``-`` and spaces between words count as one)."""
        concept = self.get(code)
        spellings = [code.replace("-", "_"), *(concept.labels.get(lang, "") for lang in _LANGUAGES)]
        found: list[str] = []
        for text in spellings:
            taken = [code.casefold(), *(seen.casefold() for seen in found)]
            if text and text.casefold() not in taken and self.resolve(text) is concept:
                found.append(text)
        return tuple(found)

    def codes(self) -> tuple[str, ...]:
        """All codes, in file order."""
        return tuple(c.code for c in self.concepts)

    def children(self, code: str) -> tuple[Concept, ...]:
        """The concepts whose parent is ``code`` (which must exist), in file order."""
        self.get(code)
        return tuple(c for c in self.concepts if c.parent == code)

    def _by_number(self, key: str) -> Concept | None:
        match = _NUMBER.fullmatch(key)
        if match is None:
            return None
        digits = match.group(1)
        widths = range(len(digits), self._widest + 1)
        for candidate in (*(digits.zfill(w) for w in widths), digits.lstrip("0") or "0"):
            if candidate in self._by_code:
                return self._by_code[candidate]
        return None


@cache
def vocabulary_names() -> tuple[str, ...]:
    """The names of all shipped vocabularies (the data file names without ``.csv``), sorted."""
    names = (entry.name for entry in (files(__name__) / _DATA).iterdir())
    return tuple(sorted(name.removesuffix(".csv") for name in names if name.endswith(".csv")))


@cache
def vocabulary(name: str) -> Vocabulary:
    """The vocabulary called ``name``, read from its data file on first use."""
    if name not in vocabulary_names():
        known = ", ".join(vocabulary_names())
        raise KeyError(f"no vocabulary named {name!r}; known vocabularies: {known}")
    text = (files(__name__) / _DATA / f"{name}.csv").read_text(encoding="utf-8")
    return Vocabulary(name, _parse(name, text))


def isced_broad_field(code: str) -> str:
    """The broad (two-digit) ISCED-F field a narrow or detailed field belongs to: ``'0613'`` -> ``'06'``."""
    isced = vocabulary("isced-f")
    concept = isced.get(code)
    while concept.parent is not None:
        concept = isced.get(concept.parent)
    return concept.code


def _parse(name: str, text: str) -> tuple[Concept, ...]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if tuple(reader.fieldnames or ()) != _COLUMNS:
        raise ValueError(f"{name}.csv: columns are {reader.fieldnames}, expected {list(_COLUMNS)}")
    concepts: list[Concept] = []
    for row in reader:
        labels = {lang: row[f"label_{lang}"] for lang in _LANGUAGES if row[f"label_{lang}"]}
        concepts.append(
            Concept(
                code=row["code"],
                uri=row["uri"] or None,
                labels=MappingProxyType(labels),
                scheme=row["scheme"] or None,
                parent=row["parent"] or None,
            )
        )
    _check(name, concepts)
    return tuple(concepts)


def _check(name: str, concepts: list[Concept]) -> None:
    """Refuse a data file with blank, repeated or dangling codes rather than serve wrong answers."""
    seen: set[str] = set()
    for concept in concepts:
        if not concept.code or concept.code != concept.code.strip():
            raise ValueError(f"{name}.csv: blank or padded code {concept.code!r}")
        if concept.code in seen:
            raise ValueError(f"{name}.csv: code {concept.code!r} appears twice")
        seen.add(concept.code)
    for concept in concepts:
        if concept.parent is not None and concept.parent not in seen:
            raise ValueError(f"{name}.csv: {concept.code!r} has unknown parent {concept.parent!r}")


_JOINERS = re.compile(r"(?<=\w)[\s_-]+(?=\w)")


def _fold(text: str) -> str:
    """What two spellings of a code or label have in common: case, spacing and ``_``/``-``/spaces between words."""
    return _JOINERS.sub("-", " ".join(text.split()).casefold())
