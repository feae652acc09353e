"""The statistics page on a normal day, in the browser: the register's clock is set to 6 December 2026, an
academic year (2026-27) for which the demo register holds no data yet.

The served register's clock is its seam (``Register(clock=...)``): this module serves the same database as
the session's server from a second, in-process server whose register has a ``FixedClock``.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from microcred.asgi import create_app
from microcred.bootstrap import Register
from microcred.settings import Settings
from microcred.testing import FixedClock, free_port
from tests.e2e.conftest import Server, assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
NORMAL_DAY = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
FALL_TO_NOTHING = re.compile(r"[-−]\s?100(?:[.,]0)?(?!\d)")
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def on_a_normal_day(server: Server) -> Iterator[str]:
    """The base URL of the register served with its clock on 6 December 2026."""
    import uvicorn

    settings = Settings(
        database_url=server.env["MICROCRED_DATABASE_URL"], environment="development", log_level="WARNING"
    )
    register = Register(settings=settings, clock=FixedClock(NORMAL_DAY))
    port = free_port()
    served = uvicorn.Server(uvicorn.Config(create_app(register), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not served.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert served.started, "the in-process server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        served.should_exit = True
        thread.join(timeout=10)
        register.close()


@pytest.fixture
def phone(browser: Any, on_a_normal_day: str) -> Iterator[Any]:
    context = browser.new_context(base_url=on_a_normal_day, locale="nl-BE", viewport=PHONE)
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    yield opened
    context.close()


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide at {PHONE['width']} px"


def test_the_statistics_page_on_a_normal_day_reads_right_on_a_phone_in_dutch_and_english(phone: Any) -> None:
    phone.goto("/statistics", timeout=120_000)  # the first report copies the register into its snapshot
    assert phone.locator("#from").input_value() != "2022-23"  # not the five years up to 2026-27
    assert phone.locator("#to").input_value() == "2025-26"  # the last year with data
    main = phone.locator("main")
    assert not FALL_TO_NOTHING.search(main.text_content() or "")
    title, filters = phone.locator("main h1").bounding_box(), phone.locator("form.stats-filters").bounding_box()
    assert title["y"] < filters["y"], "the filters come below the title"
    for label in phone.locator("form.stats-filters label").all():
        assert label.evaluate("l => l.scrollWidth <= l.clientWidth"), label.inner_text()
    _no_sideways_scroll(phone)
    conclusions = phone.locator("#conclusions")
    assert conclusions.locator("h2").inner_text().startswith("Conclusies: wat de cijfers zeggen")
    assert conclusions.locator("li").count() >= 5
    assert "Het aanbod ging van" in conclusions.inner_text()
    screenshot(phone, "statistics-phone")
    assert_accessible(phone)
    for summary in phone.locator("details > summary").all():
        summary.click()  # open every table: wide tables scroll inside their box, never the page
    _no_sideways_scroll(phone)
    assert_accessible(phone)
    phone.locator("a.lang-switch").click()
    phone.wait_for_function("() => document.documentElement.lang === 'en'")
    conclusions = phone.locator("#conclusions")
    assert conclusions.locator("h2").inner_text().startswith("Conclusions: what the figures say")
    assert "The offer went from" in conclusions.inner_text()
    assert not FALL_TO_NOTHING.search(phone.locator("main").text_content() or "")
    _no_sideways_scroll(phone)
    screenshot(phone, "statistics-phone-en")
