"""The judged query set on the demo register: figures above the floors, the same answers on both backends.

The floors are set a little under what the search measured when they were set (decision 0022): a change
that loses relevant offerings fails here; `make bench` reports the figures themselves.
"""

from __future__ import annotations

from datetime import date
from statistics import mean

import pytest

from microcred.bootstrap import build
from microcred.domain import Offering
from microcred.services.demo import load_demo
from microcred.services.search import CatalogueQuery, search_offerings
from tests.databases import TEST_PEPPER, Content, database_copy, settings_for
from tests.search.judged import Measured, base_title, judged_queries, measure

DEMO = Content("demo register for the judged queries", lambda wired: load_demo(wired.uow, pepper=TEST_PEPPER))
TODAY = date(2026, 2, 1)
NDCG_FLOOR = 0.90
RECALL_FLOOR = 0.88

Answers = dict[str, list[Offering]]


def _answers(request: pytest.FixtureRequest, backend: str) -> tuple[Answers, list[Offering]]:
    """Every offering each judged query finds, best first, and all published offerings of the register."""
    folder = request.getfixturevalue("tmp_path_factory").mktemp("outbox")
    register = build(settings_for(database_copy(request, backend, DEMO), folder))
    try:

        def found(text: str) -> list[Offering]:
            page = search_offerings(CatalogueQuery(text=text, page_size=100), register.uow, today=TODAY)
            assert page.total <= 100
            return [hit.offering for hit in page.hits]

        return {judged.text: found(judged.text) for judged in judged_queries()}, found("")
    finally:
        register.close()


@pytest.fixture(scope="module")
def on_sqlite(request: pytest.FixtureRequest) -> tuple[Answers, list[Offering]]:
    return _answers(request, "sqlite")


@pytest.fixture(scope="module")
def on_postgres(request: pytest.FixtureRequest) -> tuple[Answers, list[Offering]]:
    return _answers(request, "postgres")


def _measured(answers: tuple[Answers, list[Offering]]) -> list[Measured]:
    found, register = answers
    return [measure(judged, found[judged.text], register) for judged in judged_queries()]


def test_the_judged_set_has_forty_queries_in_each_language_and_judges_offerings_in_the_register(
    on_sqlite: tuple[Answers, list[Offering]],
) -> None:
    queries = judged_queries()
    assert sum(1 for q in queries if q.language == "nl") >= 20
    assert sum(1 for q in queries if q.language == "en") >= 20
    assert len(queries) >= 40
    assert len({q.text for q in queries}) == len(queries)
    titles = {base_title(offering) for offering in on_sqlite[1]}
    assert [q.text for q in queries if not titles & set(q.relevant)] == []


def test_the_search_meets_its_floors_on_sqlite(on_sqlite: tuple[Answers, list[Offering]]) -> None:
    measured = _measured(on_sqlite)
    assert mean(m.ndcg for m in measured) >= NDCG_FLOOR
    assert mean(m.recall for m in measured) >= RECALL_FLOOR


@pytest.mark.postgres
def test_postgres_finds_the_same_offerings_with_the_same_figures(
    on_sqlite: tuple[Answers, list[Offering]], on_postgres: tuple[Answers, list[Offering]]
) -> None:
    def keys(offerings: list[Offering]) -> set[str]:
        return {f"{o.provider}/{o.code}" for o in offerings}

    differing = [text for text, found in on_sqlite[0].items() if keys(found) != keys(on_postgres[0][text])]
    assert differing == []
    lite, pg = _measured(on_sqlite), _measured(on_postgres)
    assert [(m.text, round(m.recall, 3)) for m in lite] == [(m.text, round(m.recall, 3)) for m in pg]
    assert mean(m.ndcg for m in pg) >= NDCG_FLOOR
