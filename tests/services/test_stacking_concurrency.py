"""Two issue requests for the same learner and rule at once get the same stacked credential (issue 19: issued
once per rule and learner, "also under concurrent calls"), through the API served by uvicorn, on SQLite and
on PostgreSQL.

Without the second "issued before?" look taken under the provider's status-list lock
(``Stacking._issue``) the second request answers 409 (``concurrent-save``): seen when that look was removed.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import httpx
import pytest

from microcred.asgi import create_app
from microcred.domain import Edition, Enrolment, Learner
from microcred.services import auth
from microcred.settings import Settings
from microcred.testing import served_in_thread
from tests.api.conftest import ALL_SCOPES
from tests.credentials.register_setup import offering, provider
from tests.services.stacking_setup import INSZ, Stacked, pseudonym, rule, seed


@pytest.fixture
def stacked(settings: Settings) -> Stacked:
    return seed(settings)


def _awarding_provider_without_credentials(stacked: Stacked) -> None:
    """``stapel``: a provider that has issued nothing yet (its first credential opens its status lists), with
    the learner enrolled in its own offering, awarding a rule built from hoge's and andere's credentials."""
    with stacked.register.uow() as work:
        work.providers.save(provider("stapel"))
        work.offerings.save(offering("stapel", "S"))
        work.editions.save(Edition("stapel", "S-2025", "S", date(2025, 9, 20), date(2026, 1, 31)))
        learner = pseudonym(INSZ, "stapel")
        work.learners.save(Learner(learner, email="learner@example.be"), provider="stapel")
        work.enrolments.save(Enrolment("stapel", "S-1", "S-2025", learner, enrolment_date=date(2025, 9, 20)))
        work.commit()
    components = [{"provider": "hoge", "offering_code": "A"}, {"provider": "andere", "offering_code": "C"}]
    stacked.register.stacking.put_rule("stapel", rule(components=components, other_providers=True))


@pytest.mark.parametrize("awarding", ["hoge", "stapel"])
def test_two_concurrent_issue_requests_answer_201_with_one_credential(stacked: Stacked, awarding: str) -> None:
    """Both requests pass the first look and verify the components at the same time; the second to take the
    lock finds the first's credential and answers it (201, the same id), not 409."""
    register = stacked.register
    if awarding == "stapel":
        _awarding_provider_without_credentials(stacked)
    else:
        register.stacking.put_rule("hoge", rule())
    token = auth.create_token(provider=awarding, scopes=ALL_SCOPES, uow=register.uow, clock=register.clock).token
    start = threading.Barrier(2)
    with served_in_thread(create_app(register)) as base_url:
        url = f"{base_url}/api/v1/providers/{awarding}/stack-rules/PG/credentials"

        def post(_: int) -> httpx.Response:
            with httpx.Client(timeout=60) as client:
                start.wait()
                return client.post(url, json={"learner_id": INSZ}, headers={"Authorization": f"Bearer {token}"})

        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(post, range(2)))
    assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert [s.uuid for s in register.stacking.stacked_of_provider(awarding)] == [answers[0].json()["id"]]
