"""The one-pass counting (``stats.tally``) gives exactly what the named SQL gives, question by question.

The register here is random and handed to the snapshot through the statistics port (tests/stats/facts.py): many
learners with several enrolments in one year and across years, 70 providers (more values than one 64-bit
word holds) and editions with and without a capacity.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from microcred.stats import Scope, Snapshot, build_report, slices, take_snapshot
from microcred.stats.disclosure import Rounding, atoms
from microcred.stats.queries import ENROLMENT_DIMENSIONS, Questions
from microcred.stats.rows import in_content_order
from microcred.stats.tally import FastQuestions
from tests.stats.facts import FactsInMemory

TYPES = ("university", "university-college", "school-of-arts", "other-private")
KINDS = ("micro-credential", "course-units", "postgraduate", "further-training", "other")
STATUSES = ("employed", "self-employed", "job-seeking", "not-in-labour-force", "unknown")
AGES = ("<20", "20-24", "25-29", "30-34", "35-44", "unknown")
OUTCOMES = ("enrolled", "withdrawn", "passed", "failed")


def _register(seed: int) -> FactsInMemory:
    rng = random.Random(seed)
    providers = [(p, f"p{p:02d}", {"nl": f"A{p}"}, TYPES[p % 4 if p < 66 else 1]) for p in range(1, 71)]
    offerings = [
        (
            o,
            rng.randint(1, 70),
            f"O{o}",
            {"en": f"T{o}"},
            KINDS[o % 5],
            ("1", "3a", None)[o % 3],
            _tenths(rng.choice((1.5, 3, 5.5, 20, 20.5, None))),
            6,
            None,
            rng.choice(("0613", "0222", None)),
            "online",
        )
        for o in range(1, 301)
    ]
    editions = [
        (len(offerings) * y + o, o, y, rng.choice((None, 10, 25)))
        for o in range(1, 301)
        for y in range(2019, 2025)
        if rng.random() < 0.8
    ]
    learners = range(1, 900)
    enrolments = [
        (
            rng.choice(editions)[0],
            rng.choice(learners),
            rng.choice(("01", "02", "03", "99")),
            rng.choice(STATUSES),
            rng.choice(AGES),
            rng.choice(OUTCOMES),
        )
        for _ in range(6000)
    ]
    return FactsInMemory(providers, offerings, editions, enrolments, batch=1000)


def _tenths(ects: float | None) -> int | None:
    return None if ects is None else round(ects * 10)


@pytest.fixture(scope="module", params=[1, 2])
def snapshot(request: pytest.FixtureRequest) -> Iterator[Snapshot]:
    taken = take_snapshot(_register(request.param))
    yield taken
    taken.close()


SCOPES = [
    Scope(2020, 2023, ("university", "university-college")),
    Scope(2019, 2024, TYPES, kinds=KINDS),
    Scope(2021, 2021, TYPES, providers=("p03", "p07", "p68")),
    Scope(2022, 2024, ("school-of-arts",), kinds=("other",)),
    Scope(2027, 2028, TYPES),  # nothing enrolled
]


@pytest.mark.parametrize("scope", SCOPES)
def test_one_pass_counts_equal_the_named_sql_for_every_dimension(snapshot: Snapshot, scope: Scope) -> None:
    fast = FastQuestions(snapshot.db, scope)
    expected = {
        (dim, per_year): Questions(snapshot.db, scope).enrolments(dim, per_year=per_year)
        for dim in ENROLMENT_DIMENSIONS
        for per_year in (True, False)
    }
    fast = FastQuestions(snapshot.db, scope)  # the scope table is recreated by each Questions
    for (dim, per_year), counts in expected.items():
        assert fast.enrolments(dim, per_year=per_year) == counts, (dim, per_year)
    reference = Questions(snapshot.db, scope)
    assert fast.editions_per_year() == [tuple(int(v) for v in row) for row in reference.editions_per_year()]
    for k in (1, 5, 12):
        assert fast.top_offerings(k, 10) == _plain(reference.top_offerings(k, 10))


@pytest.mark.parametrize("scope", SCOPES)
def test_the_report_is_identical_either_way(snapshot: Snapshot, scope: Scope) -> None:
    assert build_report(snapshot, scope, k=5) == build_report(snapshot, scope, k=5, reference=True)


def _plain(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [tuple(int(v) if isinstance(v, int) else v for v in row) for row in rows]


@pytest.mark.parametrize("largest_learner", [1_000, 2**45], ids=["packed into one integer", "too large to pack"])
def test_rows_are_put_in_the_order_of_their_own_values_either_way(largest_learner: int) -> None:
    """The counting pass and the disclosure control need rows by learner, year, edition and profile, whatever
    order the snapshot or the dataset hands them over in: the same rows shuffled come out the same."""
    rng = np.random.default_rng(7)
    edition_year = rng.integers(0, 5, size=300)
    learner, local = rng.integers(0, largest_learner, size=20_000), rng.integers(0, 300, size=20_000)
    learner[10_000:], local[10_000:] = learner[:10_000], local[:10_000]  # the same learner twice in an edition
    profile = rng.integers(0, 1_440, size=len(learner))
    profile[15_000:] = profile[5_000:10_000]  # some rows alike in all four values
    expected = np.lexsort((profile, local, edition_year[local], learner))
    for shuffle in (np.arange(len(learner)), rng.permutation(len(learner))):
        got = in_content_order(learner[shuffle], local[shuffle], profile[shuffle], edition_year=edition_year)
        for column, values in zip(got, (learner, local, profile), strict=True):
            assert column.dtype == np.int64
            assert np.array_equal(column, values[expected])


@pytest.mark.parametrize("scope", SCOPES[:3])
def test_the_report_is_the_same_counted_in_slices_on_several_cores(
    snapshot: Snapshot, scope: Scope, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large registers are counted in learner-aligned slices on every core; the small one here is cut into three
    slices (a slice per thread) and must give the very report counted in one piece, protected copy included."""

    def counts() -> dict[tuple[str, bool], object]:
        fast = FastQuestions(snapshot.db, scope)  # exact counts: no protected copy
        return {(d, y): fast.enrolments(d, per_year=y) for d in ENROLMENT_DIMENSIONS for y in (True, False)}

    whole, exact = build_report(snapshot, scope, k=5), counts()
    monkeypatch.setattr(slices, "MIN_ROWS", 1)
    monkeypatch.setattr(slices, "cores", lambda: 3)
    assert counts() == exact
    assert build_report(snapshot, scope, k=5) == whole


