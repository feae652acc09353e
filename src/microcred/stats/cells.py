"""Every publishable cell of a register and of its protected copy, counted once and sliced per scope.

The audit (``stats.audit``) asks a ``Census`` for the cells of each publishable scope: distinct learners and
enrolments per dimension value, per academic year, over the whole range and over every other range where a
value is small (a range counts at least the learners of each of its years, so only ranges of small years
can be small). Each cell of 1 to k - 1 true learners is queued, with its atoms, for the attacker's program.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import numpy as np
from numpy.typing import NDArray

from microcred.domain import ProviderType
from microcred.i18n import translate
from microcred.stats.attack import Cell
from microcred.stats.disclosure import Atoms, Rounding, atoms, profile_groups, protected_rows
from microcred.stats.model import year_label
from microcred.stats.queries import ENROLMENT_DIMENSIONS, Questions, Scope
from microcred.stats.rows import fetch_rows
from microcred.stats.snapshot import Snapshot
from microcred.stats.tally import (
    EDITIONS_IN_SCOPE,
    Dimension,
    codes_of,
    count_learners,
    dimension,
    profiles,
)

__all__ = ["PEOPLE", "CellCounts", "Census", "Found", "Mismatch", "Span", "span_label"]

Ints = NDArray[np.int64]
_OUTCOME = {"passed": (1, 1), "failed": (1, 0), "withdrawn": (1, 0)}  # (decided, passed)

Span = tuple[int, int]
CellCounts = dict[tuple[str, str, Span], tuple[int, int]]  # (dimension, value, years) -> copy learners, enrolments


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A published figure that differs from the same cell counted on the protected copy."""

    where: str  # scope, years and table[row, column]
    published: object
    counted: int | Decimal  # ECTS of the recognition section are decimal

    def describe(self, lang: str = "en") -> str:
        return translate("audit.mismatch", lang, where=self.where, published=self.published, counted=self.counted)

    def __str__(self) -> str:
        return self.describe()


@dataclass
class Found:
    cells: int = 0
    targets: list[tuple[str, str, str, str, int, int]] = field(default_factory=list)  # ..., learners, enrolments
    blocks: list[Cell] = field(default_factory=list)
    mismatches: list[Mismatch] = field(default_factory=list)


@dataclass
class _Rows:
    """Enrolment rows ordered by learner and year: learner, edition index (all editions), profile."""

    learner: Ints
    edition: Ints
    profile: Ints

    def where(self, keep: NDArray[np.bool_]) -> _Rows:
        return _Rows(self.learner[keep], self.edition[keep], self.profile[keep])


