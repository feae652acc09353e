"""Every kind of problem the API answers has its title in the catalogue (``problem.<code>``)."""

from __future__ import annotations

import ast
import re

import pytest

from microcred.api.problems import problem_title
from microcred.i18n import catalogue, translate
from tests.i18n.sources import nodes, source, source_files

# The scans share one parse of src/ per process (tests/i18n/sources.py): keep them on one worker.
pytestmark = pytest.mark.xdist_group("source-scan")


def _problem_codes() -> set[str]:
    """Each error class's ``code = "..."`` and every code literal handed to the API's problem answers."""
    codes: set[str] = set()
    for path in source_files():
        for node in nodes(path):
            if isinstance(node, ast.ClassDef):
                for statement in node.body:
                    if (
                        isinstance(statement, ast.Assign)
                        and [getattr(t, "id", None) for t in statement.targets] == ["code"]
                        and isinstance(statement.value, ast.Constant)
                    ):
                        codes.add(str(statement.value.value))
        if path.parent.name == "api":  # problem_response(500, "internal", ...) and {404: "not-found", ...}
            codes |= set(re.findall(r'problem_response\(\s*\d+,\s*"([a-z-]+)"', source(path)))
            codes |= set(re.findall(r'\b\d{3}: "([a-z-]+)"', source(path)))
    return codes


def test_the_scan_finds_the_problem_codes() -> None:
    assert {"invalid", "not-found", "rate-limited", "internal", "method-not-allowed", "gone"} <= _problem_codes()


@pytest.mark.parametrize("code", sorted(_problem_codes()))
def test_every_problem_code_has_a_title(code: str) -> None:
    assert f"problem.{code}" in catalogue()


def test_the_api_title_is_the_catalogues_english() -> None:
    assert problem_title("not-found", 404) == translate("problem.not-found", "en") == "Not Found"
    assert problem_title("invalid", 422) == translate("problem.invalid", "en")
    assert problem_title("http-error", 400) == "Bad Request"  # a status only the framework answers
