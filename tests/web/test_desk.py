"""The provider desk: sign-in, offerings with live EU checks, issuing, revoking and API tokens."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from microcred.bootstrap import Register
from microcred.services import auth, catalogue, issuance
from tests.web.conftest import csrf_of, finished_job

PASSWORD = "correct horse battery"


@pytest.fixture
def staff(demo: Register, client: TestClient) -> TestClient:
    auth.add_staff("desk@ugent.be", provider="ugent", password=PASSWORD, uow=demo.uow, clock=demo.clock)
    token = csrf_of(client.get("/desk").text)
    signed_in = client.post("/desk/login", data={"email": "desk@ugent.be", "password": PASSWORD, "csrf_token": token})
    assert signed_in.status_code == 200
    assert "Aangemeld als desk@ugent.be" in signed_in.text
    return client


def _new_offering(client: TestClient, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf_of(client.get("/desk/offerings/new").text), "editing": "0", **fields}


def test_a_wrong_password_is_refused_with_one_vague_message(demo: Register, client: TestClient) -> None:
    auth.add_staff("desk@ugent.be", provider="ugent", password=PASSWORD, uow=demo.uow, clock=demo.clock)
    token = csrf_of(client.get("/desk").text)
    page = client.post("/desk/login", data={"email": "desk@ugent.be", "password": "wrong one!!", "csrf_token": token})
    assert page.status_code == 401
    assert "Het e-mailadres of wachtwoord klopt niet." in page.text


def test_desk_pages_need_a_signed_in_staff_member(client: TestClient) -> None:
    assert client.get("/desk/offerings/new", follow_redirects=False).status_code == 303
    assert 'action="/desk/login"' in client.get("/desk").text


def test_the_live_check_lists_missing_elements_and_a_complete_form_passes(staff: TestClient) -> None:
    partial = staff.post("/desk/offerings/check", data=_new_offering(staff, code="MC-NEW", title_nl="Nieuw"))
    assert "learning_outcomes" not in partial.text
    assert "Leerresultaten" in partial.text
    assert 'id="eu-check"' in partial.text
    complete = staff.post("/desk/offerings/check", data=_new_offering(staff, **_complete_fields()))
    assert "Alle verplichte EU-elementen zijn ingevuld." in complete.text


def _complete_fields() -> dict[str, str]:
    return {
        "code": "MC-DATA",
        "kind": "micro-credential",
        "status": "published",
        "title_nl": "Data in de klas",
        "title_en": "Data in the classroom",
        "learning_outcomes_nl": "Data lezen\nData tonen",
        "learning_outcomes_en": "Read data\nShow data",
        "ects": "3",
        "eqf_level": "6",
        "isced_field": "0114",
        "assessment_type": "2939dae15f",
        "participation_form": "online",
        "quality_assurance": "institutional-review",
        "languages": "nl, en",
    }


def test_staff_create_an_offering_that_appears_in_the_public_catalogue(demo: Register, staff: TestClient) -> None:
    saved = staff.post("/desk/offerings", data=_new_offering(staff, **_complete_fields()))
    assert saved.status_code == 200
    assert "Aanbod MC-DATA is bewaard." in saved.text
    stored = catalogue.get_offering("ugent", "MC-DATA", demo.uow)
    assert [o.text.get("en") for o in stored.learning_outcomes] == ["Read data", "Show data"]
    assert "Data in de <mark>klas</mark>" in staff.get("/?q=klas").text  # the word found, marked


def test_languages_are_picked_by_name_and_each_chosen_one_is_stored(demo: Register, staff: TestClient) -> None:
    form = staff.get("/desk/offerings/new").text
    picker = re.search(r'<select id="languages" name="languages" multiple[^>]*>(.*?)</select>', form, re.S)
    assert picker, "languages are picked from a list, not typed as ISO codes"
    options = re.findall(r'<option value="([a-z]+)"[^>]*>([^<]+)</option>', picker.group(1))
    assert options[:2] == [("nl", "Nederlands"), ("en", "Engels")]  # the usual ones first, by name
    fields = {key: value for key, value in _complete_fields().items() if key != "languages"}
    chosen: dict[str, str | list[str]] = {**_new_offering(staff, **fields), "languages": ["nl", "fr"]}
    assert staff.post("/desk/offerings", data=chosen).status_code == 200
    assert catalogue.get_offering("ugent", "MC-DATA", demo.uow).languages == ["nl", "fr"]
    again = staff.get("/desk/offerings/MC-DATA/edit").text
    assert '<option value="fr" selected>' in again
    assert '<option value="en">' in again


def test_a_new_empty_form_lists_what_it_lacks_instead_of_saying_it_is_complete(staff: TestClient) -> None:
    form = staff.get("/desk/offerings/new").text
    assert "Alle verplichte EU-elementen zijn ingevuld." not in form
    assert re.search(r"Nog \d+ elementen te doen voor publicatie:", form)
    assert "Leerresultaten" in form


def test_publishing_an_incomplete_offering_is_refused_with_the_missing_elements(staff: TestClient) -> None:
    fields = {**_complete_fields(), "ects": "", "learning_outcomes_nl": "", "learning_outcomes_en": ""}
    page = staff.post("/desk/offerings", data=_new_offering(staff, **fields))
    assert page.status_code == 422
    assert "Leerresultaten" in page.text
    assert "Studiebelasting" in page.text


def test_staff_issue_credentials_for_an_edition_and_revoke_one_with_a_reason(demo: Register, staff: TestClient) -> None:
    token = csrf_of(staff.get("/desk").text)
    issued = finished_job(staff, staff.post("/desk/editions/MC-DISINFO-2024/issue", data={"csrf_token": token}))
    assert re.search(r"\d+ credentials uitgereikt voor editie MC-DISINFO-2024", issued)
    credentials = issuance.list_credentials("ugent", uow=demo.uow)
    assert credentials
    uuid = credentials[0].uuid.removeprefix("urn:uuid:")
    revoked = staff.post(f"/desk/credentials/{uuid}/revoke", data={"csrf_token": token, "reason": "fraude"})
    assert "is ingetrokken" in revoked.text
    assert issuance.get_credential(uuid, uow=demo.uow).state.value == "revoked"


def test_each_edition_row_says_how_many_learners_would_receive_a_credential(demo: Register, staff: TestClient) -> None:
    def would_receive(page: str) -> int:
        found = re.search(r'data-issuable="MC-DISINFO-2024">(\d+)<', page)
        assert found, "no count in the edition's row"
        return int(found.group(1))

    with demo.uow() as work:
        passed = [
            e for e in work.enrolments.list_for_edition("ugent", "MC-DISINFO-2024") if e.outcome.value == "passed"
        ]
    page = staff.get("/desk").text
    assert "Lerenden die nu een credential krijgen" in page
    assert would_receive(page) == len(passed) > 0
    issuance.issue_for_enrolment(
        "ugent", passed[0].reference, uow=demo.uow, keys=demo.key_store, settings=demo.settings, clock=demo.clock
    )
    assert would_receive(staff.get("/desk").text) == len(passed) - 1


def test_staff_cannot_revoke_another_providers_credential(demo: Register, staff: TestClient) -> None:
    other = issuance.issue_for_enrolment(
        "vub", "MC-DSS-2024-E000", uow=demo.uow, keys=demo.key_store, settings=demo.settings, clock=demo.clock
    )
    token = csrf_of(staff.get("/desk").text)
    page = staff.post(f"/desk/credentials/{other.uuid[9:]}/revoke", data={"csrf_token": token, "reason": "x"})
    assert page.status_code == 404, "to another provider's staff, its credentials do not exist"
    assert 'class="notice error"' in page.text
    assert "Aangemeld als desk@ugent.be" in page.text, "the desk is shown again with the reason"
    assert issuance.get_credential(other.uuid, uow=demo.uow).state.value == "active"


def test_staff_create_a_token_shown_once_and_revoke_it(demo: Register, staff: TestClient) -> None:
    token = csrf_of(staff.get("/desk").text)
    created = staff.post("/desk/tokens", data={"csrf_token": token, "label": "SIS", "scope": ["catalogue:write"]})
    shown = re.search(r'id="new-token">(mct_[^<]+)<', created.text)
    assert shown
    prefix = auth.list_tokens(demo.uow, provider="ugent")[0].prefix
    assert prefix in shown.group(1)
    assert shown.group(1) not in staff.get("/desk").text
    staff.post(f"/desk/tokens/{prefix}/revoke", data={"csrf_token": token})
    assert auth.list_tokens(demo.uow, provider="ugent")[0].revoked_at is not None


def test_signing_out_ends_the_session(staff: TestClient) -> None:
    token = csrf_of(staff.get("/desk").text)
    staff.post("/desk/logout", data={"csrf_token": token})
    assert 'action="/desk/login"' in staff.get("/desk").text
