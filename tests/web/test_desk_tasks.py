"""The desk's longer tasks as jobs: import uploads with a validation report, issuing, mailing wallet offers,
ESCO links kept."""

from __future__ import annotations

import dataclasses
import email
import re
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from microcred.bootstrap import Register
from microcred.domain import Learner, LearningOutcome
from microcred.services import auth, catalogue, enrolments, issuance
from microcred.vocab.esco import esco_skills
from tests.web.conftest import csrf_of, finished_job

PASSWORD = "correct horse battery"
NEW_EDITION = "code,offering_code,start_date,end_date,capacity\nMC-DISINFO-2025,MC-DISINFO,2025-09-20,2026-01-31,40\n"


@pytest.fixture
def staff(demo: Register, client: TestClient) -> TestClient:
    auth.add_staff("desk@ugent.be", provider="ugent", password=PASSWORD, uow=demo.uow, clock=demo.clock)
    token = csrf_of(client.get("/desk").text)
    client.post("/desk/login", data={"email": "desk@ugent.be", "password": PASSWORD, "csrf_token": token})
    return client


def _finished(client: TestClient, started: Response) -> Response:
    """The full job page of a job the desk started, once the job has finished."""
    finished_job(client, started)
    return client.get(started.url.path)


def _upload(client: TestClient, content: str, *, kind: str = "editions", dry_run: bool = True) -> Response:
    token = csrf_of(client.get("/desk/imports").text)
    data = {"csrf_token": token, "kind": kind, **({"dry_run": "1"} if dry_run else {})}
    started = client.post("/desk/imports", data=data, files={"file": ("editions.csv", content.encode(), "text/csv")})
    return _finished(client, started)


def _edition_codes(demo: Register) -> list[str]:
    return [e.code for e in enrolments.list_editions("ugent", "MC-DISINFO", demo.uow)]


def test_a_dry_run_reports_and_stores_nothing_then_import_now_stores_it(demo: Register, staff: TestClient) -> None:
    checked = _upload(staff, NEW_EDITION)
    assert checked.status_code == 200
    assert "Het bestand is in orde. Er is nog niets opgeslagen." in checked.text
    assert "MC-DISINFO-2025" not in _edition_codes(demo)
    imported = _finished(staff, staff.post("/desk/imports/confirm", data={"csrf_token": csrf_of(checked.text)}))
    assert imported.status_code == 200
    assert "Het bestand is ingevoerd." in imported.text
    assert "MC-DISINFO-2025" in _edition_codes(demo)
    again = staff.post("/desk/imports/confirm", data={"csrf_token": csrf_of(checked.text)})
    assert again.status_code == 410, "a checked file is imported once"
    assert "Het gecontroleerde bestand is niet meer beschikbaar" in again.text


def test_a_dry_run_that_found_problems_cannot_be_imported(staff: TestClient) -> None:
    checked = _upload(staff, NEW_EDITION.replace("2025-09-20", "2025-13-40"))
    assert checked.status_code == 422
    assert "Nu invoeren" not in checked.text
    refused = staff.post("/desk/imports/confirm", data={"csrf_token": csrf_of(staff.get("/desk/imports").text)})
    assert refused.status_code == 410


def test_an_upload_without_a_file_or_kind_is_refused_on_the_import_page(staff: TestClient) -> None:
    token = csrf_of(staff.get("/desk/imports").text)
    no_file = staff.post("/desk/imports", data={"csrf_token": token, "kind": "editions"})
    assert no_file.status_code == 422
    assert "Kies een bestand" in no_file.text
    no_kind = staff.post(
        "/desk/imports", data={"csrf_token": token, "kind": "providers"}, files={"file": ("p.csv", b"x", "text/csv")}
    )
    assert no_kind.status_code == 422
    assert "Kies wat het bestand bevat." in no_kind.text


