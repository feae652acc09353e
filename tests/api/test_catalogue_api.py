"""Catalogue, providers, offerings, editions and enrolments over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import OWNER, Tokens

COMPLETE_OFFERING = {
    "code": "MC-API-1",
    "title": {"nl": "Datageletterdheid", "en": "Data literacy"},
    "learning_outcomes": [{"text": {"en": "reads a chart critically"}}],
    "ects": 3,
    "eqf_level": 6,
    "isced_field": "0688",
    "assessment_type": "4f03b91c0e",
    "participation_form": "online",
    "quality_assurance": "institutional-review",
    "languages": ["nl"],
}


def test_provider_creates_checks_publishes_and_the_catalogue_shows_it(client: TestClient, tokens: Tokens) -> None:
    owner = Tokens.header(tokens.owner)
    draft = {"code": "MC-API-1", "title": {"nl": "Datageletterdheid"}}
    created = client.post(f"/api/v1/providers/{OWNER}/offerings", headers=owner, json=draft)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "draft"

    check = client.get(f"/api/v1/providers/{OWNER}/offerings/MC-API-1/check", headers=owner).json()
    assert check["complete"] is False
    assert {"learning_outcomes", "workload", "eqf_level"} <= {p["field"] for p in check["problems"]}

    refused = client.post(f"/api/v1/providers/{OWNER}/offerings/MC-API-1/publish", headers=owner)
    assert refused.status_code == 422
    assert "workload" in {error["field"] for error in refused.json()["errors"]}

    put = client.put(f"/api/v1/providers/{OWNER}/offerings/MC-API-1", headers=owner, json=COMPLETE_OFFERING)
    assert put.status_code == 200, put.text
    assert client.get(f"/api/v1/catalogue/{OWNER}/MC-API-1").status_code == 404  # still a draft
    published = client.post(f"/api/v1/providers/{OWNER}/offerings/MC-API-1/publish", headers=owner)
    assert published.status_code == 200
    assert published.json()["status"] == "published"

    public = client.get(f"/api/v1/catalogue/{OWNER}/MC-API-1")
    assert public.status_code == 200
    assert public.json()["ects"] == 3
    # Codes stay codes; each comes with its label in both languages (issue 18: no raw codes for people).
    assert public.json()["assessment_type"] == "4f03b91c0e"
    labels = public.json()["labels"]
    assert set(labels["assessment_type"]) == {"4f03b91c0e"}
    assert set(labels["assessment_type"]["4f03b91c0e"]) == {"nl", "en"}
    assert labels["languages"] == {"nl": {"nl": "Nederlands", "en": "Dutch"}}
    assert labels["participation_form"]["online"]["en"] == "Online"
    found = client.get("/api/v1/catalogue", params={"q": "datageletterdheid"}).json()["items"]
    assert [item["code"] for item in found] == ["MC-API-1"]


def test_editions_and_enrolments_are_recorded_under_pseudonyms(client: TestClient, tokens: Tokens) -> None:
    owner = Tokens.header(tokens.owner)
    edition = {"code": "MC-DSS-2025", "start_date": "2025-09-22", "end_date": "2026-01-30", "capacity": 30}
    made = client.post(f"/api/v1/providers/{OWNER}/offerings/MC-DSS/editions", headers=owner, json=edition)
    assert made.status_code == 201, made.text
    assert made.json()["academic_year"] == "2025-26"
    enrolment = {
        "reference": "API-E-1",
        "edition_code": "MC-DSS-2025",
        "learner_id": "r0999999",
        "learner_email": "Learner@example.org",
        "enrolment_date": "2025-09-22",
    }
    created = client.post(f"/api/v1/providers/{OWNER}/enrolments", headers=owner, json=enrolment)
    assert created.status_code == 201, created.text
    body = created.json()
    assert len(body["learner"]) == 64
    assert "r0999999" not in created.text
    assert "example.org" not in created.text

    passed = {**enrolment, "outcome": "passed", "grade": "15", "outcome_date": "2026-01-30"}
    updated = client.put(f"/api/v1/providers/{OWNER}/enrolments/API-E-1", headers=owner, json=passed)
    assert updated.status_code == 200
    assert updated.json()["outcome"] == "passed"
    assert updated.json()["learner"] == body["learner"]

    listed = client.get(f"/api/v1/providers/{OWNER}/editions/MC-DSS-2025/enrolments", headers=owner).json()
    assert [e["reference"] for e in listed["items"]] == ["API-E-1"]


def test_enrolment_rules_come_back_as_field_problems(client: TestClient, tokens: Tokens) -> None:
    bad = {
        "reference": "API-E-2",
        "edition_code": "MC-DSS-2023",
        "learner_id": "r1",
        "enrolment_date": "2023-09-20",
        "outcome": "passed",
        "outcome_date": "2023-09-19",
    }
    response = client.post(f"/api/v1/providers/{OWNER}/enrolments", headers=Tokens.header(tokens.owner), json=bad)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "outcome_date", "reason": "must not be before the enrolment date", "code": "before-enrolment-date"}
    ]


def test_cursor_pages_walk_every_provider_once(client: TestClient) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/providers", params=params).json()
        seen += [provider["slug"] for provider in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    everything = client.get("/api/v1/providers", params={"limit": 100}).json()["items"]
    assert seen == [provider["slug"] for provider in everything]
    assert len(seen) == len(set(seen)) > 8


def test_a_cursor_from_other_filters_is_refused(client: TestClient) -> None:
    first = client.get("/api/v1/providers", params={"limit": 2, "sort": "name"}).json()
    response = client.get("/api/v1/providers", params={"limit": 2, "cursor": first["next_cursor"]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.cursor"


def test_filters_and_sorting(client: TestClient) -> None:
    universities = client.get("/api/v1/providers", params={"type": "university", "limit": 100}).json()["items"]
    assert universities
    assert {p["type"] for p in universities} == {"university"}
    by_name = client.get("/api/v1/providers", params={"sort": "name", "limit": 100}).json()["items"]
    names = [p["name"]["nl"].casefold() for p in by_name]
    assert names == sorted(names)


def test_public_resources_carry_an_etag_and_answer_304(client: TestClient) -> None:
    for url in ("/api/v1/catalogue", f"/api/v1/providers/{OWNER}", "/api/v1/trusted-providers"):
        first = client.get(url)
        etag = first.headers["etag"]
        assert first.status_code == 200
        assert etag.startswith('"')
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.content == b""
        assert client.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_operator_registers_a_provider_and_its_quality_assurance(client: TestClient, tokens: Tokens) -> None:
    admin = Tokens.header(tokens.admin)
    provider = {"slug": "new-school", "name": {"nl": "Nieuwe School"}, "type": "other-private"}
    assert client.post("/api/v1/providers", headers=admin, json=provider).status_code == 201
    assert client.post("/api/v1/providers", headers=admin, json=provider).status_code == 409
    untrusted = client.get("/api/v1/trusted-providers").json()
    assert "new-school" not in {p["slug"] for p in untrusted}
    record = {"agency": "NVAO", "kind": "institutional-review", "valid_from": "2020-01-01"}
    added = client.post("/api/v1/providers/new-school/quality-assurances", headers=admin, json=record)
    assert added.status_code == 201, added.text
    assert client.post("/api/v1/providers/new-school/quality-assurances", headers=admin, json=record).status_code == 409
    assert "new-school" in {p["slug"] for p in client.get("/api/v1/trusted-providers").json()}
    assert client.get("/api/v1/providers/new-school").json()["trusted"] is True


def test_an_esco_skill_outside_the_shipped_list_is_kept_but_a_malformed_one_is_refused(
    client: TestClient, tokens: Tokens
) -> None:
    outside = "http://data.europa.eu/esco/skill/00000000-0000-4000-8000-000000000000"
    owner = Tokens.header(tokens.owner)
    kept = {**COMPLETE_OFFERING, "learning_outcomes": [{"text": {"en": "reads a chart"}, "esco_skill": outside}]}
    response = client.post(f"/api/v1/providers/{OWNER}/offerings", headers=owner, json=kept)
    assert response.status_code == 201, response.text
    assert response.json()["learning_outcomes"][0]["esco_skill"] == outside
    malformed = {
        **COMPLETE_OFFERING,
        "code": "MC-ESCO-2",
        "learning_outcomes": [{"text": {"en": "reads a chart"}, "esco_skill": "http://data.europa.eu/esco/skill/x"}],
    }
    refused = client.post(f"/api/v1/providers/{OWNER}/offerings", headers=owner, json=malformed)
    assert refused.status_code == 422
    assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [
        ("learning_outcomes[1]", "esco-skill-format")
    ]