@dataclass
class Census:
    """The whole register and its protected copy, counted once and sliced per scope."""

    editions: list[tuple[Any, ...]]
    year: Ints  # per edition, its year less the first year
    first: int
    span: int
    k: int
    dims: list[Dimension]
    true: _Rows
    copy: _Rows
    split: Atoms
    atom_profile: Ints
    copy_enrolments: Ints  # per atom, its enrolments in the copy
    profiles: int  # how many profile numbers the snapshot codes
    edition_columns: tuple[NDArray[np.str_], NDArray[np.str_], NDArray[np.str_]]  # provider, type, kind

    @classmethod
    def read(cls, snapshot: Snapshot, years: Sequence[int], k: int, secret: bytes) -> Census:
        db = snapshot.db
        everything = Scope(years[0], years[-1], _ALL, ())
        Questions(db, replace(everything, kinds=_every_kind(db)))  # scope_offerings = every offering
        bounds = {"from_year": years[0], "to_year": years[-1]}
        editions = list(db.execute(EDITIONS_IN_SCOPE, bounds).fetchall())
        learner, local, profile = fetch_rows(db, bounds, editions)
        codes = codes_of(db)
        groups, hashes = profile_groups(profiles(codes))
        ids = np.array([int(e[0]) for e in editions], dtype=np.int64)
        rounding = Rounding(k, secret)
        split = atoms(learner, local, profile, edition_ids=ids, groups=groups, group_hashes=hashes, rounding=rounding)
        c_learner, c_local, c_profile, _ = protected_rows(
            learner, local, profile, split, k=k, first_stand_in=int(learner.max(initial=0)) + 1
        )
        sample = np.zeros(len(split.learners), dtype=np.int64)
        sample[split.of_row[::-1]] = profile[::-1]  # a profile of every atom (its group decides its values)
        shown = np.where(split.rounded_up(k), split.enrolments + k - split.learners, split.enrolments)
        return cls(
            editions,
            np.array([int(e[1]) for e in editions], dtype=np.int64) - years[0],
            years[0],
            len(years),
            k,
            _dimensions(editions, codes),
            _Rows(learner, local, profile),
            _Rows(c_learner, c_local, c_profile),
            split,
            sample,
            np.where(split.left_out(k), 0, shown),
            len(profiles(codes)),
            (
                np.array([str(e[4]) for e in editions]),
                np.array([str(e[5]) for e in editions]),
                np.array([_kind(str(e[6])) for e in editions]),
            ),
        )

    def count(
        self, label: str, scope: Scope | None, ranges: Sequence[Span], found: Found, names: Sequence[str]
    ) -> CellCounts:
        """Count the cells of dimensions ``names`` in ``scope`` (None: every edition) on the register and its
        copy; queue the protected ones for the attack."""
        inside = np.ones(len(self.editions), dtype=bool) if scope is None else self._holds(scope)
        if not inside.any():
            return {}
        dims = [d for d in self.dims if d.name in names]
        true = self.true.where(inside[self.true.edition])
        copy = self.copy.where(inside[self.copy.edition])
        learners = self._learners(dims, true, ranges)
        copied = self._learners(dims, copy, [(self.first, self.first + self.span - 1)], also=learners)
        enrolled = self._enrolments(dims, copy)
        true_enrolled = self._enrolments(dims, true)
        atom_inside = inside[self.split.edition]
        counts: CellCounts = {}
        atom_year = self.year[self.split.edition] + self.first
        for index, dim in enumerate(dims):
            atom_value = self._atom_values(dim)
            for (value, span), people in learners[index].items():
                shown = copied[index].get((value, span), 0)
                counts[(dim.name, dim.values[value], span)] = (shown, _sum(enrolled[index], value, span, self.first))
                found.cells += 1
                if not 0 < people < self.k:
                    continue
                mine = atom_inside & (atom_value == value) & (atom_year >= span[0]) & (atom_year <= span[1])
                found.blocks.append(_block(self.split, mine, shown, self.copy_enrolments, self.k))
                people_enrolled = _sum(true_enrolled[index], value, span, self.first)
                found.targets.append((label, span_label(span), dim.name, dim.values[value], people, people_enrolled))
        return counts

    def _holds(self, scope: Scope) -> NDArray[np.bool_]:
        """Which editions ``scope`` holds, as ``scope_offerings.sql`` decides."""
        provider, provider_type, kind = self.edition_columns
        chosen = np.isin(provider, list(scope.providers)) if scope.providers else np.ones(len(provider), dtype=bool)
        return chosen & np.isin(provider_type, list(scope.provider_types)) & np.isin(kind, list(scope.kinds))

    def _atom_values(self, dim: Dimension) -> Ints:
        return dim.codes[self.split.edition] if dim.per_edition else dim.codes[self.atom_profile]

    def _learners(
        self, dims: Sequence[Dimension], rows: _Rows, ranges: Sequence[Span], also: Sequence[dict[Any, int]] = ()
    ) -> list[dict[tuple[int, Span], int]]:
        """Distinct learners per (value, years): every year, the whole range, and the other ``ranges`` where
        a value is small (a range counts at least the learners of each of its years), plus the cells of
        ``also``."""
        year = self.year[rows.edition]
        narrow = [d for d in dims if len(d.values) <= 64]
        by_year, overall = count_learners(
            narrow,
            rows.learner,
            rows.edition,
            rows.profile,
            year,
            span=self.span,
            editions=len(self.editions),
            profiles=self.profiles,
        )
        counted = dict(zip((d.name for d in narrow), zip(by_year, overall, strict=True), strict=True))
        for dim in dims:  # many values (offerings): distinct (value, year, learner) triples instead of bits
            if dim.name not in counted:
                values = self.row_values(dim, rows)
                counted[dim.name] = _distinct(values, year, rows.learner, len(dim.values), self.span)
        by_year = [counted[d.name][0] for d in dims]
        overall = [counted[d.name][1] for d in dims]
        whole = (self.first, self.first + self.span - 1)
        found: list[dict[tuple[int, Span], int]] = []
        for index, dim in enumerate(dims):
            cells = {(int(v), whole): int(overall[index][0, v]) for v in np.flatnonzero(overall[index][0])}
            for y, v in zip(*np.nonzero(by_year[index]), strict=True):
                cells[(int(v), (self.first + int(y), self.first + int(y)))] = int(by_year[index][y, v])
            wanted = {key for key in (also[index] if also else {}) if key not in cells}
            small = {v for (v, span), n in cells.items() if n < self.k and span[0] == span[1]}
            wanted |= {(v, r) for v in small for r in ranges if r[0] != r[1] and r != whole}
            cells.update(_ranges(rows, year + self.first, wanted, self.row_values(dim, rows)))
            found.append(cells)
        return found

    def row_values(self, dim: Dimension, rows: _Rows) -> Ints:
        return dim.codes[rows.edition] if dim.per_edition else dim.codes[rows.profile]

    def _enrolments(self, dims: Sequence[Dimension], rows: _Rows) -> list[Ints]:
        """Enrolments per (value, year) of each dimension."""
        year = self.year[rows.edition]
        found = []
        for dim in dims:
            value = self.row_values(dim, rows)
            counted = np.bincount(value * self.span + year, minlength=len(dim.values) * self.span)
            found.append(counted.reshape(len(dim.values), self.span))
        return found


