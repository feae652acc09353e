"""Import jobs through the API with hostile files: the job ends with a report (not a failure), counts only what
was stored, lists warnings, and its result holds no learner identifier."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import OWNER, Tokens
from tests.services.hostile_files import HEADER, HOSTILE, LEARNER_IDS, enrolment, workbook


def _imported(client: TestClient, tokens: Tokens, content: bytes, fmt: str) -> dict[str, Any]:
    owner = Tokens.header(tokens.owner)
    started = client.post(f"/api/v1/providers/{OWNER}/imports/enrolments?format={fmt}", content=content, headers=owner)
    assert started.status_code == 202, started.text
    for _ in range(400):
        job = client.get(started.headers["Location"], headers=owner).json()
        if job["state"] in ("succeeded", "failed"):
            assert job["state"] == "succeeded", job
            return dict(job["result"])
        time.sleep(0.05)
    raise AssertionError("the import job did not finish")


@pytest.mark.parametrize("name", sorted(name for name in HOSTILE if name != "learner ids in JSON keys and values"))
def test_a_hostile_import_job_result_holds_no_learner_identifier(client: TestClient, tokens: Tokens, name: str) -> None:
    filename, content = HOSTILE[name]()
    result = _imported(client, tokens, content, filename.rsplit(".", 1)[1])
    assert not result["committed"]
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 0)
    text = json.dumps(result, ensure_ascii=False)
    assert [raw for raw in LEARNER_IDS if raw in text] == []


def test_a_truncated_workbook_ends_in_a_report_not_a_failed_job(client: TestClient, tokens: Tokens) -> None:
    truncated = workbook({"enrolments": [list(HEADER), enrolment(1)]})[:900]
    result = _imported(client, tokens, truncated, "xlsx")
    assert not result["committed"]
    assert ["damaged or incomplete" in p["reason"] for p in result["problems"]] == [True]


def test_the_job_result_lists_warnings_and_the_sheet(client: TestClient, tokens: Tokens) -> None:
    rows: list[list[object]] = [list(HEADER), enrolment(1, date="03/04/2024", contract="2")]
    result = _imported(client, tokens, workbook({"Blad1": rows}), "xlsx")
    assert (result["committed"], result["sheet"], result["created"]) == (True, "Blad1", 1)
    assert [(w["row"], w["column"], w["read"], w["stored"]) for w in result["warnings"]] == [
        (2, "enrolment_date", "03/04/2024", "2024-04-03"),
        (2, "contract_type", "2", "02"),
    ]