def test_a_bad_row_is_reported_by_row_column_value_and_reason(demo: Register, staff: TestClient) -> None:
    bad = NEW_EDITION + "MC-DISINFO-2026,MC-DISINFO,2026-13-40,2027-01-31,40\n"
    page = _upload(staff, bad, dry_run=False)
    assert page.status_code == 422
    assert 'id="import-problems"' in page.text
    row = page.text.split('id="import-problems"')[1].split("</tbody>")[0]
    assert '<td class="num">3</td>' in row
    assert "<code>start_date</code>" in row
    assert "<code>2026-13-40</code>" in row
    assert "er is niets opgeslagen" in page.text
    assert "Nu invoeren" not in page.text
    assert "MC-DISINFO-2025" not in _edition_codes(demo), "all or nothing"


def test_an_import_cannot_write_another_providers_records(demo: Register, staff: TestClient) -> None:
    theirs = (
        "provider,code,offering_code,start_date,end_date,capacity\nvub,MC-DSS-2030,MC-DSS,2030-09-20,2031-01-31,40\n"
    )
    page = _upload(staff, theirs, dry_run=False)
    assert page.status_code == 422
    assert "<code>provider</code>" in page.text
    assert "MC-DSS-2030" not in [e.code for e in enrolments.list_editions("vub", "MC-DSS", demo.uow)]


def test_the_import_page_needs_a_signed_in_staff_member(client: TestClient) -> None:
    assert client.get("/desk/imports", follow_redirects=False).status_code == 303


def test_issuing_runs_as_a_job_whose_progress_page_polls_until_done(demo: Register, staff: TestClient) -> None:
    token = csrf_of(staff.get("/desk").text)
    started = staff.post("/desk/editions/MC-DISINFO-2024/issue", data={"csrf_token": token})
    assert started.url.path.startswith("/desk/jobs/")
    assert 'id="job"' in started.text
    done = finished_job(staff, started)
    assert "<html" not in done, "htmx gets only the partial"
    count = len(issuance.list_credentials("ugent", uow=demo.uow))
    assert count > 0
    assert f"{count} credentials uitgereikt voor editie MC-DISINFO-2024" in done
    full = staff.get(started.url.path)
    assert "<html" in full.text
    assert "Terug naar de balie" in full.text


@pytest.mark.parametrize("task", ["issue", "offers"])
def test_another_providers_staff_can_neither_start_nor_follow_the_job(
    demo: Register, staff: TestClient, task: str
) -> None:
    if task == "offers":
        _reachable_learners(demo, "MC-DISINFO-2024")
    outbox = Path(demo.settings.outbox_dir)
    token = csrf_of(staff.get("/desk").text)
    started = staff.post(f"/desk/editions/MC-DISINFO-2024/{task}", data={"csrf_token": token})
    finished_job(staff, started)
    auth.add_staff("desk@vub.be", provider="vub", password=PASSWORD, uow=demo.uow, clock=demo.clock)
    with TestClient(staff.app) as other:
        login = csrf_of(other.get("/desk").text)
        other.post("/desk/login", data={"email": "desk@vub.be", "password": PASSWORD, "csrf_token": login})
        assert other.get(started.url.path).status_code == 404
        before = set(outbox.glob("*.eml"))
        refused = other.post(
            f"/desk/editions/MC-DISINFO-2024/{task}", data={"csrf_token": csrf_of(other.get("/desk").text)}
        )
        assert refused.status_code == 404, "ugent's edition is no edition of vub's"
        assert "/desk/jobs/" not in str(refused.url)
        assert set(outbox.glob("*.eml")) == before


def test_issuing_an_unknown_edition_is_not_found_and_starts_no_job(staff: TestClient) -> None:
    """Before any job starts: an edition the staff member's provider does not have (another provider's, too)."""
    token = csrf_of(staff.get("/desk").text)
    answer = staff.post("/desk/editions/NO-SUCH-EDITION/issue", data={"csrf_token": token})
    assert answer.status_code == 404
    assert "/desk/jobs/" not in str(answer.url)
    assert "NO-SUCH-EDITION" in answer.text


