"""Journeys of a provider's staff, a verifier and a policy maker, in the browser against the served register."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from microcred.bootstrap import build
from microcred.services import auth, enrolments, issuance
from microcred.settings import Settings
from tests.e2e.conftest import Server, assert_accessible, newest_link, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "desk-password-123"


@pytest.fixture(scope="module")
def staff_email(server: Server) -> str:
    register = build(Settings(database_url=server.env["MICROCRED_DATABASE_URL"]))
    try:
        auth.add_staff("balie@ugent.be", provider="ugent", password=PASSWORD, uow=register.uow, clock=register.clock)
    finally:
        register.close()
    return "balie@ugent.be"


def _issued_documents(server: Server) -> list[dict[str, Any]]:
    """ugent's credentials on this worker's server: those the desk journey issued when it ran here, or else
    (xdist may run the journey on the other worker's server) one issued now through the services for the
    edition the journey issues, so this test stands on its own."""
    settings = Settings(
        database_url=server.env["MICROCRED_DATABASE_URL"], public_base_url=server.env["MICROCRED_PUBLIC_BASE_URL"]
    )
    register = build(settings)
    try:
        found = [c.document for c in issuance.list_credentials("ugent", uow=register.uow)]
        if not found:
            issuance.issue_for_edition(
                "ugent", "MC-DISINFO-2024", uow=register.uow, keys=register.key_store,
                settings=register.settings, clock=register.clock,
            )  # fmt: skip
            found = [c.document for c in issuance.list_credentials("ugent", uow=register.uow)]
        return found
    finally:
        register.close()


def test_staff_create_an_offering_with_live_checks_and_issue_credentials(page: Any, staff_email: str) -> None:
    page.goto("/desk")
    screenshot(page, "desk-login")
    assert_accessible(page)
    page.get_by_label("E-mailadres").fill(staff_email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    page.get_by_text(f"Aangemeld als {staff_email}").wait_for()
    page.get_by_role("link", name="Nieuw aanbod").first.click()
    page.get_by_label("Code").fill("MC-BROWSER")
    page.get_by_label("Titel (Nederlands)").fill("Toegankelijk webdesign")
    page.get_by_text("Nog ").first.wait_for()
    screenshot(page, "desk-offering-incomplete")
    assert_accessible(page)
    page.get_by_label("Leerresultaten (Nederlands)").fill("Een pagina met axe controleren")
    page.get_by_label("Studiepunten").fill("3")
    page.get_by_label("EQF-niveau").select_option("6")
    page.get_by_label("Studiegebied").select_option("0613")
    page.get_by_label("Soort beoordeling").select_option("2939dae15f")
    page.get_by_label("Vorm van deelname").select_option("online")
    page.get_by_label("Kwaliteitszorg").select_option("institutional-review")
    page.get_by_label("Status").select_option("published")
    page.get_by_text("Alle verplichte EU-elementen zijn ingevuld.").wait_for()
    screenshot(page, "desk-offering-complete")
    page.get_by_role("button", name="Bewaren").click()
    page.get_by_text("Aanbod MC-BROWSER is bewaard.").wait_for()
    page.get_by_role("button", name="Uitreiken voor editie MC-DISINFO-2024").click()
    page.get_by_text(re.compile(r"[1-9]\d* credentials uitgereikt voor editie MC-DISINFO-2024")).wait_for()
    screenshot(page, "desk-issued")
    assert_accessible(page)
    page.get_by_role("link", name="Terug naar de balie").click()
    screenshot(page, "desk")
    assert_accessible(page)
    page.goto("/?q=webdesign")
    assert page.locator("ol.results > li").count() == 1


def test_the_verifier_accepts_an_issued_credential_and_rejects_a_tampered_copy(page: Any, server: Server) -> None:
    documents = _issued_documents(server)
    if not documents:
        pytest.fail("no credential could be issued for ugent's MC-DISINFO-2024")
    page.goto("/verify")
    screenshot(page, "verify")
    assert_accessible(page)
    page.get_by_label("Plak de credential (JSON)").fill(json.dumps(documents[0]))
    page.get_by_role("button", name="Verifiëren").click()
    page.get_by_text("Deze credential is echt en geldig.").wait_for()
    assert "Nepnieuws herkennen en weerleggen" in page.locator(".element-list").inner_text()
    screenshot(page, "verify-accepted")
    assert_accessible(page)
    tampered = {**documents[0], "name": "Doctor in de rechten"}
    page.goto("/verify")
    page.get_by_label("Of kies het bestand").set_input_files(
        files=[{"name": "tampered.json", "mimeType": "application/json", "buffer": json.dumps(tampered).encode()}]
    )
    page.get_by_role("button", name="Verifiëren").click()
    page.get_by_text("Deze credential kan niet worden aanvaard.").wait_for()
    assert page.locator('li.fail[data-check="signature"]').count() == 1
    screenshot(page, "verify-rejected")


def test_the_verifier_asks_a_wallet_app_for_a_credential(page: Any) -> None:
    page.goto("/verify")
    page.get_by_role("button", name="Vraag om een credential").click()
    page.get_by_role("heading", name="Vraag een credential uit een wallet-app").wait_for()
    link = page.get_by_role("link", name="Open in de wallet-app op dit toestel").get_attribute("href")
    assert link.startswith("openid4vp://?client_id=redirect_uri")
    assert page.locator(".wallet-offer figure.qr svg").count() == 1
    screenshot(page, "verify-wallet-request")
    assert_accessible(page)


def test_the_dashboard_shows_the_three_answers_and_offers_downloads(page: Any) -> None:
    # The first view computes the report and draws its charts, and the PDF is drawn again on request: on a
    # loaded two-core runner that took 7-18 s. This is how long the test waits, not a speed target (that
    # lives in `make bench`).
    page.set_default_timeout(60_000)
    page.goto("/statistics?from=2022-23&to=2024-25")
    assert page.locator(".report section").count() >= 4
    assert page.locator(".report figure img").count() >= 3
    assert page.get_by_text("zijn licht afgerond: elke groep van minder dan 5 lerenden").count() == 1
    screenshot(page, "statistics")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")


def _learner_with_credential(server: Server, address: str) -> str:
    """Give one demo learner an e-mail address (as the provider's student system would) and a credential."""
    settings = Settings(
        database_url=server.env["MICROCRED_DATABASE_URL"], public_base_url=server.env["MICROCRED_PUBLIC_BASE_URL"]
    )
    register = build(settings)
    try:
        pepper = register.settings.pseudonym_pepper.get_secret_value()
        enrolment = enrolments.get_enrolment("ugent", "MC-DISINFO-2023-E000", register.uow)
        enrolments.save_enrolment(
            enrolment, learner_id="MC-DISINFO-2023-0", email=address, pepper=pepper, uow=register.uow
        )
        issued = issuance.issue_for_enrolment(
            "ugent", enrolment.reference, uow=register.uow, keys=register.key_store, settings=register.settings,
            clock=register.clock,
        )  # fmt: skip
    finally:
        register.close()
    return issued.uuid


def test_the_learner_opens_the_wallet_link_downloads_the_pdf_and_shares_it(page: Any, server: Server) -> None:
    address = "leerling@example.org"
    uuid = _learner_with_credential(server, address)
    page.goto("/wallet")
    screenshot(page, "wallet-request")
    assert_accessible(page)
    page.get_by_label("E-mailadres").fill(address)
    page.get_by_role("button", name="Stuur mij een link").click()
    page.get_by_text("onderweg").wait_for()
    screenshot(page, "wallet-link-sent")
    link = newest_link(server.outbox, address)
    page.goto(link)
    screenshot(page, "wallet-open")
    assert_accessible(page)
    page.get_by_role("button", name="Open mijn credentials").click()
    page.get_by_role("heading", name="Desinformatie herkennen").wait_for()
    assert page.locator("article.wallet-credential").count() == 1
    screenshot(page, "wallet")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename == f"{uuid[9:]}.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    page.get_by_role("button", name="Zet in mijn wallet-app").click()
    page.get_by_text("Scan de QR-code met je wallet-app").wait_for()
    assert page.locator(".wallet-offer figure.qr svg").count() == 1
    assert (
        page.get_by_role("link", name="Open in de wallet-app op dit toestel")
        .get_attribute("href")
        .startswith("openid-credential-offer://?credential_offer_uri=")
    )
    assert re.fullmatch(r"\d{6}", page.locator(".offer-pin").inner_text())
    screenshot(page, "wallet-app-offer")
    assert_accessible(page)
    page.get_by_role("button", name="Deellink maken").click()
    share_url = page.locator("#new-share-link").inner_text()
    assert "/s/" in share_url
    assert page.locator(".share-link figure.qr svg").count() == 1
    screenshot(page, "wallet-shared")
    assert_accessible(page)
    page.goto(share_url)
    page.get_by_text("Deze credential is echt en geldig.").wait_for()
    assert "Nepnieuws herkennen en weerleggen" in page.locator(".element-list").inner_text()
    screenshot(page, "share-verified")
    assert_accessible(page)
    page.go_back()  # the share form answered with a redirect: going back shows /wallet, it posts nothing again
    assert page.url.endswith("/wallet")
    assert page.locator(".share-link form").count() == 1  # still the one share link
    page.get_by_role("button", name="Link intrekken").click()
    page.get_by_text("De deellink is ingetrokken").wait_for()
    page.goto("/verify")
    page.get_by_label("Deellink of code").fill(share_url)
    page.get_by_role("button", name="Openen").last.click()
    page.get_by_role("heading", name="Deze deellink is ingetrokken").wait_for()
    screenshot(page, "share-revoked")
    assert_accessible(page)


def test_staff_check_an_import_file_and_read_the_report(page: Any, staff_email: str) -> None:
    page.goto("/desk")
    page.get_by_label("E-mailadres").fill(staff_email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    page.get_by_role("link", name="Bestand invoeren").click()
    page.get_by_label("Soort gegevens").select_option("editions")
    rows = "code,offering_code,start_date,end_date,capacity\nMC-DISINFO-2031,MC-DISINFO,2031-13-01,2032-01-31,40\n"
    page.get_by_label("Bestand").set_input_files(
        files=[{"name": "edities.csv", "mimeType": "text/csv", "buffer": rows.encode()}]
    )
    page.get_by_role("button", name="Controleren en invoeren").click()
    page.locator("#import-problems").wait_for()
    assert "2031-13-01" in page.locator("#import-problems").inner_text()
    screenshot(page, "desk-import-report")
    assert_accessible(page)


def test_an_access_link_opens_once_and_signing_out_everywhere_ends_every_session(
    page: Any, browser: Any, server: Server
) -> None:
    address = "leerling2@example.org"
    _learner_with_credential(server, address)
    page.goto("/wallet")
    page.get_by_label("E-mailadres").fill(address)
    page.get_by_role("button", name="Stuur mij een link").click()
    page.get_by_text("onderweg").wait_for()
    link = newest_link(server.outbox, address)
    page.goto(link)
    page.get_by_role("button", name="Open mijn credentials").click()
    page.get_by_role("heading", name="Desinformatie herkennen").wait_for()
    other = browser.new_context(base_url=server.base_url, locale="nl-BE").new_page()
    try:
        other.goto(link)  # the same link, a second time (a forwarded mail, a shared computer's history)
        other.get_by_text("Deze link is al gebruikt").wait_for()
        screenshot(other, "wallet-link-used")
        assert_accessible(other)
        assert other.locator("article.wallet-credential").count() == 0
    finally:
        other.context.close()
    page.get_by_role("button", name="Overal afmelden").click()
    page.get_by_text("Je bent overal afgemeld").wait_for()
    screenshot(page, "wallet-signed-out-everywhere")
    assert_accessible(page)
    page.goto("/wallet")
    assert page.locator("article.wallet-credential").count() == 0
    assert page.get_by_role("button", name="Stuur mij een link").is_visible()
