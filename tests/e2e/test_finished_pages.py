"""The pages a newcomer meets, in Chromium at 1280 and 390 px wide, in Dutch and English (issue 18).

Each page: no horizontal overflow, no control whose label is cut off, axe-core clean, a screenshot kept in
test-output/screenshots/. Then the
search's marks and snippets, the HTML page for an unknown address, and the keyboard path through a search.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import Server, assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PAGES = {
    "catalogue": "/",
    "search": "/?q=duurzaamheid",
    "offering": "/offerings/vub/MC-DSS",
    "providers": "/providers",
    "verify": "/verify",
    "statistics": "/statistics",
    "unknown": "/no/such/page",
}
# Which of a select's labels must fit: every option's where the options are names of kinds, types, forms and
# levels, else the chosen one (an ISCED field's or a provider's name may be a sentence; the open list shows it).
_CLIPPED = """() => {
  const canvas = document.createElement('canvas').getContext('2d');
  const clipped = [];
  const SHORT = ['kind', 'form', 'language', 'eqf', 'vks', 'provider_type', 'offer_kind'];
  for (const control of document.querySelectorAll('select, button, .button')) {
    const style = getComputedStyle(control);
    if (control.offsetParent === null) continue;
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const room = control.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
      - (control.tagName === 'SELECT' ? 20 : 0);
    const labels = control.tagName === 'SELECT'
      ? [...control.options].filter(o => o.selected || SHORT.includes(control.id)).map(o => o.text)
      : (getComputedStyle(control).whiteSpace === 'nowrap' ? [control.innerText] : []);
    for (const label of labels) {
      const width = canvas.measureText(label.trim()).width;
      const name = control.id || control.name || control.tagName;
      if (width > room + 1) clipped.push(`${name}: ${label.trim()} (${Math.round(width)} > ${Math.round(room)} px)`);
    }
  }
  return clipped;
}"""
LOCALES = {"nl": "nl-BE", "en": "en-GB"}


@pytest.fixture(params=[(width, lang) for width in (1280, 390) for lang in LOCALES], ids=lambda p: f"{p[0]}px-{p[1]}")
def sized(request: pytest.FixtureRequest, browser: Any, server: Server) -> Iterator[tuple[Any, str]]:
    width, lang = request.param
    context = browser.new_context(
        base_url=server.base_url, locale=LOCALES[lang], viewport={"width": width, "height": 900}
    )
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened, f"{width}px-{lang}"
    context.close()


def _overflow(page: Any) -> int:
    """How many pixels the page is wider than the window (0: no sideways scrolling)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def test_every_page_fits_the_window_and_is_accessible(sized: tuple[Any, str]) -> None:
    page, variant = sized
    for name, address in PAGES.items():
        answer = page.goto(address)
        assert answer is not None
        assert answer.headers["content-type"].startswith("text/html"), name
        assert _overflow(page) <= 0, f"{name} at {variant} scrolls sideways"
        assert page.evaluate(_CLIPPED) == [], f"{name} at {variant} clips a control's label"
        footer_bottom = page.evaluate("() => document.querySelector('footer').getBoundingClientRect().bottom + scrollY")
        assert footer_bottom >= page.viewport_size["height"] - 1, f"{name} at {variant}: the footer floats mid-screen"
        screenshot(page, f"finished-{name}-{variant}")
        assert_accessible(page)


def test_search_results_mark_the_words_that_matched_and_say_where(page: Any) -> None:
    page.goto("/?q=sustainability")
    cards = page.locator("ol.results > li")
    assert cards.count() > 0
    assert page.locator("ol.results mark").count() > 0
    marked = page.locator("ol.results mark").all_inner_texts()
    assert all(word.lower().startswith(("sustain", "duurza")) for word in marked), marked
    assert page.locator("ol.results .next-edition").count() == cards.count()


def test_an_unknown_address_shows_a_page_with_a_way_back_and_the_favicon_is_served(page: Any) -> None:
    answer = page.goto("/nergens")
    assert answer is not None
    assert answer.status == 404
    assert page.locator("h1").inner_text() == "Niet gevonden"
    page.get_by_role("link", name="Terug naar het aanbod").click()
    page.wait_for_url("**/")
    icon = page.request.get("/favicon.ico")
    assert icon.status == 200
    assert page.locator('link[rel="icon"]').count() == 1


def test_a_keyboard_user_searches_and_opens_an_offering(page: Any) -> None:
    page.goto("/")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Enter")
    box = page.get_by_label("Zoek in het aanbod")
    box.focus()
    page.keyboard.type("voorouders")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=voorouders**")
    page.wait_for_load_state("networkidle")  # search-as-you-type may still swap the results in
    page.get_by_role("link", name="Voorouders en nakomelingen").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/offerings/uantwerpen/MC-ANCESTORS")
    assert "Geen geplande editie" in page.locator(".enrol").inner_text()