def test_learner_slices_cover_every_row_once_and_never_split_a_learner() -> None:
    learner = np.sort(np.random.default_rng(3).integers(0, 400, size=5_000))
    learner[1_000:2_600] = learner[1_000]  # one learner with a third of the rows
    assert slices.learner_slices(learner, 3) == [slice(0, len(learner))]  # below MIN_ROWS: one piece
    for parts in (2, 3, 7):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(slices, "MIN_ROWS", 1)
            forced = slices.learner_slices(learner, parts)
        assert forced[0].start == 0
        assert forced[-1].stop == len(learner)
        assert all(a.stop == b.start and a.stop > a.start for a, b in itertools.pairwise(forced))
        assert all(learner[s.start - 1] < learner[s.start] for s in forced[1:])
        assert 1 < len(forced) <= parts


def test_atoms_are_the_same_counted_in_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Distinct learners and enrolments per atom, counted per learner-aligned slice and summed, are the whole's."""
    rng = np.random.default_rng(11)
    learner = np.sort(rng.integers(0, 2_000, size=30_000))
    edition, profile = rng.integers(0, 4, size=len(learner)), rng.integers(0, 12, size=len(learner))
    options = {  # few atoms, so a learner's rows often share one
        "edition_ids": np.arange(100, 104, dtype=np.int64),
        "groups": np.arange(12, dtype=np.int64) % 5,
        "group_hashes": np.arange(1, 6, dtype=np.uint64),
        "rounding": Rounding(5, b"secret"),
    }
    whole = atoms(learner, edition, profile, **options)  # type: ignore[arg-type]
    monkeypatch.setattr(slices, "MIN_ROWS", 1)
    for parts in (2, 5):
        monkeypatch.setattr(slices, "cores", lambda parts=parts: parts)
        sliced = atoms(learner, edition, profile, **options)  # type: ignore[arg-type]
        for field in ("of_row", "edition", "group", "learners", "enrolments", "draw"):
            assert np.array_equal(getattr(sliced, field), getattr(whole, field)), field
