"""The wallet shows the stacks a learner has started and the recognition decisions made on their credentials."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from microcred.asgi import create_app
from microcred.settings import Settings
from tests.services.stacking_setup import INSZ, Stacked, rule, seed
from tests.web.conftest import csrf_of
from tests.web.test_wallet import _open_wallet


@pytest.fixture
def stacked(settings: Settings) -> Stacked:
    return seed(settings)


@pytest.fixture
def client(stacked: Stacked) -> Iterator[TestClient]:
    with TestClient(create_app(stacked.register)) as test_client:
        yield test_client


def test_the_wallet_shows_progress_the_stacked_credential_and_recognitions(
    stacked: Stacked, client: TestClient
) -> None:
    register = stacked.register
    components = [
        {"provider": "hoge", "offering_code": "A"},
        {"provider": "andere", "offering_code": "C"},
        {"provider": "hoge", "offering_code": "B"},
    ]
    register.stacking.put_rule("hoge", rule(components=components, other_providers=True))
    register.stacking.put_rule("hoge", rule("PG-MORE", kind="ects", min_ects="20", components=components,
                                            other_providers=True))  # fmt: skip
    issued = register.stacking.issue("hoge", "PG", INSZ)
    register.recognition.record(
        "andere",
        INSZ,
        stacked.credentials["A"].document,
        {
            "outcome": "recognised",
            "recognised_for": "Data science (G0X12A)",
            "kind": "exemption",
            "ects": Decimal(5),
            "basis": ["learning-outcomes"],
            "decided_on": date(2025, 7, 1),
            "decided_by": "Examencommissie",
        },
    )
    page = _open_wallet(client, register, "learner@example.be")
    assert "Postgraduaat data" in page or "Postgraduate certificate in data" in page
    assert issued.uuid in page
    assert 'data-rule="hoge/PG-MORE"' in page
    assert "Data science (G0X12A)" in page
    assert INSZ not in page
    more = page[page.index('data-rule="hoge/PG-MORE"') :]
    assert "nog 6 studiepunten" in more[: more.index("</article>")]  # 4 + 6 + 4 of 20 ECTS


def test_an_offering_page_says_what_it_counts_towards(stacked: Stacked, client: TestClient) -> None:
    components = [{"provider": "hoge", "offering_code": "A"}, {"provider": "andere", "offering_code": "C"}]
    stacked.register.stacking.put_rule("hoge", rule(kind="n-of", required_count=1, components=components,
                                                    other_providers=True))  # fmt: skip
    page = client.get("/offerings/andere/C", headers={"Accept-Language": "en"}).text
    assert 'data-rule="hoge/PG"' in page
    assert "1 of 2 components" in page
    assert "data-rule" not in client.get("/offerings/hoge/B").text


def test_the_desk_shows_rules_stacked_credentials_and_decisions_and_ends_a_review(
    stacked: Stacked, client: TestClient
) -> None:
    register = stacked.register
    register.stacking.put_rule("hoge", rule())
    issued = register.stacking.issue("hoge", "PG", INSZ)
    stacked.revoke("A")
    register.access.add_staff("desk@hoge.be", provider="hoge", password="correct horse battery")
    form = client.get("/desk").text
    client.post("/desk/login", data={"email": "desk@hoge.be", "password": "correct horse battery",
                                     "csrf_token": csrf_of(form)})  # fmt: skip
    desk = client.get("/desk").text
    assert f'data-stacked="{issued.uuid}"' in desk
    assert 'data-rule="PG"' in desk
    answer = client.post(
        f"/desk/stacked/{issued.uuid[9:]}/review",
        data={"csrf_token": csrf_of(desk), "decision": "revoke", "reason": "component revoked for fraud"},
    )
    assert answer.status_code == 200
    assert register.stacking.get_stacked(issued.uuid).state.value == "revoked"
