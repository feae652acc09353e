"""Disclosure control: every figure about persons is counted on a protected copy of the enrolments.

The copy is made before any table is counted (pre-tabular, as the SAFE method and the "small cell
adjustment" of the ESSnet Handbook on SDC; keyed like the ABS / Eurostat cell key method). The enrolments
fall into *atoms*: one edition and one learner profile (employment status, contract, age band, outcome
class). Every published person count, of any table, scope or year range, is a union of atoms. An atom
with ``k`` learners or more is copied unchanged; an atom with 1 to ``k`` - 1 learners is randomly rounded,
unbiased, to 0 (its enrolments left out) or to ``k`` (its enrolments kept and ``k`` - x one-enrolment
stand-in learners added), rounding up with probability x / k. The draw is a keyed hash of the atom's
stable identity (edition id and profile values) and the register's secret, so

* every table, scope, year range and later release sees the same copy: combining outputs (differencing,
  linked tables, hierarchies, an integer program over all of them) can at best recover the copy, never
  more; tables stay additive and their totals consistent, because they count one set of records;
* a count of fewer than ``k`` learners is recovered, at best, as 0 or ``k`` per atom, and could be any
  of ``k`` consecutive values: 0 to k - 1 (shown as 0) or 1 to k (shown as k);
* the draw of an atom does not change when other data are added; adding learners to a small atom can
  only turn a 0 into a ``k``, never back (``u < x / k`` is monotone in ``x``).

See docs/decisions/0012-disclosure-control.md for the threat model and the alternatives weighed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from microcred.stats.slices import learner_slices, on_every_core, summed

__all__ = ["OUTCOME_CLASSES", "Atoms", "Rounding", "atoms", "profile_groups", "protected_rows"]

Ints = NDArray[np.int64]
Words = NDArray[np.uint64]

#: Outcome classes of the atom: still running, passed, failed or withdrawn (what the completion rate reads).
OUTCOME_CLASSES = {"passed": "passed", "failed": "not-passed", "withdrawn": "not-passed"}


@dataclass(frozen=True, slots=True)
class Rounding:
    """The parameters of the protected copy: the threshold ``k`` and the register's secret key."""

    k: int
    secret: bytes = b""

    @property
    def key(self) -> int:
        """64 bits of the secret for the keyed draw of each atom."""
        return int.from_bytes(hashlib.sha256(b"microcred statistics rounding\x00" + self.secret).digest()[:8], "big")


@dataclass(frozen=True, slots=True)
class Atoms:
    """The atoms of some enrolment rows: per row its atom; per atom its edition, profile group, learners, draw."""

    of_row: Ints  # atom index of every row
    edition: Ints  # local edition index of every atom
    group: Ints  # profile group of every atom
    learners: Ints  # distinct learners of every atom
    enrolments: Ints  # enrolments of every atom
    draw: NDArray[np.float64]  # the keyed uniform draw in [0, 1) of every atom

    def rounded_up(self, k: int) -> NDArray[np.bool_]:
        return (self.learners < k) & (self.draw * k < self.learners)

    def left_out(self, k: int) -> NDArray[np.bool_]:
        return (self.learners < k) & ~(self.draw * k < self.learners)


def profile_groups(profiles: Sequence[tuple[str, ...]]) -> tuple[Ints, Words]:
    """Per profile number, its group (status, contract, age band, outcome class, how learners are counted) and
    the group's stable hash.

    ``profiles`` are the (employment status, contract type, age band, outcome, learner ids) values of each
    profile number. Learner ids split an atom into those counted across providers and those counted per
    provider (decision 0018), so the share published of each is a union of atoms like every other count. A
    per-provider group hashes as the four values did before, so its draws stay those of earlier releases.
    """
    groups: dict[tuple[str, ...], int] = {}
    index = np.empty(len(profiles), dtype=np.int64)
    for number, (status, contract, age, outcome, *counted) in enumerate(profiles):
        values: tuple[str, ...] = (status, contract, age, OUTCOME_CLASSES.get(outcome, "running"))
        if counted and counted[0] == "across-providers":
            values = (*values, counted[0])
        index[number] = groups.setdefault(values, len(groups))
    hashes = np.array(
        [int.from_bytes(hashlib.blake2b("|".join(v).encode(), digest_size=8).digest(), "big") for v in groups],
        dtype=np.uint64,
    )
    return index, hashes


