"""The catalogue API keeps its pages while the catalogue is unchanged, and answers anew once any process
changed an offering or provider (issue 21, docs/decisions/0041), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from microcred.api.http import Page, json_bytes
from microcred.api.schemas import OfferingOut
from microcred.asgi import create_app
from microcred.bootstrap import Register, build
from microcred.domain import LangText, OfferingStatus
from microcred.services.search import CatalogueQuery
from microcred.settings import Settings
from tests.api.conftest import OWNER

SEARCH = {"limit": "5"}  # the first five published offerings by title


@pytest.fixture
def other_process(settings: Settings) -> Iterator[Register]:
    """A second register on the same database: what another serving process or a CLI command writes with."""
    wired = build(settings)
    yield wired
    wired.close()


def _codes(client: TestClient, **params: str) -> list[str]:
    answer = client.get("/api/v1/catalogue", params=params)
    assert answer.status_code == 200, answer.text
    return [item["code"] for item in answer.json()["items"]]


def test_a_repeated_search_is_answered_from_the_kept_page(client: TestClient, demo_register: Register) -> None:
    first = client.get("/api/v1/catalogue", params=SEARCH)
    assert len(demo_register.search.answers) == 1
    again = client.get("/api/v1/catalogue", params=SEARCH)
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert len(demo_register.search.answers) == 1
    assert client.get("/api/v1/catalogue", params={**SEARCH, "limit": "6"}).status_code == 200
    assert len(demo_register.search.answers) == 2  # another page size is another answer


def test_an_offering_changed_by_another_process_shows_at_once(
    client: TestClient, demo_register: Register, other_process: Register
) -> None:
    found = client.get("/api/v1/catalogue", params=SEARCH).json()["items"]
    assert found, "the small demo publishes offerings"
    code = found[0]["code"]
    provider = found[0]["provider"]
    offering = other_process.catalogue.get_offering(provider, code)
    renamed = LangText({**offering.title.texts, "en": "Renamed while kept"})
    other_process.catalogue.save_offering(replace(offering, title=renamed))

    shown = {item["code"]: item for item in client.get("/api/v1/catalogue", params=SEARCH).json()["items"]}
    assert shown[code]["title"]["en"] == "Renamed while kept"


def test_a_new_offering_and_a_withdrawn_one_change_the_kept_page(
    client: TestClient, demo_register: Register, other_process: Register
) -> None:
    query = {"q": "kept", "limit": "5"}
    assert _codes(client, **query) == []
    offering = next(
        o for o in other_process.catalogue.list_offerings(provider=OWNER) if o.status is OfferingStatus.PUBLISHED
    )
    added = replace(offering, id=None, code="MC-KEPT-1", title=LangText({"nl": "Kept nieuw", "en": "Kept new"}))
    other_process.catalogue.add_offering(added)
    assert _codes(client, **query) == ["MC-KEPT-1"]

    withdrawn = replace(other_process.catalogue.get_offering(OWNER, "MC-KEPT-1"), status=OfferingStatus.WITHDRAWN)
    other_process.catalogue.save_offering(withdrawn)
    assert _codes(client, **query) == []


def test_a_cache_of_size_zero_keeps_nothing(settings: Settings) -> None:
    wired = build(settings.model_copy(update={"catalogue_cache_size": 0}))
    try:
        with TestClient(create_app(wired)) as client:
            first = _codes(client, **SEARCH)
            assert _codes(client, **SEARCH) == first
        assert len(wired.search.answers) == 0
    finally:
        wired.close()


def test_pages_put_together_from_kept_offerings_are_the_pages_rendered_whole(
    client: TestClient, demo_register: Register, other_process: Register
) -> None:
    whole = client.get("/api/v1/catalogue", params={"limit": "2"})
    assert len(demo_register.search.parts) == 2, "each offering's JSON kept"
    for params in ({"limit": "1"}, {"limit": "2"}, {"limit": "100"}, {"q": "data", "limit": "100"}):
        answer = client.get("/api/v1/catalogue", params=params)
        page = Page[OfferingOut].model_validate(answer.json())
        assert answer.content == json_bytes(page), "the bytes json_bytes writes for the whole page"
        offerings = demo_register.search.find_offerings(
            CatalogueQuery(text=params.get("q", ""), page_size=int(params["limit"]))
        )[1]
        assert page.items == [OfferingOut.of(offering) for offering in offerings]
    assert page.next_cursor is None
    assert Page[OfferingOut].model_validate(whole.json()).next_cursor is not None, "a cursor in the kept bytes too"

    first = whole.json()["items"][0]
    offering = other_process.catalogue.get_offering(first["provider"], first["code"])
    other_process.catalogue.save_offering(replace(offering, title=LangText({**offering.title.texts, "en": "Zz"})))
    again = client.get("/api/v1/catalogue", params={"limit": "100"}).json()["items"]
    assert [item["title"]["en"] for item in again if item["code"] == first["code"]] == ["Zz"]
    assert len(demo_register.search.parts) == len(again), "a new catalogue version renders its offerings anew"
