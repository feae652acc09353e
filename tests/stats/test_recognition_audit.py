"""The disclosure audit attacks the recognition section too: every cell of recognised credentials and ECTS by
institution and by kind, per year and over every range, margins included, in every publishable scope.

A small recognition cell (1 to 3 decisions of one institution, kind and year) keeps at least k - 1 values
whatever the register's secret; a report that publishes the section unprotected fails the audit; and the
attacker's interval of a cell is exactly what enumerating every register with the same copy gives.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microcred.services.reports import publishable_scopes
from microcred.stats import Rounding, Scope, build_report
from microcred.stats.audit import Audit, Finding, audit
from microcred.stats.recognition import Recognitions, recognition_tables
from microcred.stats.recognition_audit import RecognitionCensus
from tests.stats.registers import PROVIDERS, SECRET, Enrolled, snapshot
from tests.stats.test_recognition_attack import Decision
from tests.stats.test_recognition_attack import recognitions as decisions_of

# Each test audits whole reports in every scope and year range (seconds each): `make test` runs them, the
# inner loop (`make test-fast`) does not.
pytestmark = pytest.mark.slow

K = 5


def enrolments() -> list[Enrolled]:
    """Every provider enrols enough learners in both years that no enrolment cell is what we look at."""
    offerings = {"uni-a": "A1", "uni-b": "B1", "hs-c": "C1", "hs-d": "D1", "inst-e": "E1"}
    return [
        Enrolled(1000 * n + 100 * (year - 2020) + m, provider, offering, year)
        for n, (provider, offering) in enumerate(offerings.items())
        for year in (2020, 2021)
        for m in range(12)
    ]


def background() -> list[Decision]:
    """Large groups: 20 or more learners per institution, year, kind and ECTS."""
    rows: list[Decision] = []
    for n, (provider, kind, ects) in enumerate((("uni-a", "exemption", 50), ("uni-b", "credit-transfer", 30))):
        for year in (2020, 2021):
            rows += [(provider, 5000 + 1000 * n + 100 * (year - 2020) + m, year, kind, ects) for m in range(20 + n)]
    return rows


def target(count: int, *, provider: str = "hs-d") -> list[Decision]:
    """``count`` learners of ``provider`` recognised for 3 ECTS as a credit transfer in 2021-22."""
    return [(provider, 9000 + m, 2021, "credit-transfer", 30) for m in range(count)]


def recognitions(rows: list[Decision]) -> Recognitions:
    return decisions_of(rows, PROVIDERS)


def run(decisions: list[Decision], secret: bytes = SECRET, **publisher: object) -> Audit:
    shot = snapshot(enrolments())
    try:
        found = recognitions(decisions)
        return audit(shot, publishable_scopes(PROVIDERS), k=K, secret=secret, recognitions=found, **publisher)  # type: ignore[arg-type]
    finally:
        shot.close()


@pytest.mark.parametrize("count", [1, 2, 3])
def test_a_small_recognition_cell_keeps_k_minus_1_values_in_every_scope_and_range(count: int) -> None:
    for secret in (b"register-1", b"register-2", b"register-3"):
        found = run([*background(), *target(count)], secret)
        assert found.mismatches == ()
        assert found.narrowed == ()
        assert found.passed
        # hs-d's cell (the same atoms as its college's total and its own scope's margins: counted once);
        # every enrolment cell holds 12 learners, so the weakest cell is a recognition cell
        assert found.recognition_protected == found.protected == 1
        assert found.cells >= found.recognition_cells > 0
        assert found.weakest is not None
        assert (found.weakest.dimension, found.weakest.value, found.weakest.years) == ("provider", "hs-d", "2021-22")
        assert found.weakest.measure in ("decisions", "ects")
        assert found.weakest.values >= K - 1


decision = st.tuples(
    st.sampled_from(sorted(PROVIDERS)),
    st.integers(1, 40),  # learners come back: one learner in several cells, and twice in one atom
    st.sampled_from([2020, 2021]),
    st.sampled_from(["exemption", "credit-transfer"]),
    st.sampled_from([30, 45, 60]),
)


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(decision, min_size=1, max_size=40), st.binary(min_size=1, max_size=8))
def test_no_recognition_cell_is_narrowed_below_k_minus_1_values_on_random_registers(
    decisions: list[Decision], secret: bytes
) -> None:
    lone = ("inst-e", 9000, 2019, "exemption", 30)  # always one small cell, in a year without editions
    found = run([*background(), *decisions, lone], secret)
    assert found.mismatches == ()
    assert found.narrowed == ()
    assert found.recognition_protected >= 1
    assert found.ranges == 6  # 2019-20 to 2021-22: the decisions' years count as the register's years


def test_the_audit_counts_the_recognition_cells_it_attacked() -> None:
    without = run(background())
    found = run([*background(), *target(2)])
    assert without.recognition_protected == 0  # large groups only: nothing to attack
    assert found.recognition_protected > 0
    assert found.recognition_cells > without.recognition_cells  # hs-d's rows exist now
    assert found.protected - without.protected == found.recognition_protected


def test_the_audit_notices_a_recognition_section_published_without_protection() -> None:
    """A report whose recognition section is counted on the register itself (the rest protected) fails."""

    def leaky(shot, scope, *, k, secret, recognitions):  # type: ignore[no-untyped-def]
        report = build_report(shot, scope, k=k, secret=secret, recognitions=recognitions)
        return replace(report, recognition=recognition_tables(recognitions, scope, None))

    decisions = [*background(), *target(2)]
    found = run(decisions, publisher=leaky)
    assert not found.passed
    lines = [str(m) for m in found.mismatches]
    assert any("recognitions_by_provider[hs-d, 2021-22] = 2," in line for line in lines), lines
    assert any("recognised_ects_by_provider[hs-d, 2021-22] = 6," in line for line in lines), lines
    assert all("recogni" in line for line in lines)  # only the section that was left unprotected
    assert run(decisions).passed


def test_an_unprotected_copy_gives_the_attacker_the_exact_small_count() -> None:
    """Fed the register itself as its copy, the attacker pins hs-d's 2 decisions and 6 ECTS to one value:
    the audit's attack on the recognition cells can fail, and only the rounding makes it pass."""
    found = recognitions([*background(), *target(2)])
    scope = Scope(2020, 2021, ("university", "university-college"))
    for rounding in (None, Rounding(K, SECRET)):
        census = RecognitionCensus.read(found, K, rounding)
        _, targets = census.attack("higher-education", census.holds(scope), [(2021, 2021)])
        hs_d = [t for t in targets if t.dimension == "provider" and t.value == "hs-d"]
        assert {t.measure for t in hs_d} == {"decisions", "ects"}
        assert {t.true for t in hs_d} == {2, Decimal(6)}
        if rounding is None:
            assert [(t.low, t.high, t.values) for t in hs_d] == [(2, 2, 1), (Decimal(6), Decimal(6), 1)]
        else:
            assert min(t.values for t in hs_d) >= K - 1
    finding = Finding("x", "2021-22", "provider", "hs-d", "ects", Decimal(6), Decimal(6), Decimal(6), 1)
    assert finding.values == 1 < K - 1  # what the audit then lists as narrowed


