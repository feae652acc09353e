"""``microcred stack …`` and ``microcred recognition …`` against a register with stackable credentials."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from microcred.bootstrap import build
from microcred.settings import Settings
from tests.cli.conftest import microcred
from tests.databases import TEST_PEPPER
from tests.services.stacking_setup import INSZ, SHARED, enrol_under_register, rule, seed, seeded_again

# slow (seconds a test: credentials issued, a demo loaded, a report rendered or a process started):
# make test runs it, make test-fast leaves it out
pytestmark = pytest.mark.slow


@pytest.fixture
def stacked(isolated_database: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The stacking register in the test's database; the offering code -> the learner's credential file."""
    monkeypatch.setenv("MICROCRED_PSEUDONYM_PEPPER", TEST_PEPPER)
    settings = Settings()
    wired = build(settings)
    wired.migrate()
    wired.close()
    seeded = seed(settings)
    files = {}
    for code, credential in seeded.credentials.items():
        path = isolated_database / f"{code}.json"
        path.write_text(credential.document_json, encoding="utf-8")
        files[code] = str(path)
    seeded.register.close()
    return files


def test_a_rule_is_put_then_a_learner_progresses_and_receives_the_stacked_credential(
    stacked: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps([rule(), rule("PG-ECTS", kind="ects", min_ects=8)]), encoding="utf-8")
    assert microcred("stack", "put", "hoge", str(rules)) == 0
    assert microcred("stack", "put", "hoge", str(rules)) == 0
    assert microcred("stack", "list", "hoge") == 0
    assert microcred("stack", "progress", "hoge/PG", "--learner-id", INSZ) == 0
    assert microcred("stack", "issue", "hoge/PG", "--learner-id", INSZ) == 0
    assert microcred("stack", "issue-all", "hoge/PG-ECTS") == 0
    assert microcred("stack", "evaluate", "--provider", "hoge") == 0
    out = capsys.readouterr().out
    assert "rule PG: created" in out
    assert "rule PG: replaced" in out
    assert "rule PG: met" in out
    assert "stacked credential urn:uuid:" in out
    assert "issued 1 stacked credential(s) for rule PG-ECTS" in out
    assert "1 learner(s) evaluated against 2 rule(s)" in out
    assert "│ hoge/PG-ECTS │ 1       │ 1   │ 0        │" in out  # met, and the stacked credential issued
    assert INSZ not in out


def test_a_recognition_is_recorded_and_a_refusal_without_reason_is_refused(
    stacked: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    decision = {
        "outcome": "recognised",
        "recognised_for": "Data science",
        "kind": "exemption",
        "ects": "5",
        "basis": ["learning-outcomes"],
        "decided_on": "2025-07-01",
        "decided_by": "Examencommissie",
    }
    path = tmp_path / "decision.json"
    path.write_text(json.dumps(decision), encoding="utf-8")
    assert microcred("recognition", "record", "andere", stacked["A"], str(path), "--learner-id", INSZ) == 0
    assert "recorded: recognised" in capsys.readouterr().out
    path.write_text(json.dumps({**decision, "outcome": "refused", "recognised_for": "Other"}), encoding="utf-8")
    assert microcred("recognition", "record", "andere", stacked["A"], str(path), "--learner-id", INSZ) == 1
    assert "a reason is required when recognition is refused" in capsys.readouterr().err
    assert microcred("recognition", "list", "andere") == 0
    assert "Data science" in capsys.readouterr().out


def test_a_learner_under_the_register_scheme_is_named_with_learner_scheme(
    stacked: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    again = seeded_again(Settings())
    enrol_under_register(again)
    again.register.close()
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps([rule()]), encoding="utf-8")
    assert microcred("stack", "put", "hoge", str(rules)) == 0
    assert microcred("stack", "progress", "hoge/PG", "--learner-id", SHARED) == 1
    assert "this learner never enrolled with hoge" in capsys.readouterr().err
    assert microcred("stack", "progress", "hoge/PG", "--learner-id", SHARED, "--learner-scheme", "register") == 0
    assert microcred("stack", "issue", "hoge/PG", "--learner-id", SHARED, "--learner-scheme", "register") == 0
    out = capsys.readouterr().out
    assert "rule PG: met" in out
    assert "stacked credential urn:uuid:" in out
    assert SHARED not in out
