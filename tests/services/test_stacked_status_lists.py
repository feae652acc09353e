"""A stacked credential's review re-signs only the status list that holds it, not every list of its issuer
(decision 0025): re-signing rebuilds a list from its credentials, and a provider may have many."""

from __future__ import annotations

from datetime import timedelta

from microcred.bootstrap import Register
from microcred.domain import StatusPurpose
from microcred.settings import Settings
from tests.services.stacking_setup import INSZ, rule, seed


def _documents(register: Register, number: int) -> dict[StatusPurpose, str | None]:
    with register.uow() as work:
        return {purpose: work.credentials.status_list_document("hoge", purpose, number) for purpose in StatusPurpose}


def test_a_review_decision_re_signs_only_the_list_holding_the_stacked_credential(settings: Settings) -> None:
    stacked = seed(settings.model_copy(update={"status_list_size": 2}))  # hoge's credentials A and B fill list 1
    register = stacked.register
    register.stacking.put_rule("hoge", rule())
    issued = register.stacking.issue("hoge", "PG", INSZ)
    with register.uow() as work:
        assert work.credentials.list_of_position("hoge", issued.revocation_index) == 2
    stacked.revoke("A")  # A's list 1 changes, and list 2: the stacked credential goes under review
    before = {number: _documents(register, number) for number in (1, 2)}
    stacked.clock.now += timedelta(hours=1)  # a list re-signed now gets a new proof
    register.stacking.decide_review("hoge", issued.uuid, keep=True, reason="A was replaced by an equivalent")
    assert _documents(register, 1) == before[1], "list 1 holds no changed bit: it is not re-signed"
    after = _documents(register, 2)
    assert all(after[purpose] != before[2][purpose] for purpose in StatusPurpose)
