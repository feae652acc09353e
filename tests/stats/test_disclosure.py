"""The protected copy: groups of enrolments sharing an edition and a learner profile (atoms) count 0 or at
least k learners; small atoms are rounded without bias, by a draw keyed on the atom and the secret."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from microcred.stats.disclosure import Rounding, atoms, profile_groups, protected_rows

PROFILES = [
    ("employed", "credit", "25-29", "passed"),
    ("employed", "credit", "25-29", "failed"),
    ("employed", "credit", "25-29", "withdrawn"),  # same atom as "failed": both are "not passed"
    ("self-employed", "exam", "30-34", "enrolled"),
]


def copy(rows: list[tuple[int, int, int]], k: int, secret: bytes = b"s", edition_ids: list[int] | None = None):
    learner = np.array([r[0] for r in rows], dtype=np.int64)
    edition = np.array([r[1] for r in rows], dtype=np.int64)
    profile = np.array([r[2] for r in rows], dtype=np.int64)
    groups, hashes = profile_groups(PROFILES)
    ids = np.array(edition_ids or list(range(100, 100 + int(edition.max(initial=0)) + 1)), dtype=np.int64)
    rounding = Rounding(k, secret)
    found = atoms(learner, edition, profile, edition_ids=ids, groups=groups, group_hashes=hashes, rounding=rounding)
    return found, protected_rows(learner, edition, profile, found, k=k, first_stand_in=10_000)


def counts(learner, edition, profile) -> dict[tuple[int, int], set[int]]:
    groups, _ = profile_groups(PROFILES)
    found: dict[tuple[int, int], set[int]] = {}
    for who, where, what in zip(learner.tolist(), edition.tolist(), profile.tolist(), strict=True):
        found.setdefault((where, int(groups[what])), set()).add(who)
    return found


rows_strategy = st.lists(
    st.tuples(st.integers(0, 40), st.integers(0, 5), st.integers(0, len(PROFILES) - 1)), max_size=120
).map(lambda rows: sorted(set(rows)))


@settings(max_examples=150, deadline=None)
@given(rows_strategy, st.integers(2, 6), st.binary(max_size=8))
def test_every_atom_of_the_copy_counts_zero_or_at_least_k_and_big_atoms_are_unchanged(rows, k, secret) -> None:
    _found, (learner, edition, profile, _source) = copy(rows, k, secret)
    before = counts(*(np.array(c, dtype=np.int64) for c in zip(*rows, strict=True))) if rows else {}
    after = counts(learner, edition, profile)
    for atom, people in after.items():
        assert len(people) >= k
        if len(before[atom]) >= k:
            assert people == before[atom]
        else:
            assert len(people) == k
            assert before[atom] <= people
    for atom, people in before.items():
        assert atom in after or len(people) < k
    assert list(learner) == sorted(learner)  # still ordered by learner, as stats.tally needs


def test_the_draw_is_keyed_by_the_secret_and_stable_for_the_same_atom() -> None:
    rows = [(n, e, 0) for e in range(200) for n in range(2)]  # 200 editions with 2 learners each
    first, _ = copy(rows, 5, b"one")
    again, _ = copy(rows, 5, b"one")
    other, _ = copy(rows, 5, b"two")
    assert np.array_equal(first.draw, again.draw)
    assert not np.array_equal(first.rounded_up(5), other.rounded_up(5))
    more, _ = copy([*rows, (7, 0, 3)], 5, b"one")  # another atom elsewhere leaves these draws alone
    assert np.array_equal(more.draw[more.group == 0], first.draw)


def test_rounding_is_unbiased_and_only_turns_zero_into_k_as_an_atom_grows() -> None:
    k, editions = 5, 4000
    ups = []
    for size in range(1, k):
        rows = [(n, e, 0) for e in range(editions) for n in range(size)]
        found, _ = copy(rows, k, b"bias")
        ups.append(found.rounded_up(k))
        assert abs(found.rounded_up(k).mean() * k - size) < 0.2  # E[copy] = x
    for smaller, larger in itertools.pairwise(ups):
        assert not (smaller & ~larger).any()  # rounded up at x stays rounded up at x + 1


def test_failed_and_withdrawn_share_an_atom_and_stand_ins_copy_a_row_of_their_atom() -> None:
    rows = [(1, 0, 1), (2, 0, 2)]  # one failed, one withdrawn: one atom of 2 learners
    found, (learner, _edition, profile, source) = copy(rows, 3, b"x")
    assert len(found.learners) == 1
    assert found.learners[0] == 2
    if found.rounded_up(3)[0]:
        assert sorted(learner.tolist()) == [1, 2, 10_000]
        assert source[-1] in (0, 1)
        assert profile[-1] in (1, 2)
    else:
        assert len(learner) == 0