_ALL = tuple(t.value for t in ProviderType)
PEOPLE = (*ENROLMENT_DIMENSIONS, "capacity", "decided", "passed")


def _every_kind(db: Any) -> tuple[str, ...]:
    return tuple(str(kind) for (kind,) in db.execute("SELECT DISTINCT kind FROM stat_offerings").fetchall())


def _kind(offer_kind: str) -> str:
    """The offering kind a scope filters on, from the report's offer kind (micro-credential split by type)."""
    return "micro-credential" if offer_kind.startswith("micro-credential") else offer_kind


def _ranges(rows: _Rows, year: Ints, wanted: set[tuple[int, Span]], value: Ints) -> dict[tuple[int, Span], int]:
    """Distinct learners of the ``wanted`` (value, years) cells, from each learner's years per value."""
    if not wanted or not len(year):
        return dict.fromkeys(wanted, 0)
    values = np.array(sorted({v for v, _ in wanted}), dtype=np.int64)
    keep = np.isin(value, values)
    size = int(rows.learner.max(initial=0)) + 1
    pairs, inverse = np.unique(value[keep] * size + rows.learner[keep], return_inverse=True)
    base = int(year.min())
    masks = np.zeros(len(pairs), dtype=np.int64)
    np.bitwise_or.at(masks, inverse.reshape(-1), np.left_shift(1, year[keep] - base))
    pair_value = pairs // size
    found = {}
    for v, (a, b) in wanted:
        if b < base:
            found[(v, (a, b))] = 0
            continue
        bits = ((1 << (b - base + 1)) - 1) ^ ((1 << max(a - base, 0)) - 1)
        found[(v, (a, b))] = int(np.count_nonzero((pair_value == v) & ((masks & bits) != 0)))
    return found


def _distinct(value: Ints, year: Ints, learner: Ints, size: int, span: int) -> tuple[Ints, Ints]:
    """Distinct learners per (year, value) and per value over all years."""
    people = int(learner.max(initial=0)) + 1
    triples = np.unique((value * span + year) * people + learner) // people
    by_year = np.bincount(triples, minlength=size * span).reshape(size, span).T
    overall = np.bincount(np.unique(value * people + learner) // people, minlength=size)[None, :]
    return by_year.astype(np.int64), overall.astype(np.int64)


def _sum(per_year: Ints, value: int, span: Span, first: int) -> int:
    return int(per_year[value, span[0] - first : span[1] - first + 1].sum())


def _dimensions(editions: Sequence[tuple[Any, ...]], codes: dict[str, list[str]]) -> list[Dimension]:
    """Every dimension a report splits persons by, with its value index per edition or per profile."""
    found = [dimension(name, editions, codes) for name in (*ENROLMENT_DIMENSIONS, "capacity")]
    offerings = sorted({f"{e[4]}/{e[8]}" for e in editions})
    lookup = {o: i for i, o in enumerate(offerings)}
    codes_per_edition = np.array([lookup[f"{e[4]}/{e[8]}"] for e in editions], dtype=np.int64)
    found.append(Dimension("offering", tuple(offerings), True, codes_per_edition))
    outcome = [p[3] for p in profiles(codes)]
    for name, position in (("decided", 0), ("passed", 1)):
        flags = np.array([_OUTCOME.get(o, (0, 0))[position] for o in outcome], dtype=np.int64)
        found.append(Dimension(name, ("no", "yes"), False, flags))
    return found


def _block(split: Atoms, inside: NDArray[np.bool_], copy_learners: int, copy_enrolments: Ints, k: int) -> Cell:
    mine = np.flatnonzero(inside)
    up = mine[split.rounded_up(k)[mine]]
    hidden = mine[split.left_out(k)[mine]]
    if len(mine) != len(up) + len(hidden):  # pragma: no cover - a cell below k holds only atoms below k
        raise AssertionError("a protected cell holds an atom of k learners or more")
    return Cell(copy_learners, tuple(int(e) for e in copy_enrolments[up]), len(hidden))


def span_label(span: Span) -> str:
    """``2020-21`` for one academic year, ``2020-21..2023-24`` for a range."""
    a, b = span
    return year_label(a) if a == b else f"{year_label(a)}..{year_label(b)}"