def atoms(
    learner: Ints,
    edition: Ints,
    profile: Ints,
    *,
    edition_ids: Ints,
    groups: Ints,
    group_hashes: Words,
    rounding: Rounding,
) -> Atoms:
    """The atoms of the rows (``edition`` indexes ``edition_ids``, ``profile`` indexes ``groups``).

    Rows ordered by learner (as ``stats.tally`` reads them) make the (learner, atom) keys nearly sorted, and a
    stable sort of them close to linear: distinct learners per atom without a hash table (``np.unique`` costs
    seconds at 10 million enrolments).
    """
    width = max(len(group_hashes), 1)
    space = max(len(edition_ids), 1) * width

    code = edition * width  # the atom's code of every row, in place (each new array is pages touched afresh)
    code += groups[profile]

    enrolled = np.bincount(code, minlength=space)
    ordered = bool(np.all(learner[1:] >= learner[:-1]))  # else one slice: a learner's rows may be anywhere

    def learners_per_atom(rows: slice) -> Ints:  # distinct learners per atom code, of a slice's learners
        mine = learner[rows]
        shift = mine * space
        key = shift + code[rows]
        key.sort(kind="stable")  # rows ordered by learner: only reorders within a learner's rows
        distinct = np.concatenate(([True], key[1:] != key[:-1])) if len(key) else np.zeros(0, dtype=bool)
        if ordered:  # ``mine`` still lines up with the sorted keys: the code is what is above its learner's base
            key -= shift
        else:
            key %= space
        return np.bincount(key[distinct], minlength=space)

    # Slices only where there are more rows than atom codes: each slice counts into an array of every code, which
    # at 10 M enrolments (3.7 M rows, 4.3 M codes) cost more in fresh pages than a second core saved.
    chosen = learner_slices(learner) if ordered and len(learner) > space else [slice(0, len(learner))]
    learners = summed(on_every_core(learners_per_atom, chosen))
    present = np.flatnonzero(enrolled)
    lookup = np.full(space, -1, dtype=np.int64)
    lookup[present] = np.arange(len(present))
    atom_edition, atom_group = present // width, present % width
    identity = edition_ids[atom_edition].astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    mixed = _mix(_mix(identity ^ np.uint64(rounding.key)) ^ group_hashes[atom_group])
    draw = (mixed >> np.uint64(11)).astype(np.float64) / float(1 << 53)
    return Atoms(
        lookup[code],
        atom_edition.astype(np.int64, copy=False),
        atom_group.astype(np.int64, copy=False),
        learners[present].astype(np.int64, copy=False),
        enrolled[present].astype(np.int64, copy=False),
        draw,
    )


def protected_rows(
    learner: Ints, edition: Ints, profile: Ints, found: Atoms, *, k: int, first_stand_in: int
) -> tuple[Ints, Ints, Ints, Ints]:
    """The protected copy of the rows: learner, edition, profile of each row, and per row its source row.

    Rows of atoms rounded to 0 are left out; each atom rounded up to ``k`` gains ``k`` - x stand-in
    learners numbered from ``first_stand_in`` (above every real learner, so the rows stay ordered by
    learner), each with one enrolment in the atom's edition and with a profile of the atom's group. The
    source row of a stand-in is a row of its atom (what the reference path copies its columns from).
    """
    keep = np.flatnonzero(~found.left_out(k)[found.of_row])
    up = np.flatnonzero(found.rounded_up(k))
    missing = k - found.learners[up]
    sample = np.full(len(found.learners), -1, dtype=np.int64)
    sample[found.of_row[::-1]] = np.arange(len(found.of_row))[::-1]  # the first row of every atom
    source = np.repeat(sample[up], missing)
    stand_ins = first_stand_in + np.arange(len(source), dtype=np.int64)
    return (
        np.concatenate((learner[keep], stand_ins)),
        np.concatenate((edition[keep], edition[source])),
        np.concatenate((profile[keep], profile[source])),
        np.concatenate((keep.astype(np.int64), source)),
    )


def _mix(value: Words) -> Words:
    """SplitMix64's finaliser: a bijection of 64-bit words that spreads every input bit over the output."""
    z = value + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))
