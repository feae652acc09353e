"""Journeys of a visitor: searching and filtering the catalogue, an offering, the providers, the language."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_newcomer_searches_and_filters_the_catalogue(page: Any) -> None:
    page.goto("/")
    assert page.locator("h1").inner_text() == "Microcredentials in het Vlaamse hoger onderwijs"
    screenshot(page, "catalogue")
    assert_accessible(page)
    page.get_by_label("Zoek in het aanbod").fill("desinformatie")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_url("**/?q=desinformatie*")
    titles = page.locator("ol.results h3").all_inner_texts()
    assert "Desinformatie herkennen" in [title.strip() for title in titles]
    screenshot(page, "catalogue-search")
    page.goto("/")
    page.get_by_label("Taal", exact=True).select_option("en")
    page.get_by_label("EQF-niveau").select_option("7")
    page.get_by_role("button", name="Filters toepassen").click()
    page.wait_for_url("**eqf=7**")
    cards = page.locator("ol.results > li").all_inner_texts()
    assert cards
    assert all("Niveau 7 (EQF)" in card and "Engels" in card for card in cards)
    assert any("Beslissingsondersteuning voor duurzaamheid" in card for card in cards)
    screenshot(page, "catalogue-filtered")
    assert_accessible(page)


def test_searching_updates_the_results_as_you_type_with_javascript(page: Any) -> None:
    page.goto("/")
    total = page.locator("#results-heading").inner_text()
    page.get_by_label("Zoek in het aanbod").press_sequentially("voorouders", delay=20)
    # The first keystrokes' answers can land first ("v" also finds the offering): wait for the whole word's.
    page.wait_for_url("**q=voorouders**")
    page.wait_for_function("() => document.querySelector('#results-heading').innerText !== " + repr(total))
    assert "Voorouders en nakomelingen" in page.locator("ol.results").inner_text()
    assert page.locator("#results-heading").inner_text() != total


def test_an_offering_shows_every_eu_element_the_provider_and_its_editions(page: Any) -> None:
    page.goto("/?q=voorouders")
    page.get_by_role("link", name="Voorouders en nakomelingen").click()
    page.wait_for_url("**/offerings/uantwerpen/MC-ANCESTORS")
    elements = page.locator(".element-list")
    for term in (
        "Leerresultaten",
        "Studiebelasting",
        "Niveau",
        "Soort beoordeling",
        "Vorm van deelname",
        "Kwaliteitszorg",
    ):
        assert elements.get_by_text(term, exact=True).count() == 1, term
    assert "Genealogische bronnen kritisch gebruiken" in elements.inner_text()
    assert page.locator(".badge.ok").count() == 1
    assert page.locator("table tbody tr").count() >= 3
    screenshot(page, "offering")
    assert_accessible(page)


def test_the_provider_list_shows_quality_assurance_and_a_provider_its_offerings(page: Any) -> None:
    page.goto("/providers")
    assert page.locator("h1").inner_text() == "Erkende aanbieders"
    assert page.get_by_text("Instellingsreview").count() > 5
    assert page.get_by_text("Opleidingsaccreditatie").count() >= 3
    screenshot(page, "providers")
    assert_accessible(page)
    page.get_by_role("link", name="Universiteit Gent").click()
    page.wait_for_url("**/providers/ugent")
    assert page.get_by_role("link", name="Desinformatie herkennen").count() == 1
    screenshot(page, "provider")
    assert_accessible(page)


def test_the_language_switch_turns_every_page_english_and_keeps_the_place(page: Any) -> None:
    page.goto("/offerings/ugent/MC-DISINFO")
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/offerings/ugent/MC-DISINFO")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Recognising disinformation"
    assert page.get_by_text("Learning outcomes", exact=True).count() == 1
    screenshot(page, "offering-en")
    page.goto("/")
    assert page.locator("h1").inner_text() == "Micro-credentials in Flemish higher education"
    screenshot(page, "catalogue-en")
    page.get_by_role("link", name="Nederlands").click()
    assert page.locator("html").get_attribute("lang") == "nl"


def test_keyboard_users_can_skip_to_the_content(page: Any) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("element => element === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"
