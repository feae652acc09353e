"""The README's "Try it" section, one journey per role, in an English browser on the served demo register.

Each journey takes only what `make run` gives a newcomer: the demo register and what `microcred demo`
prints (run again here, which it may be: loading the demo is idempotent). None depends on another test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Server, assert_accessible, browser_page, newest_link, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.fixture
def english(browser: Any, server: Server) -> Iterator[Any]:
    with browser_page(browser, server, locale="en-GB", timeout_ms=30_000) as opened:
        yield opened


def _printed(server: Server, role: str) -> str:
    """The line ``microcred demo`` prints for ``role`` (development only)."""
    lines = [line.strip() for line in server.cli("demo").splitlines() if line.strip().startswith(role)]
    assert len(lines) == 1, f"microcred demo printed no line for {role!r}"
    return lines[0]


def test_the_readme_names_each_role_with_the_demo_logins() -> None:
    section = README.split("## Try it", 1)[1].split("\n## ", 1)[0]
    for role in ("**Learner**", "**Provider staff**", "**Employer or verifier**", "**Policy maker**"):
        assert role in section
    for login in ("learner1@example.org", "desk-ugent@example.org", "try-the-demo-desk", "/statistics", "/verify"):
        assert login in section


def test_a_learner_opens_the_wallet_from_the_mailed_link_and_shares_the_valid_credential(
    english: Any, server: Server
) -> None:
    address = "learner2@example.org"
    assert address in _printed(server, "Learner:")
    english.goto("/wallet")
    english.get_by_label("E-mail address").fill(address)
    english.get_by_role("button", name="Send me a link").click()
    english.get_by_text("on its way").wait_for()
    english.goto(newest_link(server.outbox, address))
    english.get_by_role("button", name="Open my credentials").click()
    cards = english.locator("article.wallet-credential")
    cards.first.wait_for()
    assert cards.count() == 2
    valid = cards.filter(has_text="Decision Support for Sustainability")
    revoked = cards.filter(has_text="Ancestors and descendants")
    assert "valid" in valid.locator(".badge").inner_text().lower()
    assert "revoked" in revoked.locator(".badge").inner_text().lower()
    assert "Reason:" in revoked.inner_text()
    screenshot(english, "try-it-learner-wallet")
    assert_accessible(english)
    with english.expect_download() as download:
        valid.get_by_role("link", name="PDF").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    linkedin = valid.get_by_role("link", name="Add to LinkedIn").get_attribute("href")
    assert linkedin.startswith("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&")
    assert "name=Decision+Support+for+Sustainability" in linkedin
    valid.get_by_role("button", name="Create share link").click()
    share_url = english.locator("#new-share-link").inner_text()
    assert re.fullmatch(r"https?://\S+/s/\S+", share_url.strip())
    screenshot(english, "try-it-learner-shared")


def test_provider_staff_sign_in_with_the_printed_login_and_issue_an_edition(english: Any, server: Server) -> None:
    desk = _printed(server, "Provider staff:")
    password = re.search(r"password (\S+),", desk)
    assert password, desk
    assert password.group(1) == "try-the-demo-desk"
    english.goto("/desk")
    english.get_by_label("E-mail address").fill("desk-ugent@example.org")
    english.get_by_label("Password").fill(password.group(1))
    english.get_by_role("button", name="Sign in").click()
    english.get_by_text("Signed in as desk-ugent@example.org").wait_for()
    english.get_by_role("button", name="Issue for edition MC-DISINFO-2022").click()
    english.get_by_text(re.compile(r"[1-9]\d* credentials issued for edition MC-DISINFO-2022\.")).wait_for()
    screenshot(english, "try-it-staff-issued")
    assert_accessible(english)
    english.get_by_role("link", name="Back to the desk").click()
    assert english.get_by_role("link", name="New offering").first.is_visible()


def test_an_employer_opens_the_printed_share_link_and_pastes_it_on_the_verify_page(
    english: Any, server: Server
) -> None:
    employer = _printed(server, "Employer or verifier:")
    found = re.search(r"open (\S+/s/\S+) or paste", employer)
    assert found, employer
    share_url = found.group(1).replace("http://127.0.0.1:8000", server.base_url)
    english.goto(share_url)
    english.get_by_text("This credential is genuine and valid.").wait_for()
    assert "Nepnieuws herkennen en weerleggen" in english.locator(".element-list").inner_text()  # as issued, in Dutch
    screenshot(english, "try-it-employer-share")
    assert_accessible(english)
    english.goto("/verify")
    english.get_by_label("Address of the credential, share link or code").fill(share_url)
    english.get_by_role("button", name="Open").last.click()
    english.get_by_text("This credential is genuine and valid.").wait_for()


def test_a_policy_maker_reads_the_statistics_and_downloads_the_pdf(english: Any, server: Server) -> None:
    assert "/statistics" in _printed(server, "Policy maker:")
    english.set_default_timeout(60_000)  # the first report copies the register into its snapshot
    english.goto("/statistics")
    assert english.locator(".report section").count() >= 4
    assert "Conclusions: what the figures say" in english.locator("#conclusions h2").inner_text()
    screenshot(english, "try-it-policy-maker")
    with english.expect_download() as download:
        english.get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
