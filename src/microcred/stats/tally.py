"""Every enrolment and distinct-learner count of the report in one pass over the scoped enrolments.

Asking DuckDB ``COUNT(DISTINCT learner_id)`` once per dimension and year range builds a hash table of
millions of learners each time (about 20 passes at 10 million enrolments; decision 0003). Here the
scoped enrolments are fetched once as NumPy columns (learner, edition, learner-side ``profile``) and put
in order by learner, then academic year (``stats.rows.fetch_rows``). Each enrolment becomes a bit set
with one bit per dimension value it falls in (looked up per edition and per profile); OR-ing the bit sets
of a learner's enrolments in a year (``reduceat`` over contiguous rows) tells which cells that learner is
in, so a cell's learners are the bit sets with its bit on; one bit set per learner counts the whole range.
The named SQL (``enrolments_per_year.sql`` ...) stays the definition: the tests require identical answers
from both, and the benchmark runs that SQL directly in SQLite.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from microcred.stats.disclosure import Rounding, atoms, profile_groups, protected_rows
from microcred.stats.memory import large_arrays_on_fresh_pages
from microcred.stats.queries import BROAD_KINDS, ENROLMENT_DIMENSIONS, Counts, Questions, Scope, SqlRunner
from microcred.stats.rows import fetch_rows
from microcred.stats.slices import learner_slices, on_every_core, summed
from microcred.stats.snapshot import CODED

__all__ = [
    "EDITIONS_IN_SCOPE",
    "Dimension",
    "FastQuestions",
    "Tally",
    "codes_of",
    "count_learners",
    "dimension",
    "profiles",
    "protect",
    "tally",
]

Ints = NDArray[np.int64]
Words = NDArray[np.uint64]
_CHUNK = 12  # bits counted per bincount: 4096 bins per label
_CLASSES = 3  # outcome classes: 0 still running, 1 passed, 2 failed or withdrawn
_WORKING = {"employed": "working", "self-employed": "working", "job-seeking": "not-working"}
_WORKING["not-in-labour-force"] = "not-working"
EDITIONS_IN_SCOPE = (
    "SELECT e.id, e.academic_year, e.capacity, o.id, p.slug, p.type, o.offer_kind, o.field, o.code, o.title_nl, "
    "o.title_en FROM stat_editions AS e JOIN scope_offerings AS s ON s.offering_id = e.offering_id "
    "JOIN stat_offerings AS o ON o.id = e.offering_id JOIN stat_providers AS p ON p.id = o.provider_id "
    "WHERE e.academic_year BETWEEN $from_year AND $to_year ORDER BY e.id"
)
_EDITION_SIDE: dict[str, Callable[[tuple[Any, ...]], str]] = {  # dimension -> its value in an EDITIONS_IN_SCOPE row
    "total": lambda e: "all",
    "narrow": lambda e: "yes" if str(e[6]).startswith("micro-credential") else "no",
    "broad": lambda e: "yes" if str(e[6]).startswith("micro-credential") or e[6] in BROAD_KINDS[1:] else "no",
    "provider": lambda e: str(e[4]),
    "provider_type": lambda e: str(e[5]),
    "offer_kind": lambda e: str(e[6]),
    "field": lambda e: str(e[7]),
    "capacity": lambda e: "no" if e[2] is None else "yes",  # for the fill rate's learners
}


@dataclass(frozen=True, slots=True)
class Dimension:
    name: str
    values: tuple[str, ...]
    per_edition: bool  # codes index the scoped editions, else the learner-side profiles
    codes: Ints


@dataclass(frozen=True, slots=True)
class _Segment:
    """Values ``start`` .. ``start + width`` of dimension ``dim`` sit at bits ``bit`` .. of word ``word``."""

    dim: int
    start: int
    width: int
    word: int
    bit: int


@dataclass(frozen=True, slots=True)
class Tally:
    """Counts per (academic year, value) of every dimension, per year and over the whole range (year 0)."""

    per_year: Mapping[str, dict[tuple[int, str], Counts]]
    whole: Mapping[str, dict[tuple[int, str], Counts]]
    editions: list[tuple[int, ...]]  # the editions_per_year.sql rows
    offerings: list[tuple[Any, ...]]  # id, provider, code, title_nl, title_en, enrolments, first, last year
    rows: Mapping[str, Ints]  # offering, learner and edition of every scoped enrolment

    def learners_of(self, offering_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        """Distinct learners and editions over the range of a few offerings (the candidates for the top list)."""
        offering = self.rows["offering"]
        wanted = np.flatnonzero(np.isin(offering, np.asarray(offering_ids, dtype=np.int64)))
        mine, learner, edition = offering[wanted], self.rows["learner"][wanted], self.rows["edition"][wanted]
        found: dict[int, tuple[int, int]] = {}
        for oid in offering_ids:
            rows = mine == oid
            found[oid] = (len(np.unique(learner[rows])), len(np.unique(edition[rows])))
        return found


def tally(
    db: SqlRunner, years: Mapping[str, object], dimensions: Sequence[str], *, rounding: Rounding | None = None
) -> Tally:
    """Count ``dimensions`` (names of ``queries.ENROLMENT_DIMENSIONS``) over the scope of ``scope_offerings``,
    on the protected copy of the enrolments (``stats.disclosure``) unless ``rounding`` is None."""
    large_arrays_on_fresh_pages()
    first, last = int(str(years["from_year"])), int(str(years["to_year"]))
    span = last - first + 1
    bounds = {"from_year": first, "to_year": last}
    editions = list(db.execute(EDITIONS_IN_SCOPE, bounds).fetchall())
    edition_year = np.array([int(e[1]) - first for e in editions], dtype=np.int64)
    learner, local, profile = fetch_rows(db, bounds, editions)
    codes = codes_of(db)
    if rounding is not None:  # not keeping each row's source row: 30 MB at 3.8 million rows, during the counting
        learner, local, profile = protect(learner, local, profile, editions, codes, rounding)[:3]
    dims = [dimension(name, editions, codes) for name in (*dimensions, "capacity")]
    outcome = _outcome_classes(codes)
    year = edition_year[local]
    by_year, overall = count_learners(
        dims, learner, local, profile, year, span=span, editions=len(editions), profiles=len(outcome)
    )
    per_edition = np.bincount(local * _CLASSES + outcome[profile], minlength=len(editions) * _CLASSES)
    per_profile = np.bincount(year * len(outcome) + profile, minlength=span * len(outcome))
    per_year, whole = {}, {}
    for index, dim in enumerate(dims):
        cells = _enrolment_cells(dim, span, edition_year, outcome, per_edition, per_profile)
        per_year[dim.name] = _cells(dim, cells, by_year[index], first)
        whole[dim.name] = _cells(dim, cells.sum(axis=0, keepdims=True), overall[index], 0)
    offering = np.array([int(e[3]) for e in editions], dtype=np.int64)
    return Tally(
        per_year,
        whole,
        _editions(editions, first, span, per_year),
        _offerings(editions, per_edition.reshape(-1, _CLASSES).sum(axis=1), edition_year, span),
        {"offering": offering[local], "learner": learner, "edition": np.array([int(e[0]) for e in editions])[local]},
    )


def count_learners(
    dims: Sequence[Dimension],
    learner: Ints,
    local: Ints,
    profile: Ints,
    year: Ints,
    *,
    span: int,
    editions: int,
    profiles: int,
) -> tuple[list[Ints], list[Ints]]:
    """Distinct learners per (year, value) and over all years, per dimension, of rows ordered by learner and year.

    ``local`` indexes the ``editions`` the per-edition dimensions are coded over, ``profile`` the ``profiles``.
    """
    layout = _layout(dims)

    def counted(rows: slice) -> tuple[Ints, Ints]:  # a slice's learners: whole, so the counts add up
        words = _bit_sets(dims, layout, local[rows], profile[rows], editions, profiles)
        mine, years = learner[rows], year[rows]
        groups, learners = _starts(mine * span + years), _starts(mine)
        per_year = _count_bits([np.bitwise_or.reduceat(w, groups) for w in words], years[groups], span)
        return per_year, _count_bits([np.bitwise_or.reduceat(w, learners) for w in words], None, 1)

    parts = on_every_core(counted, learner_slices(learner))
    by_year = _columns(dims, layout, summed([p[0] for p in parts]))
    overall = _columns(dims, layout, summed([p[1] for p in parts]))
    return by_year, overall


def protect(
    learner: Ints,
    local: Ints,
    profile: Ints,
    editions: Sequence[tuple[Any, ...]],
    codes: Mapping[str, Sequence[str]],
    rounding: Rounding,
) -> tuple[Ints, Ints, Ints, Ints]:
    """The protected copy (``stats.disclosure``) of scoped rows: learner, edition index, profile, source row."""
    groups, hashes = profile_groups(profiles(codes))
    edition_ids = np.array([int(e[0]) for e in editions], dtype=np.int64)
    found = atoms(
        learner, local, profile, edition_ids=edition_ids, groups=groups, group_hashes=hashes, rounding=rounding
    )
    return protected_rows(learner, local, profile, found, k=rounding.k, first_stand_in=int(learner.max(initial=0)) + 1)


def codes_of(db: SqlRunner) -> dict[str, list[str]]:
    """The values behind each learner-side code of the snapshot (``stat_codes``)."""
    codes: dict[str, list[str]] = {name: [] for name in CODED}
    for dimension, _code, value in db.execute("SELECT dimension, code, value FROM stat_codes ORDER BY 1, 2").fetchall():
        codes[str(dimension)].append(str(value))
    return codes


def profiles(codes: Mapping[str, Sequence[str]]) -> list[tuple[str, ...]]:
    """The learner-side values of every profile number (mixed radix over ``CODED``, as the snapshot packs it)."""
    found: list[tuple[str, ...]] = [()]
    for name in CODED:
        found = [(*p, v) for p in found for v in codes[name]]
    return found


def dimension(name: str, editions: Sequence[tuple[Any, ...]], codes: Mapping[str, Sequence[str]]) -> Dimension:
    """The values of ``name`` and, per scoped edition or per profile number, the index of its value."""
    if name in _EDITION_SIDE:
        labels = [_EDITION_SIDE[name](e) for e in editions]
        per_edition = True
    else:
        position = CODED.index("employment_status" if name == "working" else name)
        labels = [p[position] for p in profiles(codes)]
        if name == "working":
            labels = [_WORKING.get(label, "unknown") for label in labels]
        per_edition = False
    values = tuple(sorted(set(labels)))
    lookup = {value: code for code, value in enumerate(values)}
    return Dimension(name, values, per_edition, np.array([lookup[v] for v in labels], dtype=np.int64))


def _outcome_classes(codes: Mapping[str, Sequence[str]]) -> Ints:
    position = CODED.index("outcome")
    classes = {"passed": 1, "failed": 2, "withdrawn": 2}
    return np.array([classes.get(p[position], 0) for p in profiles(codes)], dtype=np.int64)


def _layout(dims: Sequence[Dimension]) -> list[_Segment]:
    """Bits for every dimension value, a dimension kept within one 64-bit word unless it has more values."""
    segments: list[_Segment] = []
    word, bit = 0, 0
    for index, dim in enumerate(dims):
        for start in range(0, len(dim.values), 64):
            width = min(64, len(dim.values) - start)
            if bit + width > 64:
                word, bit = word + 1, 0
            segments.append(_Segment(index, start, width, word, bit))
            bit += width
    return segments


def _bit_sets(
    dims: Sequence[Dimension], layout: Sequence[_Segment], local: Ints, profile: Ints, editions: int, profiles: int
) -> list[Words]:
    """Per enrolment, one bit on for each dimension value it falls in: its edition's bits OR its profile's."""
    count = max((s.word for s in layout), default=-1) + 1
    by_edition = [np.zeros(editions, dtype=np.uint64) for _ in range(count)]
    by_profile = [np.zeros(profiles, dtype=np.uint64) for _ in range(count)]
    for s in layout:
        dim = dims[s.dim]
        codes = dim.codes - s.start
        inside = (codes >= 0) & (codes < s.width)
        bits = np.where(inside, np.left_shift(np.uint64(1), np.where(inside, codes + s.bit, 0).astype(np.uint64)), 0)
        (by_edition if dim.per_edition else by_profile)[s.word] |= bits.astype(np.uint64)
    return [e[local] | p[profile] for e, p in zip(by_edition, by_profile, strict=True)]


def _starts(key: Ints) -> Ints:
    """Where each run of equal keys begins (the rows come ordered by learner and year)."""
    return np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1]))) if len(key) else key


def _count_bits(words: Sequence[Words], labels: Ints | None, n_labels: int) -> Ints:
    """How many bit sets have each bit on, per label: a (n_labels, 64 * words) matrix, 12 bits per bincount.

    Each chunk of bits is shifted, masked and labelled in one buffer, in place: a new array per step made a dozen
    arrays of millions of rows per word, each pages the process touched afresh (decision 0003's addendum)."""
    columns = []
    chunk = np.empty(len(words[0]) if words else 0, dtype=np.uint64)
    counted = chunk.view(np.int64)  # a masked chunk is below 2**12: the same bits read as signed
    label_bits: dict[int, Ints] = {}  # the labels shifted above a chunk of each width, made once
    for word in words:
        for start in range(0, 64, _CHUNK):
            width = min(_CHUNK, 64 - start)
            np.right_shift(word, np.uint64(start), out=chunk)
            chunk &= np.uint64((1 << width) - 1)
            if labels is not None:
                counted += label_bits[width] if width in label_bits else label_bits.setdefault(width, labels << width)
            histogram = np.bincount(counted, minlength=n_labels << width)
            table = (np.arange(1 << width)[:, None] >> np.arange(width)[None, :]) & 1
            columns.append(histogram.reshape(n_labels, 1 << width) @ table)
    return np.concatenate(columns, axis=1) if columns else np.zeros((n_labels, 0), dtype=np.int64)


def _columns(dims: Sequence[Dimension], layout: Sequence[_Segment], counted: Ints) -> list[Ints]:
    """Per dimension, its (labels, values) learner counts taken from the bit columns of ``counted``."""
    found = [np.zeros((counted.shape[0], len(d.values)), dtype=np.int64) for d in dims]
    for s in layout:
        column = s.word * 64 + s.bit
        found[s.dim][:, s.start : s.start + s.width] = counted[:, column : column + s.width]
    return found


def _enrolment_cells(
    dim: Dimension, span: int, edition_year: Ints, outcome: Ints, per_edition: Ints, per_profile: Ints
) -> Ints:
    """Enrolments per (year, outcome class, value), summed from the per-edition or per-profile counts."""
    size = len(dim.values)
    if dim.per_edition:
        index = (edition_year[:, None] * _CLASSES + np.arange(_CLASSES)[None, :]) * size + dim.codes[:, None]
        weights = per_edition
    else:
        index = (np.arange(span)[:, None] * _CLASSES + outcome[None, :]) * size + dim.codes[None, :]
        weights = per_profile
    cells = np.bincount(index.ravel(), weights=weights.astype(np.float64), minlength=span * _CLASSES * size)
    return np.rint(cells).astype(np.int64).reshape(span, _CLASSES, size)  # exact: counts are far below 2**53


def _cells(dim: Dimension, cells: Ints, learners: Ints, first: int) -> dict[tuple[int, str], Counts]:
    found = {}
    for y, v in zip(*np.nonzero(cells.sum(axis=1)), strict=True):
        running, passed, failed = (int(n) for n in cells[y, :, v])
        found[(first + int(y), dim.values[v])] = Counts(
            running + passed + failed, int(learners[y, v]), passed, passed + failed
        )
    return found


def _editions(
    editions: Sequence[tuple[Any, ...]], first: int, span: int, per_year: Mapping[str, Mapping[tuple[int, str], Counts]]
) -> list[tuple[int, ...]]:
    """The ``editions_per_year.sql`` rows: editions, enrolments, capacity and the learners it concerns."""
    found: list[tuple[int, ...]] = []
    for year in range(first, first + span):
        mine = [e[2] for e in editions if int(e[1]) == year]
        if not mine:
            continue
        with_capacity = [int(c) for c in mine if c is not None]
        total = per_year["total"].get((year, "all"), Counts())
        capacity = per_year["capacity"].get((year, "yes"), Counts())
        counts = (total.enrolments, len(with_capacity), sum(with_capacity), capacity.enrolments, capacity.learners)
        found.append((year, len(mine), *counts))
    return found


def _offerings(
    editions: Sequence[tuple[Any, ...]], enrolled: Ints, edition_year: Ints, span: int
) -> list[tuple[Any, ...]]:
    """Per offering with enrolments: id, provider, code, titles, enrolments, in the first and in the last year."""
    found: dict[int, list[Any]] = {}
    for e, count, year in zip(editions, enrolled.tolist(), edition_year.tolist(), strict=True):
        line = found.setdefault(int(e[3]), [int(e[3]), str(e[4]), str(e[8]), e[9], e[10], 0, 0, 0])
        line[5] += count
        line[6] += count if year == 0 else 0
        line[7] += count if year == span - 1 else 0
    return [tuple(line) for line in found.values() if line[5]]


class FastQuestions(Questions):
    """The report's questions with every enrolment and learner count taken from one ``tally`` pass."""

    def __init__(self, db: SqlRunner, scope: Scope, *, rounding: Rounding | None = None) -> None:
        super().__init__(db, scope)
        self._tally = tally(db, self.years, tuple(ENROLMENT_DIMENSIONS), rounding=rounding)

    def enrolments(self, dimension: str, *, per_year: bool = True) -> dict[tuple[int, str], Counts]:
        return (self._tally.per_year if per_year else self._tally.whole)[dimension]

    def editions_per_year(self) -> list[tuple[Any, ...]]:
        return list(self._tally.editions)

    def top_offerings(self, k: int, top: int) -> list[tuple[Any, ...]]:
        """Learners are counted only for the most enrolled offerings (learners never exceed enrolments)."""
        ranked = sorted(self._tally.offerings, key=lambda o: (-int(o[5]), str(o[1]), str(o[2])))
        candidates = [o for o in ranked if int(o[5]) >= k]
        found: list[tuple[Any, ...]] = []
        start, batch = 0, 2 * top
        while len(found) < top and start < len(candidates):
            chunk = candidates[start : start + batch]
            counted = self._tally.learners_of([int(o[0]) for o in chunk])
            for oid, provider, code, title_nl, title_en, enrolled, first, last in chunk:
                learners, editions = counted[int(oid)]
                if learners >= k and len(found) < top:
                    found.append((oid, provider, code, title_nl, title_en, enrolled, learners, editions, first, last))
            start, batch = start + batch, batch * 2
        return found
