"""The words of the catalogue's free-text search: a query's terms, the forms a text is found by, and highlights.

A query word finds a text when one of its forms (the word itself, its Dutch and its English Snowball stem)
is a prefix of one of the text's forms (each word, and its stem in the text's own language). Both search
backends index and match exactly these forms (decision 0022), and the result pages highlight the words
this module says matched, so what is marked is what was found.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files

import Stemmer

__all__ = [
    "FOLD_SQL",
    "MAX_TERMS",
    "STEMMED_LANGUAGES",
    "Highlight",
    "fold",
    "highlight",
    "indexed_forms",
    "json_forms",
    "query_forms",
    "query_terms",
    "stem",
]

#: Letters and digits; an underscore or any punctuation separates words, as in both engines' parsers.
_WORD = re.compile(r"[^\W_]+")
MAX_TERMS = 12
#: The languages whose texts are stemmed (PostgreSQL's ``dutch`` and ``english`` configurations).
STEMMED_LANGUAGES = ("nl", "en")
# PostgreSQL up to 17 ships Snowball 2's Dutch stemmer, which Snowball 3 (PyStemmer 3) renamed "dutch_porter".
_ALGORITHMS = {
    "nl": "dutch_porter" if "dutch_porter" in Stemmer.algorithms() else "dutch",
    "en": "english",
}
_LOCAL = threading.local()  # a PyStemmer Stemmer keeps a cache and is not safe to share between threads
_ACCENTED = "àáâãäåāèéêëēìíîïīòóôõöøōùúûüūýÿçñ"
_PLAIN = "aaaaaaaeeeeeiiiiiooooooouuuuuyycn"
_FOLD = str.maketrans(_ACCENTED, _PLAIN)
#: The same folding as SQL, for PostgreSQL's translate() (the sort key of titles, decision 0022).
FOLD_SQL = (_ACCENTED, _PLAIN)


@lru_cache(maxsize=16_384)  # SQLite calls it for every title it sorts; a register's titles repeat across searches
def fold(text: str) -> str:
    """A sort key that ignores case and the common Latin accents ("Économie" sorts with "economie")."""
    return text.lower().translate(_FOLD)


def query_terms(query: str) -> list[str]:
    """The words of a free-text query, lower-cased: punctuation and operators are dropped, never interpreted."""
    return [word.casefold() for word in _WORD.findall(query or "")][:MAX_TERMS]


def stem(word: str, language: str) -> str | None:
    """The Snowball stem of a lower-case ``word`` in ``language`` (``nl`` or ``en``); None for a stop word,
    which PostgreSQL's configurations do not index either."""
    if word in _stop_words(language):
        return None
    stemmers: dict[str, Stemmer.Stemmer] | None = getattr(_LOCAL, "stemmers", None)
    if stemmers is None:
        stemmers = {code: Stemmer.Stemmer(name) for code, name in _ALGORITHMS.items()}
        _LOCAL.stemmers = stemmers
    return str(stemmers[language].stemWord(word))


@cache
def _stop_words(language: str) -> frozenset[str]:
    listed = (files("microcred.domain") / "data" / f"stopwords-{language}.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in listed.splitlines() if line.strip())


@lru_cache(maxsize=4096)
def query_forms(term: str) -> tuple[str, ...]:
    """A query word and its Dutch and English stems, each matched as a prefix (the query's language is unknown)."""
    forms = [term]
    for language in STEMMED_LANGUAGES:
        stemmed = stem(term, language)
        if stemmed is not None and stemmed not in forms:
            forms.append(stemmed)
    return tuple(forms)


def indexed_forms(text: str, language: str | None) -> Iterator[str]:
    """Every word of ``text`` lower-cased and, for a Dutch or English text, its stem in that language."""
    for word in _WORD.findall(text):
        lowered = word.casefold()
        yield lowered
        if language in STEMMED_LANGUAGES:
            stemmed = stem(lowered, language)
            if stemmed is not None and stemmed != lowered:
                yield stemmed


def json_forms(document: str | None) -> str:
    """The indexed forms of every text in a stored JSON column (a language map or a list of learning outcomes).

    A string under a language key (``{"nl": ...}``) is stemmed in that language; an ESCO skill link is not text.
    SQLite's search triggers call this (registered as ``microcred_search_forms``)."""
    if not document:
        return ""
    return " ".join(_walk(json.loads(document), None))


def _walk(value: object, language: str | None) -> Iterator[str]:
    if isinstance(value, str):
        yield from indexed_forms(value, language)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, language)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "esco_skill":
                continue
            yield from _walk(item, key if len(key) == 2 else language)


@dataclass(frozen=True, slots=True)
class Highlight:
    """A text cut into pieces, each marked or not: the words a query found it by are marked."""

    pieces: tuple[tuple[str, bool], ...]

    @property
    def matched(self) -> bool:
        return any(marked for _, marked in self.pieces)


def highlight(text: str, language: str | None, terms: Iterable[str], *, around: int | None = None) -> Highlight:
    """``text`` with the words that ``terms`` match marked; with ``around``, a snippet of about that many
    characters either side of the first match (an ellipsis where it was cut)."""
    prefixes = tuple(form for term in terms for form in query_forms(term))
    spans = [
        m.span() for m in _WORD.finditer(text) if any(form.startswith(prefixes) for form in _forms(m.group(), language))
    ]
    start, end = 0, len(text)
    if around is not None and spans:
        start = max(0, _word_start(text, spans[0][0] - around))
        end = min(len(text), _word_end(text, spans[0][1] + around))
    pieces: list[tuple[str, bool]] = [("…", False)] if start > 0 else []
    cursor = start
    for low, high in spans:
        if low < start or high > end:
            continue
        if low > cursor:
            pieces.append((text[cursor:low], False))
        pieces.append((text[low:high], True))
        cursor = high
    if cursor < end:
        pieces.append((text[cursor:end], False))
    if end < len(text):
        pieces.append(("…", False))
    return Highlight(tuple(pieces))


@lru_cache(maxsize=65_536)  # a result page highlights the same catalogue words search after search
def _forms(word: str, language: str | None) -> tuple[str, ...]:
    """A word of a text lower-cased and, in Dutch or English, its stem: the forms a query prefix may match."""
    lowered = word.casefold()
    stemmed = stem(lowered, language) if language in STEMMED_LANGUAGES else None
    return (lowered,) if stemmed is None or stemmed == lowered else (lowered, stemmed)


def _word_start(text: str, index: int) -> int:
    if index <= 0:
        return 0
    space = text.rfind(" ", 0, index)
    return space + 1 if space >= 0 else 0


def _word_end(text: str, index: int) -> int:
    space = text.find(" ", index)
    return space if space >= 0 else len(text)
