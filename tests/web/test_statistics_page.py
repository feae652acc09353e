"""The statistics dashboard: the three answers, filters, downloads and the note that persons are rounded."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from microcred.asgi import create_app
from microcred.bootstrap import Register
from microcred.testing import FixedClock

# slow (seconds a test: credentials issued, a demo loaded, a report rendered or a process started):
# make test runs it, make test-fast leaves it out
pytestmark = pytest.mark.slow


def test_the_dashboard_shows_the_three_answers_with_charts_and_the_rounding_note(client: TestClient) -> None:
    page = client.get("/statistics", params={"from": "2022-23", "to": "2024-25"})
    assert page.status_code == 200
    assert page.text.count('<img src="data:image/svg+xml;base64,') >= 3
    assert "groep van minder dan 5 lerenden met dezelfde editie en hetzelfde profiel telt als 0 of als 5" in page.text
    assert "Aantallen personen afgerond ter bescherming" in page.text
    assert page.text.count("<section ") >= 3
    assert "4. Erkenning van microcredentials voor studiepunten" in page.text  # issue 19's section
    assert "Erkende studiepunten per beslissende instelling" in page.text


def test_filters_change_the_report_and_travel_with_the_downloads(client: TestClient) -> None:
    narrow = client.get("/statistics", params={"from": "2022-23", "to": "2024-25", "kind": "micro-credential"})
    wide = client.get("/statistics", params={"from": "2022-23", "to": "2024-25", "provider_type": "all"})
    assert narrow.status_code == wide.status_code == 200
    assert narrow.text != wide.text
    assert 'href="/statistics/report.pdf?from=2022-23&amp;to=2024-25&amp;kind=micro-credential"' in narrow.text


def test_downloads_come_in_pdf_xlsx_and_csv(client: TestClient) -> None:
    params = {"from": "2022-23", "to": "2024-25"}
    pdf = client.get("/statistics/report.pdf", params=params)
    assert pdf.content.startswith(b"%PDF")
    xlsx = client.get("/statistics/report.xlsx", params=params)
    assert xlsx.content.startswith(b"PK")
    csv = client.get("/statistics/report.csv", params=params)
    assert csv.headers["content-type"].startswith("text/csv")
    assert "# recognitions_by_provider" in csv.text
    assert "attachment" in csv.headers["content-disposition"]


def test_an_inverted_year_range_is_explained(client: TestClient) -> None:
    page = client.get("/statistics", params={"from": "2024-25", "to": "2022-23"})
    assert page.status_code == 400
    assert 'role="alert"' in page.text


def _served_at(demo: Register, moment: datetime) -> TestClient:
    return TestClient(create_app(Register(settings=demo.settings, clock=FixedClock(moment))))


def test_on_a_normal_day_the_page_shows_the_last_five_years_with_data_and_no_fall_to_an_empty_year(
    demo: Register,
) -> None:
    """The small demo has data for 2022-23 to 2024-25; on 6 December 2026 the year in progress has none."""
    with _served_at(demo, datetime(2026, 12, 6, 9, tzinfo=UTC)) as served:
        page = served.get("/statistics")
    assert page.status_code == 200
    assert "<option selected>2022-23</option>" in page.text.split('id="to"')[0]
    assert "<option selected>2024-25</option>" in page.text.split('id="to"')[1]
    fall = re.search(r"[-−]100,0", page.text)
    assert fall is None, page.text[fall.start() - 600 : fall.end() + 100]
    assert '<section id="conclusions"' in page.text
    assert page.text.index("<h1>") < page.text.index('<form class="search filters')


def test_the_year_in_progress_is_marked_incomplete_and_left_out_of_growth(demo: Register) -> None:
    with _served_at(demo, datetime(2024, 12, 6, 9, tzinfo=UTC)) as served:
        page = served.get("/statistics", headers={"Accept-Language": "en"})
    assert "2024-25 (in progress)" in page.text
    assert "2024-25 is still in progress" in page.text
    assert "The offer went from" in page.text
    assert "2022-23 to" in page.text
    assert "in 2023-24" in page.text