def test_editing_learning_outcomes_keeps_their_esco_skills(demo: Register, staff: TestClient) -> None:
    offering = catalogue.get_offering("ugent", "MC-DISINFO", demo.uow)
    linked = [
        LearningOutcome(o.text, skill)
        for o, skill in zip(offering.learning_outcomes, list(esco_skills())[:9], strict=False)
    ]
    catalogue.save_offering(dataclasses.replace(offering, learning_outcomes=linked), demo.uow)
    form = staff.get("/desk/offerings/MC-DISINFO/edit").text
    values = _form_fields(form)
    lines = values["learning_outcomes_nl"].splitlines()
    values["learning_outcomes_nl"] = "\n".join([lines[0] + " (herwerkt)", *lines[1:]])
    saved = staff.post("/desk/offerings", data=values)
    assert saved.status_code == 200, saved.text
    stored = catalogue.get_offering("ugent", "MC-DISINFO", demo.uow)
    assert [o.esco_skill for o in stored.learning_outcomes] == [o.esco_skill for o in linked]
    assert "(herwerkt)" in stored.learning_outcomes[0].text.get("nl")


def _form_fields(html: str) -> dict[str, str]:
    """The offering form's fields as the browser would post them (inputs, selected options, textareas)."""
    fields: dict[str, str] = {}
    form = html.split('action="/desk/offerings"')[1].split("</form>", maxsplit=1)[0]
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="checkbox"' not in tag:
            fields[name.group(1)] = unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        fields[name] = unescape(chosen.group(1)) if chosen else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        fields[name] = unescape(body.removeprefix("\n"))  # a browser drops the newline after <textarea>
    return fields


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_import_templates_download_from_the_desk_and_read_back_as_a_valid_row(
    staff: TestClient, fmt: str, tmp_path: object
) -> None:
    from pathlib import Path

    from microcred.io import layout, open_table

    page = staff.get("/desk/imports")
    assert f'href="/templates/enrolments.{fmt}"' in page.text
    response = staff.get(f"/templates/enrolments.{fmt}")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    path = Path(str(tmp_path)) / f"enrolments.{fmt}"
    path.write_bytes(response.content)
    with open_table(path, layout("enrolments"), max_bytes=1 << 20) as table:
        [(_, cells, problems)] = list(table.rows)
    assert problems == []
    assert cells["reference"]


def test_an_unknown_template_is_not_found(client: TestClient) -> None:
    assert client.get("/templates/learners.csv").status_code == 404
    assert client.get("/templates/offerings.exe").status_code == 404


def test_the_desk_report_shows_warnings_and_never_a_learner_identifier(demo: Register, staff: TestClient) -> None:
    """Issue 14: a date read day first is a warning on the page; a wrongly delimited enrolments file is refused
    without its cells, which hold learner identifiers."""
    page = _upload(staff, NEW_EDITION.replace("2025-09-20", "03/09/2025"))
    warnings = page.text.split('id="import-warnings"')[1].split("</tbody>")[0]
    assert "<code>start_date</code>" in warnings
    assert "<code>03/09/2025</code>" in warnings
    assert "<code>2025-09-03</code>" in warnings
    header = "reference,edition_code,learner_id,enrolment_date,contract_type\n"
    wrong = header + "R1;MC-DISINFO-2025;r0999111;2025-09-01;02\nR2;MC-DISINFO-2025;r0999222;2025-09-01;02\n"
    refused = _upload(staff, wrong, kind="enrolments")
    assert 'id="import-problems"' in refused.text
    assert "the header has 5" in unescape(refused.text) or "de kopregel heeft er 5" in unescape(refused.text)
    assert "r0999111" not in refused.text
    assert "r0999222" not in refused.text


