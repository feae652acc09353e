"""The stacked credentials of some learners are found through the index by learner (``s4b_stacking_0002``):
a wallet page asks for its learner's, and the evaluation job for a batch of 500 learners' at a time, so a
scan of every stacked credential would grow with the register. Plans are read as in
tests/storage/test_credential_query_plans.py: SQLite's planner has no statistics, PostgreSQL is asked with
sequential scans off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from microcred.bootstrap import Register
from microcred.settings import Settings
from tests.services.stacking_setup import INSZ, pseudonym, rule, seed
from tests.storage.query_plans import plan, statements


def _plan_of(register: Register, run: Callable[[Any], object]) -> list[str]:
    with statements(register, "stacked_credentials") as seen, register.uow() as work:
        run(work)
    assert seen, "the call read stacked credentials"
    return plan(register, *seen[0])


@pytest.fixture
def register(settings: Settings) -> Register:
    stacked = seed(settings)
    stacked.register.stacking.put_rule("hoge", rule())
    stacked.register.stacking.issue("hoge", "PG", INSZ)
    return stacked.register


@pytest.mark.parametrize("read", ["issued_to", "stacked_of_learners"])
def test_a_learners_stacked_credentials_are_found_through_the_learner_index(register: Register, read: str) -> None:
    plan = _plan_of(register, lambda work: getattr(work.stacking, read)([pseudonym(INSZ)]))
    assert not any(line.startswith("SCAN stacked_credentials") or "Seq Scan on stacked_credentials" in line
                   for line in plan), plan  # fmt: skip
    assert any("ix_stacked_credentials_learner" in line for line in plan), plan
