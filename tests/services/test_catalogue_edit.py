"""Editing an offering in one use case, and a provider's editions in one call (what the desk shows)."""

from __future__ import annotations

import pytest

from microcred.bootstrap import Register
from microcred.domain import LangText, LearningOutcome
from microcred.errors import Invalid, NotFound
from microcred.services.catalogue import keep_esco_links
from microcred.services.demo import load_small_demo
from tests.conftest import TEST_PEPPER

SKILL = "http://data.europa.eu/esco/skill/0000-test"


@pytest.fixture
def demo(register: Register) -> Register:
    load_small_demo(register.uow, pepper=TEST_PEPPER)
    return register


def test_an_edit_changes_the_given_elements_and_keeps_the_others(demo: Register) -> None:
    stored = demo.catalogue.get_offering("ugent", "MC-DISINFO")
    demo.catalogue.edit_offering("ugent", "MC-DISINFO", {"title": LangText.of("Nieuwe titel", "New title")})
    edited = demo.catalogue.get_offering("ugent", "MC-DISINFO")
    assert edited.title.get("en") == "New title"
    assert edited.learning_outcomes == stored.learning_outcomes
    assert (edited.awarding_body, edited.stackable_into, edited.ects) == (
        stored.awarding_body,
        stored.stackable_into,
        stored.ects,
    )


def test_an_edit_that_breaks_a_rule_stores_nothing(demo: Register) -> None:
    before = demo.catalogue.get_offering("ugent", "MC-DISINFO")
    with pytest.raises(Invalid):
        demo.catalogue.edit_offering("ugent", "MC-DISINFO", {"title": LangText.of("x"), "learning_outcomes": []})
    assert demo.catalogue.get_offering("ugent", "MC-DISINFO") == before


def test_an_edit_cannot_move_an_offering_or_reach_a_missing_one(demo: Register) -> None:
    with pytest.raises(Invalid) as refused:
        demo.catalogue.edit_offering("ugent", "MC-DISINFO", {"code": "MC-OTHER"})
    assert refused.value.problems[0].field == "code"
    with pytest.raises(NotFound):
        demo.catalogue.edit_offering("vub", "MC-DISINFO", {"title": LangText.of("x")})


def test_reworded_outcomes_keep_their_esco_skill_and_a_given_skill_wins() -> None:
    stored = [LearningOutcome(LangText.of("Oud", "Old"), SKILL), LearningOutcome(LangText.of("Twee"), None)]
    reworded = [LearningOutcome(LangText.of("Nieuw", "Old")), LearningOutcome(LangText.of("Twee"), SKILL + "-2")]
    assert [o.esco_skill for o in keep_esco_links(reworded, stored)] == [SKILL, SKILL + "-2"]
    fewer = [LearningOutcome(LangText.of("Anders"))]
    assert keep_esco_links(fewer, stored) == fewer


def test_a_providers_editions_come_in_one_list_by_offering_then_start(demo: Register) -> None:
    offerings = demo.catalogue.list_offerings(provider="ugent")
    expected = [e.code for o in offerings for e in demo.search.editions_of("ugent", o.code)]
    assert [e.code for e in demo.enrolments.list_provider_editions("ugent")] == expected
    assert expected
    with pytest.raises(NotFound):
        demo.enrolments.list_provider_editions("nobody")
