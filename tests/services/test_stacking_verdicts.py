"""A held credential is verified once and its verdict kept in the register until its state, its provider's
status lists, keys or trust change (services/verdicts.py), so progress on every page view does not verify
every credential, and another process (or the next run of the job) reuses what one process verified."""

from __future__ import annotations

from dataclasses import replace

import pytest

from microcred.domain.stacking import Exclusion
from microcred.services.verdicts import VERIFICATIONS
from microcred.settings import Settings
from tests.services.stacking_setup import INSZ, Stacked, rule, seed


@pytest.fixture
def stacked(settings: Settings) -> Stacked:
    stacked = seed(settings)
    stacked.register.stacking.put_rule("hoge", rule())
    return stacked


def _verified_during(stacked: Stacked) -> tuple[int, set[Exclusion | None]]:
    """How many verifications one progress look ran, and the exclusions it reported."""
    before = VERIFICATIONS.value
    progress = stacked.register.stacking.progress("hoge", "PG", INSZ)
    return VERIFICATIONS.value - before, {state.exclusion for state in progress.progress.components}


def test_a_second_look_verifies_nothing_again(stacked: Stacked) -> None:
    first, _ = _verified_during(stacked)
    again, exclusions = _verified_during(stacked)
    assert first >= 2  # A and B (and the learner's other credentials) verified once
    assert again == 0
    assert exclusions == {None}


def test_revoking_a_component_is_seen_at_the_next_look(stacked: Stacked) -> None:
    _verified_during(stacked)
    stacked.revoke("A")
    verified, exclusions = _verified_during(stacked)
    assert verified >= 1
    assert exclusions == {None, Exclusion.NOT_VERIFIED}


def test_a_provider_losing_its_trust_is_seen_at_the_next_look(stacked: Stacked) -> None:
    _verified_during(stacked)
    with stacked.register.uow() as work:
        hoge = work.providers.get("hoge")
        work.providers.save(replace(hoge, quality_assurances=[]))
        work.commit()
    verified, exclusions = _verified_during(stacked)
    assert verified >= 2
    assert exclusions == {Exclusion.NOT_VERIFIED}
