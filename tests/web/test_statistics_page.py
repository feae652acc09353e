"""The statistics dashboard: the three answers, filters, downloads and the note that persons are rounded."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_the_dashboard_shows_the_three_answers_with_charts_and_the_rounding_note(client: TestClient) -> None:
    page = client.get("/statistics", params={"from": "2022-23", "to": "2024-25"})
    assert page.status_code == 200
    assert page.text.count("<svg") >= 3
    assert "groep van minder dan 5 lerenden met dezelfde editie en hetzelfde profiel telt als 0 of als 5" in page.text
    assert "Aantallen personen afgerond ter bescherming" in page.text
    assert page.text.count("<section>") >= 3


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
    assert "attachment" in csv.headers["content-disposition"]


def test_an_inverted_year_range_is_explained(client: TestClient) -> None:
    page = client.get("/statistics", params={"from": "2024-25", "to": "2022-23"})
    assert page.status_code == 400
    assert 'role="alert"' in page.text
