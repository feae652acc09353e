"""Cursor pages over HTTP, read in the database: every record once, explicit maxima, no forged positions.

Each list route is walked with a page size smaller than the list, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from microcred.api.http import encode_cursor, fingerprint
from microcred.bootstrap import Register
from microcred.domain import LangText, Offering
from microcred.errors import Invalid
from microcred.services import catalogue, enrolments, issuance
from tests.api.conftest import OWNER, Tokens

ROOT = Path(__file__).resolve().parents[2]
EDITION = "MC-DSS-2023"  # a demo edition of OWNER with passed enrolments


def walk(client: TestClient, url: str, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    """Every item of a list route, following ``next_cursor`` until it is null."""
    seen: list[dict[str, Any]] = []
    cursor = None
    for _ in range(200):
        answer = client.get(url, params={**params, **({"cursor": cursor} if cursor else {})}, headers=headers)
        assert answer.status_code == 200, answer.text
        seen += answer.json()["items"]
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError(f"{url} never reached its last page")


def add_offerings(register: Register) -> None:
    """Drafts with tied titles and credits, so that every order needs its tie-breaker."""
    titles = ["Zorg", "analyse", "Analyse", "Éthique", "beeld", "Beeld", "data"]
    credits = [Decimal(3), None, Decimal("4.5"), Decimal(3), Decimal(60), None, Decimal("4.5")]
    with register.uow() as work:
        for number, (title, ects) in enumerate(zip(titles, credits, strict=True)):
            work.offerings.save(Offering(OWNER, f"PAGE-{number:02d}", LangText.of(title), ects=ects))
        work.commit()


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("code", lambda o: o.code),
        ("title", lambda o: (o.title.get("nl").lower(), o.code)),
        ("-ects", lambda o: (-(o.ects or 0), o.code)),
    ],
)
def test_the_offering_page_walk_returns_every_offering_once_in_order(
    client: TestClient, tokens: Tokens, demo_register: Register, sort: str, key: Any
) -> None:
    add_offerings(demo_register)
    url = f"/api/v1/providers/{OWNER}/offerings"
    seen = [o["code"] for o in walk(client, url, Tokens.header(tokens.owner), limit=2, sort=sort)]
    expected = sorted(catalogue.list_offerings(demo_register.uow, provider=OWNER), key=key)
    assert len(seen) > 2
    assert seen == [o.code for o in expected]


def test_an_offering_added_between_requests_is_listed_once(
    client: TestClient, tokens: Tokens, demo_register: Register
) -> None:
    add_offerings(demo_register)
    owner = Tokens.header(tokens.owner)
    url = f"/api/v1/providers/{OWNER}/offerings"
    first = client.get(url, params={"limit": 1}, headers=owner).json()
    assert first["next_cursor"] is not None
    new = {"code": "ZZ-LATE", "title": {"nl": "Laat"}}
    assert client.post(url, headers=owner, json=new).status_code == 201
    rest = walk(client, url, owner, limit=1, cursor=first["next_cursor"])
    seen = [o["code"] for o in first["items"] + rest]
    assert seen.count("ZZ-LATE") == 1
    assert seen == sorted(o.code for o in catalogue.list_offerings(demo_register.uow, provider=OWNER))


def test_enrolment_and_credential_walks_return_every_record(
    client: TestClient, tokens: Tokens, demo_register: Register
) -> None:
    owner = Tokens.header(tokens.owner)
    enrolments = walk(client, f"/api/v1/providers/{OWNER}/editions/{EDITION}/enrolments", owner, limit=3)
    with demo_register.uow() as work:
        stored = [e.reference for e in work.enrolments.list_for_edition(OWNER, EDITION)]
    assert [e["reference"] for e in enrolments] == stored
    assert len(stored) > 3

    wired = demo_register
    count = issuance.issue_for_edition(
        OWNER, EDITION, uow=wired.uow, keys=wired.key_store, settings=wired.settings, clock=wired.clock
    )
    issued = [c for c in issuance.list_credentials(OWNER, uow=wired.uow) if c.edition_code == EDITION]
    assert count == len(issued), "the demo issued none of this edition's credentials"
    credentials = walk(client, f"/api/v1/providers/{OWNER}/credentials", owner, limit=2, edition=EDITION)
    newest_first = sorted(issued, key=lambda c: (-c.issued_at.timestamp(), -(c.id or 0)))
    assert [c["id"] for c in credentials] == [c.uuid for c in newest_first]
    assert len(issued) > 2


def paged_routes() -> list[tuple[str, int, int]]:
    """(path, default, maximum) of the ``limit`` of every route with a cursor, from the OpenAPI document."""
    from microcred.asgi import create_app  # a throw-away app: only its schema is read
    from microcred.bootstrap import build
    from microcred.settings import Settings

    app: FastAPI = create_app(build(Settings(database_url="sqlite://", environment="test")))
    found = []
    for path, operations in app.openapi()["paths"].items():
        parameters = {p["name"]: p for p in operations.get("get", {}).get("parameters", [])}
        if "cursor" in parameters:
            limit = parameters["limit"]["schema"]
            found.append((path, limit["default"], limit["maximum"]))
    return sorted(found)


PAGED = paged_routes()


@pytest.mark.parametrize(("path", "default", "maximum"), PAGED)
def test_a_page_size_over_the_maximum_is_refused_not_cut_short(
    client: TestClient, tokens: Tokens, path: str, default: int, maximum: int
) -> None:
    url = path.format(slug=OWNER, edition=EDITION)
    owner = Tokens.header(tokens.owner)
    assert client.get(url, params={"limit": maximum}, headers=owner).status_code == 200
    refused = client.get(url, params={"limit": maximum + 1}, headers=owner)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "query.limit"
    assert str(maximum) in refused.json()["errors"][0]["reason"]


def test_every_paged_route_documents_its_page_sizes() -> None:
    docs = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `GET (\S+)` \| (\d+) \| (\d+) \|$", docs, re.MULTILINE)
    assert sorted((path, int(default), int(maximum)) for path, default, maximum in rows) == PAGED
    assert len(PAGED) >= 5


def test_a_forged_position_in_a_well_formed_cursor_is_refused(client: TestClient, tokens: Tokens) -> None:
    owner = Tokens.header(tokens.owner)
    forged = [
        (f"/api/v1/providers/{OWNER}/offerings", ("offerings", OWNER, None, None, "-ects"), ["lots", "vub", "X"]),
        (f"/api/v1/providers/{OWNER}/offerings", ("offerings", OWNER, None, None, "code"), {"p": 1}),
        (f"/api/v1/providers/{OWNER}/credentials", ("credentials", OWNER, None, None), ["yesterday", "urn:uuid:x"]),
        ("/api/v1/providers", ("providers", None, None, "slug"), [True]),
    ]
    for url, filters, position in forged:
        answer = client.get(url, params={"cursor": encode_cursor(position, fingerprint(*filters))}, headers=owner)
        assert answer.status_code == 422, (url, answer.text)
        assert answer.json()["errors"][0]["field"] == "query.cursor"


def test_the_services_refuse_an_oversized_page_too(demo_register: Register) -> None:
    """Other adapters than the API get the same explicit maxima: a page is refused, never shortened."""
    uow = demo_register.uow
    listings: list[tuple[Any, int]] = [
        (lambda n: catalogue.providers_page(uow, limit=n), catalogue.MAX_PROVIDERS_PAGE),
        (lambda n: catalogue.offerings_page(uow, OWNER, limit=n), catalogue.MAX_OFFERINGS_PAGE),
        (lambda n: enrolments.enrolments_page(OWNER, EDITION, uow, limit=n), enrolments.MAX_ENROLMENTS_PAGE),
        (lambda n: issuance.credentials_page(OWNER, uow=uow, limit=n), issuance.MAX_CREDENTIALS_PAGE),
    ]
    for read, maximum in listings:
        assert read(maximum).next_after is None
        for size in (0, maximum + 1):
            with pytest.raises(Invalid) as refused:
                read(size)
            assert refused.value.problems[0].field == "limit"
            assert refused.value.problems[0].reason == f"must be from 1 to {maximum}"
