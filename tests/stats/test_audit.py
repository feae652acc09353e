"""The built-in attacker on random registers: tiny cells, linked groupings (status within working, provider
within type, kind within the narrow and broad readings), one-offering providers, and a year added after a
first release. Every count of fewer than k learners keeps at least k - 1 possible values over every
publishable scope and year range, and the audit notices a report that is not counted on the copy."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microcred.services.reports import publishable_scopes
from microcred.stats import build_report
from microcred.stats.attack import Cell, intervals
from microcred.stats.audit import Finding, Mismatch, audit
from tests.stats.registers import OFFERINGS, PROVIDERS, SECRET, Enrolled, publish, snapshot

K = 5
STATUSES = ["employed", "self-employed", "job-seeking", "not-in-labour-force", "unknown"]
OUTCOMES = ["passed", "failed", "withdrawn", "enrolled"]

enrolment = st.builds(
    lambda learner, offering, year, status, contract, age, outcome: Enrolled(
        learner, OFFERINGS[offering][0], offering, year, status, contract, age, outcome
    ),
    st.integers(1, 60),  # learners come back: the same learner in several cells, years and providers
    st.sampled_from(sorted(OFFERINGS)),
    st.sampled_from([2020, 2021]),
    st.sampled_from(STATUSES),
    st.sampled_from(["credit", "exam"]),
    st.sampled_from(["20-24", "25-29", "unknown"]),
    st.sampled_from(OUTCOMES),
)
# a few large groups among many tiny ones, so that both kinds of cell and their differences occur
crowd = st.builds(
    lambda first, offering, year, size: [
        Enrolled(first + n, OFFERINGS[offering][0], offering, year) for n in range(size)
    ],
    st.integers(100, 400),
    st.sampled_from(sorted(OFFERINGS)),
    st.sampled_from([2020, 2021]),
    st.integers(4, 12),
)
registers = st.tuples(st.lists(enrolment, min_size=1, max_size=50), st.lists(crowd, max_size=4)).map(
    lambda parts: _one_per_edition(parts[0] + [row for group in parts[1] for row in group])
)


def _one_per_edition(rows: list[Enrolled]) -> list[Enrolled]:
    """A learner enrols once in an edition (offering and year)."""
    seen: dict[tuple[int, str, int], Enrolled] = {}
    for row in rows:
        seen.setdefault((row.learner, row.offering, row.year), row)
    return list(seen.values())


def _audit(rows: list[Enrolled]):
    shot = snapshot(rows)
    try:
        return audit(shot, publishable_scopes(PROVIDERS), k=K, secret=SECRET)
    finally:
        shot.close()


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registers)
def test_no_count_below_k_is_narrowed_below_k_minus_1_values_in_any_scope_or_range(rows: list[Enrolled]) -> None:
    found = _audit(rows)
    assert found.mismatches == ()
    assert found.narrowed == ()
    assert found.passed
    if found.weakest is not None:
        assert found.weakest.values >= K - 1
        assert found.weakest.low <= found.weakest.true <= found.weakest.high


@pytest.mark.slow
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registers, st.lists(enrolment, min_size=1, max_size=20))
def test_a_year_added_after_a_first_release_changes_nothing_published_about_the_years_before(
    rows: list[Enrolled], added: list[Enrolled]
) -> None:
    later = _one_per_edition(rows + [Enrolled(r.learner, r.provider, r.offering, 2022, r.status) for r in added])
    scopes = ["higher-education", "all", "provider=hs-d", "kind=micro-credential"]
    first, second = publish(rows, scopes), publish(later, scopes)
    for key, report in first.items():
        if key in second:  # the same scope and years, published again in the second release
            assert second[key] == report, key
    assert _audit(later).passed


def test_the_audit_notices_a_report_counted_on_the_register_itself() -> None:
    rows = [Enrolled(n, "hs-d", "D1", 2020, "self-employed" if n < 3 else "employed") for n in range(30)]

    def leaky(shot, scope, *, k, secret, recognitions):  # counts exactly: as if the protection were forgotten
        return build_report(shot, scope, k=1, secret=secret, recognitions=recognitions)

    shot = snapshot(rows)
    try:
        found = audit(shot, publishable_scopes(PROVIDERS), k=K, secret=SECRET, publisher=leaky)
        honest = audit(shot, publishable_scopes(PROVIDERS), k=K, secret=SECRET)
    finally:
        shot.close()
    assert not found.passed
    assert any("self-employed" in str(line) and "= 3," in str(line) for line in found.mismatches)
    assert honest.passed
    assert honest.protected >= 1


def test_findings_and_mismatches_are_worded_in_english_and_dutch() -> None:
    finding = Finding("provider=vub", "2020-21", "status", "employed", "learners", 2, 1, 4)
    assert finding.describe("en") == (
        "learners of status=employed, 2020-21, scope provider=vub: true 2, attacker's interval 1..4 (4 values)"
    )
    assert finding.describe("nl").startswith("studenten van status=employed, 2020-21, afbakening provider=vub")
    mismatch = Mismatch("provider=vub 2020-21 learners_by_status[employed, 2020-21]", 3, 5)
    assert str(mismatch) == "provider=vub 2020-21 learners_by_status[employed, 2020-21] = 3, the copy counts 5"
    assert mismatch.describe("nl").endswith("= 3, de kopie telt 5")


def test_the_attackers_program_gives_each_atom_its_k_values() -> None:
    cells = [
        Cell(copy_learners=5, up_enrolments=(5,), hidden_atoms=0),  # one atom shown as 5: 1 to 5
        Cell(copy_learners=0, up_enrolments=(), hidden_atoms=1),  # one existing atom shown as 0: 1 to 4
        Cell(copy_learners=9, up_enrolments=(5, 5), hidden_atoms=0),  # two atoms sharing a learner
        Cell(copy_learners=5, up_enrolments=(6,), hidden_atoms=1),  # a learner with two enrolments in one atom
    ]
    assert intervals(cells, k=K, measure="learners") == [(1, 5), (1, 4), (1, 9), (1, 9)]
    assert intervals(cells, k=K, measure="enrolments") == [(1, 5), (1, 4), (2, 10), (3, 10)]