def _reachable_learners(demo: Register, edition: str) -> dict[str, str]:
    """Issue the edition for ugent and give two of its learners an address there; the active credentials
    whose learner ugent has an address for, by address."""
    demo.issuance.issue_for_edition("ugent", edition)
    issued = [c for c in issuance.list_credentials("ugent", uow=demo.uow) if c.edition_code == edition]
    with demo.uow() as work:
        for number, credential in enumerate(issued[:2]):
            work.learners.save(Learner(credential.learner, f"desk-offer{number}@example.org"), provider="ugent")
        work.commit()
        found = {work.learners.email_of(c.learner, "ugent"): c.uuid for c in issued}
    return {address: uuid for address, uuid in found.items() if address is not None}


def test_the_desk_mails_wallet_offers_as_a_job_and_a_second_run_mails_nobody(demo: Register, staff: TestClient) -> None:
    reachable = _reachable_learners(demo, "MC-DISINFO-2024")
    outbox = Path(demo.settings.outbox_dir)
    before = set(outbox.glob("*.eml"))
    token = csrf_of(staff.get("/desk").text)
    assert "/desk/editions/MC-DISINFO-2024/offers" in staff.get("/desk").text
    started = staff.post("/desk/editions/MC-DISINFO-2024/offers", data={"csrf_token": token})
    assert "<h1>Wallet-aanbod mailen</h1>" in started.text  # not "Credentials uitreiken": it issues nothing
    done = finished_job(staff, started)
    assert f"{len(reachable)} lerenden van editie MC-DISINFO-2024 kregen een wallet-aanbod per e-mail" in done
    sent = set(outbox.glob("*.eml")) - before
    assert sorted(email.message_from_bytes(p.read_bytes())["To"] for p in sent) == sorted(reachable)
    again = finished_job(staff, staff.post("/desk/editions/MC-DISINFO-2024/offers", data={"csrf_token": token}))
    assert f"0 lerenden van editie MC-DISINFO-2024 kregen een wallet-aanbod per e-mail; {len(reachable)}" in again
    assert set(outbox.glob("*.eml")) - before == sent
    forced = staff.post("/desk/editions/MC-DISINFO-2024/offers", data={"csrf_token": token, "again": "1"})
    assert f"{len(reachable)} lerenden" in finished_job(staff, forced)
    assert len(set(outbox.glob("*.eml")) - before) == 2 * len(reachable)


def test_the_desk_mails_learners_who_passed_before_their_credential_is_issued_when_ticked(
    demo: Register, staff: TestClient
) -> None:
    """Decision 0035: with *pending* ticked, a passed learner without a credential is offered it too; the job
    says how many, and nothing is issued by mailing."""
    with demo.uow() as work:
        waiting = work.deferred.pending_targets("ugent", "MC-DISINFO-2024")
        assert waiting, "the demo edition has passed learners without a credential"
        pseudonym = work.enrolments.get_by_id(waiting[0][0]).learner
        work.learners.save(Learner(pseudonym, "desk-pending@example.org"), provider="ugent")
        work.commit()
    outbox = Path(demo.settings.outbox_dir)
    before = set(outbox.glob("*.eml"))
    page = staff.get("/desk").text
    assert 'name="pending" value="1"' in page
    token = csrf_of(page)
    plain = finished_job(staff, staff.post("/desk/editions/MC-DISINFO-2024/offers", data={"csrf_token": token}))
    assert "vóór hun credential is uitgereikt" not in plain
    ticked = staff.post("/desk/editions/MC-DISINFO-2024/offers", data={"csrf_token": token, "pending": "1"})
    done = finished_job(staff, ticked)
    assert "1 van hen kregen het aanbod vóór hun credential is uitgereikt" in done
    sent = [email.message_from_bytes(p.read_bytes()) for p in set(outbox.glob("*.eml")) - before]
    assert [str(message["To"]) for message in sent] == ["desk-pending@example.org"]
    assert issuance.list_credentials("ugent", uow=demo.uow) == [], "mailing an offer issues nothing"
