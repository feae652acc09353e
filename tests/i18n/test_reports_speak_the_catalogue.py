"""The import report and the statistics report take every word from the catalogue, in either language."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from microcred.domain import Change
from microcred.i18n import LANGUAGES, reason, translate
from microcred.io import Problem
from microcred.services.imports import ImportReport


def _report(**changes: object) -> ImportReport:
    report = ImportReport("editions", Path("editions.csv"), format="csv", encoding="utf-8", rows=4, rejected=3)
    report.counts = Counter({Change.CREATED: 1})
    report.problems = [
        Problem(2, "ects", "90", "ects-range"),
        Problem(3, "provider", None, "required"),
        Problem(4, "", None, "too-many-cells", {"cells": 9, "width": 5}),
    ]
    for name, value in changes.items():
        setattr(report, name, value)
    return report


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_import_report_is_the_catalogues_words(lang: str) -> None:
    report = _report(unlisted_problems=7, rejected_file=Path("editions.rejected.csv"))
    assert report.render(lang).splitlines() == [
        translate("import_report.file", lang, file=Path("editions.csv"), where="csv, utf-8", kind="editions"),
        translate("import_report.counts", lang, rows=4, created=1, updated=0, unchanged=0, rejected=3),
        translate(
            "import_report.problem_value", lang, row=2, column="ects", value="90", reason=reason("ects-range", lang)
        ),
        translate("import_report.problem_column", lang, row=3, column="provider", reason=reason("required", lang)),
        translate("import_report.problem", lang, row=4, reason=reason("too-many-cells", lang, cells=9, width=5)),
        translate("import_report.more_problems", lang, count=7),
        translate("import_report.rejected_file", lang, path=Path("editions.rejected.csv")),
        translate("import_report.refused", lang),
    ]


@pytest.mark.parametrize(("changes", "key"), [({"dry_run": True}, "dry_run"), ({"committed": True}, "committed")])
def test_the_import_reports_outcome_is_worded_by_the_catalogue(changes: dict[str, object], key: str) -> None:
    for lang in LANGUAGES:
        assert _report(**changes).render(lang).splitlines()[-1] == translate(f"import_report.{key}", lang)


def test_the_dutch_import_report_has_no_english_words() -> None:
    dutch = _report().render("nl")
    for english in ("row", "column", "value", "rows:", "created", "nothing was changed", "must be"):
        assert english not in dutch