def test_the_attackers_interval_is_every_register_with_the_same_copy() -> None:
    """Two atoms of hs-d in one year (3 and 6 ECTS, one learner with two decisions): the interval and the
    number of ECTS values are those of enumerating every count of real learners each atom can hide."""
    decisions = [
        *background(),
        ("hs-d", 9000, 2021, "credit-transfer", 30),
        ("hs-d", 9001, 2021, "credit-transfer", 30),
        ("hs-d", 9000, 2021, "exemption", 60),
        ("hs-d", 9002, 2021, "exemption", 60),
        ("hs-d", 9002, 2021, "exemption", 60),  # a second decision of the same learner in the same atom
    ]
    scope = Scope(2021, 2021, ("university-college",), providers=("hs-d",))
    for secret in (b"register-1", b"register-2", b"register-3", b"register-4"):
        census = RecognitionCensus.read(recognitions(decisions), K, Rounding(K, secret))
        inside = census.holds(scope) & (census.provider == "hs-d")
        _, targets = census.attack("provider=hs-d", inside, [(2021, 2021)])
        # hs-d's row: in this scope the same atoms as the total and the kind rows' sum
        total = {t.measure: t for t in targets if t.dimension == "provider"}
        atoms = np.flatnonzero(inside)
        ranges = []  # per atom: the decisions the attacker cannot tell apart, from what the copy shows
        for a in atoms:
            extra = int(census.decisions[a] - census.learners[a])
            shown = int(census.shown[a])
            ranges.append(range(extra + 1, extra + (K if shown else K - 1) + 1))
            assert shown in (0, int(census.decisions[a]) + K - int(census.learners[a]))
        possible = {
            sum(int(census.ects[a]) * d for a, d in zip(atoms, choice, strict=True))
            for choice in itertools.product(*ranges)
        }
        counts = {sum(choice) for choice in itertools.product(*ranges)}
        assert total["ects"].values == len(possible)
        assert (total["ects"].low, total["ects"].high) == (Decimal(min(possible)) / 10, Decimal(max(possible)) / 10)
        assert total["ects"].true == Decimal(3 * 2 + 6 * 3)
        assert (total["decisions"].low, total["decisions"].high, total["decisions"].values) == (
            min(counts),
            max(counts),
            len(counts),
        )
        assert total["decisions"].true == 5
