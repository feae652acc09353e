"""ESCO skills of learning outcomes: searched by their English labels, shown by label, refused when unknown."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from fastapi.testclient import TestClient

from microcred.bootstrap import Register
from microcred.domain import LangText, LearningOutcome, Offering
from microcred.services import catalogue
from microcred.services.search import CatalogueQuery, search_offerings
from microcred.storage import migrate
from tests.web.test_search import _published

TODAY = date(2024, 6, 1)
INSTALL_HEAT_PUMP = "http://data.europa.eu/esco/skill/00735755-adc6-4ea0-b034-b8caff339c9f"
UNKNOWN_SKILL = "http://data.europa.eu/esco/skill/00000000-0000-4000-8000-000000000000"


def _heat_pumps(skill: str | None) -> Offering:
    """An offering whose own texts are Dutch only: it can be found by English words only through its skill."""
    offering = _published("MC-HEAT", LangText.of("Warmtepompen"), "De deelnemer kan een warmtepomp plaatsen.")
    outcome = LearningOutcome(offering.learning_outcomes[0].text, skill)
    return replace(offering, learning_outcomes=[outcome])


def _codes(register: Register, text: str) -> list[str]:
    page = search_offerings(CatalogueQuery(text=text), register.uow, today=TODAY)
    return [hit.offering.code for hit in page.hits]


def test_a_skills_preferred_and_alternative_labels_find_an_offering_whose_texts_lack_the_words(demo: Register) -> None:
    assert _codes(demo, "install heat pump") == []
    catalogue.save_offering(_heat_pumps(INSTALL_HEAT_PUMP), demo.uow)
    assert _codes(demo, "install heat pump") == ["MC-HEAT"]  # the preferred label
    assert _codes(demo, "commissioning") == ["MC-HEAT"]  # only in an alternative label ("heat pump commissioning")
    assert _codes(demo, "installing heat pumps") == ["MC-HEAT"]  # English stems, as for English texts
    assert _codes(demo, "inbedrijfstelling") == []  # ESCO's Dutch labels are not shipped


def test_the_snippet_shows_the_skill_label_the_query_found(demo: Register) -> None:
    catalogue.save_offering(_heat_pumps(INSTALL_HEAT_PUMP), demo.uow)
    page = search_offerings(CatalogueQuery(text="commission", title_language="en"), demo.uow, today=TODAY)
    (hit,) = page.hits
    assert hit.snippet is not None
    assert [piece for piece, marked in hit.snippet.pieces if marked] == ["commission"]


def test_a_skill_taken_away_is_no_longer_found(demo: Register) -> None:
    catalogue.save_offering(_heat_pumps(INSTALL_HEAT_PUMP), demo.uow)
    catalogue.save_offering(_heat_pumps(None), demo.uow)
    assert _codes(demo, "commissioning") == []


def test_an_esco_skill_outside_the_shipped_list_is_kept_and_linked_without_a_label(
    demo: Register, client: TestClient
) -> None:
    """The package ships the reference's 4,199 ESCO skills, not all of ESCO: a real skill outside them is
    an institution's valid choice, kept and linked by its URI, though no label of it can be searched."""
    catalogue.save_offering(_heat_pumps(UNKNOWN_SKILL), demo.uow)
    page = client.get("/offerings/ku-leuven/MC-HEAT")
    assert page.status_code == 200
    assert f'<a href="{UNKNOWN_SKILL}">{UNKNOWN_SKILL}</a>' in page.text
    assert _codes(demo, "commissioning") == []


def test_the_offering_page_shows_the_skill_label_linked_to_its_uri(demo: Register, client: TestClient) -> None:
    catalogue.save_offering(_heat_pumps(INSTALL_HEAT_PUMP), demo.uow)
    page = client.get("/offerings/ku-leuven/MC-HEAT")
    assert page.status_code == 200
    assert f'<a href="{INSTALL_HEAT_PUMP}" lang="en">install heat pump</a>' in page.text


def test_the_migration_gives_offerings_stored_before_it_their_skill_labels(demo: Register) -> None:
    catalogue.save_offering(_heat_pumps(INSTALL_HEAT_PUMP), demo.uow)
    migrate.downgrade(demo.engine, "search_0003")  # the labels leave the stored outcomes and the index
    assert _codes(demo, "commissioning") == []
    migrate.upgrade(demo.engine)
    assert _codes(demo, "commissioning") == ["MC-HEAT"]
    assert catalogue.get_offering("ku-leuven", "MC-HEAT", demo.uow).learning_outcomes[0].esco_skill == INSTALL_HEAT_PUMP
