"""The public pages through the real application: catalogue, offering, providers, language, verifier."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from microcred.asgi import create_app
from microcred.bootstrap import Register
from microcred.services import issuance
from tests.web.conftest import csrf_of


def test_the_catalogue_explains_itself_and_lists_the_published_offerings(client: TestClient) -> None:
    page = client.get("/", headers={"Accept-Language": "nl-BE,nl;q=0.9"})
    assert page.status_code == 200
    assert '<html lang="nl">' in page.text
    assert "Dit register bevat alle korte, erkende opleidingen" in page.text
    assert page.text.count('class="card"') == 3
    assert 'href="#main"' in page.text


def test_search_and_filters_narrow_the_results(client: TestClient) -> None:
    assert client.get("/?q=genealogical").text.count('class="card"') == 1
    filtered = client.get("/", params={"form": "online", "kind": "micro-credential"})
    assert filtered.text.count('class="card"') == 1
    assert "Desinformatie herkennen" in filtered.text


def test_a_filter_that_does_not_parse_is_explained_not_a_crash(client: TestClient) -> None:
    page = client.get("/?ects_min=veel")
    assert page.status_code == 400
    assert 'role="alert"' in page.text
    assert "Minimum studiepunten" in page.text


def test_accept_language_english_gives_english_and_the_switch_link_sets_a_cookie(client: TestClient) -> None:
    assert "Micro-credentials in Flemish higher education" in client.get("/", headers={"Accept-Language": "en"}).text
    switched = client.get("/language/en?next=/providers", follow_redirects=False)
    assert switched.status_code == 303
    assert switched.headers["location"] == "/providers"
    assert "lang=en" in switched.headers["set-cookie"]
    assert "Trusted providers" in client.get("/providers").text


def test_the_language_switch_never_redirects_off_site(client: TestClient) -> None:
    switched = client.get("/language/nl?next=//evil.example/x", follow_redirects=False)
    assert switched.headers["location"] == "/"


def test_an_offering_page_shows_the_eu_elements_provider_trust_and_editions(client: TestClient) -> None:
    page = client.get("/offerings/vub/MC-DSS", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    for text in (
        "Learning outcomes",
        "Calculate the external costs of policy choices",
        "6 ECTS credits",
        "Level 7",
        "Marked assignment".lower(),
        "Blended",
        "Institutional review",
        "trusted",
        "MC-DSS-2024",
    ):
        assert text in page.text or text in page.text.lower(), text


def test_a_prospective_learner_sees_the_next_edition_its_places_the_price_and_where_to_enrol(demo: Register) -> None:
    before_2024 = Register(demo.settings, clock=lambda: datetime(2024, 6, 1, tzinfo=UTC))
    try:
        with TestClient(create_app(before_2024)) as client:
            page = client.get("/offerings/vub/MC-DSS", headers={"Accept-Language": "en"}).text
            card = client.get("/?q=decision", headers={"Accept-Language": "en"}).text
    finally:
        before_2024.close()
    assert "Next edition:" in page
    assert "places left" in page
    assert "€450" in page
    assert 'href="https://www.vub.be/"' in page
    assert "Enrol at VUB" in page
    assert "starts " in card
    assert "places left" in card
    assert "€450" in card


def test_an_offering_without_a_coming_edition_says_so(client: TestClient) -> None:
    page = client.get("/offerings/uantwerpen/MC-ANCESTORS", headers={"Accept-Language": "en"}).text
    assert "No upcoming edition" in page
    assert "free" in page
    assert "No upcoming edition" in client.get("/?q=ancestors", headers={"Accept-Language": "en"}).text


def test_unknown_and_draft_offerings_are_not_found(client: TestClient) -> None:
    assert client.get("/offerings/vub/NOPE").status_code == 404
    assert client.get("/providers/nobody").status_code == 404


def test_a_page_that_is_not_found_says_so_in_the_visitors_language(client: TestClient) -> None:
    dutch = client.get("/providers/nobody")
    assert "<h1>Niet gevonden</h1>" in dutch.text
    english = client.get("/offerings/vub/NOPE", headers={"Accept-Language": "en"})
    assert english.status_code == 404
    assert '<html lang="en">' in english.text
    assert "<h1>Not found</h1>" in english.text
    assert "NOPE" in english.text


def test_an_unknown_address_gives_a_browser_a_page_and_an_api_client_a_problem(client: TestClient) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", "Accept-Language": "en"}
    page = client.get("/no/such/page", headers=browser)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "There is no page at this address." in page.text
    assert '<a href="/">' in page.text
    problem = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert problem.status_code == 404
    assert problem.headers["content-type"].startswith("application/problem+json")
    api = client.get("/api/v1/nothing-here", headers=browser)
    assert api.headers["content-type"].startswith("application/problem+json")  # /api stays RFC 9457
    not_allowed = client.delete("/providers", headers=browser)
    assert not_allowed.status_code == 405
    assert not_allowed.headers["content-type"].startswith("text/html")
    assert "GET" in not_allowed.headers["allow"]


def test_every_page_names_a_favicon_and_it_is_served(client: TestClient) -> None:
    assert '<link rel="icon" href="/static/favicon.svg"' in client.get("/").text
    for address in ("/static/favicon.svg", "/favicon.ico"):
        icon = client.get(address)
        assert icon.status_code == 200
        assert icon.headers["content-type"].startswith("image/svg+xml")


def test_the_api_keeps_its_problem_documents_beside_the_pages(client: TestClient) -> None:
    answer = client.get("/api/v1/providers/nobody")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == "not-found"


def test_providers_list_quality_assurance_and_a_provider_page_its_figures(client: TestClient) -> None:
    listing = client.get("/providers")
    assert listing.text.count("NVAO<br>") > 10
    # The kind each type of institution has: an institutional review, or programme accreditation for the
    # registered institutions (Vlerick, AMS, ...), each with its own dates.
    assert listing.text.count("Instellingsreview") > 10
    assert listing.text.count("Opleidingsaccreditatie") >= 3
    assert "betrouwbaar" in listing.text
    provider = client.get("/providers/ugent")
    assert "Desinformatie herkennen" in provider.text
    assert '<span class="stat">3</span> edities' in provider.text


def _issue(demo: Register) -> dict[str, object]:
    credential = issuance.issue_for_enrolment(
        "ugent", "MC-DISINFO-2024-E000", uow=demo.uow, keys=demo.key_store, settings=demo.settings, clock=demo.clock
    )
    return credential.document


def test_the_verifier_accepts_a_genuine_credential_and_renders_its_elements(demo: Register, client: TestClient) -> None:
    document = _issue(demo)
    token = csrf_of(client.get("/verify").text)
    page = client.post("/verify", data={"document": json.dumps(document), "csrf_token": token})
    assert page.status_code == 200
    assert "Deze credential is echt en geldig." in page.text
    assert page.text.count('class="fail"') == 0
    assert "Nepnieuws herkennen en weerleggen" in page.text


def test_the_verifier_rejects_a_tampered_copy_and_says_which_check_failed(demo: Register, client: TestClient) -> None:
    document = _issue(demo)
    document["name"] = "Doctor in de geneeskunde"
    token = csrf_of(client.get("/verify").text)
    page = client.post(
        "/verify",
        files={"file": ("c.json", json.dumps(document).encode(), "application/json")},
        data={"csrf_token": token},
    )
    assert "Deze credential kan niet worden aanvaard." in page.text
    assert 'class="fail" data-check="signature"' in page.text
    assert 'class="elements untrusted"' in page.text  # the credential itself is shown as not to be relied on
    assert 'id="untrusted"' in page.text
    genuine = client.post("/verify", data={"document": json.dumps(_issue(demo)), "csrf_token": token}).text
    assert "untrusted" not in genuine


def test_the_verifier_has_one_field_for_either_kind_of_link(demo: Register, client: TestClient) -> None:
    form = client.get("/verify").text
    assert form.count('inputmode="url"') == 1
    document = _issue(demo)
    address = f"{demo.settings.public_base_url}/credentials/" + str(document["id"]).removeprefix("urn:uuid:")
    assert "Deze credential is echt en geldig." in client.get("/verify", params={"link": address}).text
    for share in ("http://127.0.0.1:8000/s/abc123", "abc123"):
        opened = client.get("/verify", params={"link": share}, follow_redirects=False)
        assert opened.status_code == 303
        assert opened.headers["location"] == "/s/abc123"
    assert client.get("/verify", params={"link": "https://elsewhere.example/credentials/1"}).status_code == 400


def test_the_verifier_opens_this_registers_own_credential_urls_only(demo: Register, client: TestClient) -> None:
    document = _issue(demo)
    own = client.get(
        "/verify",
        params={
            "credential": f"{demo.settings.public_base_url}/credentials/"
            + str(document["id"]).removeprefix("urn:uuid:")
        },
    )
    assert "Deze credential is echt en geldig." in own.text
    foreign = client.get("/verify", params={"credential": "https://elsewhere.example/credentials/1"})
    assert foreign.status_code == 400
    assert "hoort niet bij dit register" in foreign.text


def test_a_post_without_the_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/verify")
    page = client.post("/verify", data={"document": "{}"})
    assert page.status_code == 403


def test_pasting_something_that_is_not_json_is_explained(client: TestClient) -> None:
    token = csrf_of(client.get("/verify").text)
    page = client.post("/verify", data={"document": "hello", "csrf_token": token})
    assert page.status_code == 400
    assert "Dit is geen JSON" in page.text


def test_the_session_cookie_is_signed_httponly_and_samesite_lax(client: TestClient) -> None:
    page = client.get("/verify")
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("microcred_session=")
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()  # served over http in tests; https turns Secure on
