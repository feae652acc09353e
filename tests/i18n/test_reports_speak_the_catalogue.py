"""The import report and the statistics report take every word from the catalogue, in either language."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from microcred.domain import Change
from microcred.i18n import LANGUAGES, catalogue, reason, translate
from microcred.io import Notice, Problem
from microcred.services.imports import ImportReport
from microcred.stats.labels import column_label, label, table_title


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
        translate("import_report.counts_refused", lang, rows=4, valid=1, rejected=3),
        translate(
            "import_report.problem_value", lang, row=2, column="ects", value="90", reason=reason("ects-range", lang)
        ),
        translate("import_report.problem_column", lang, row=3, column="provider", reason=reason("required", lang)),
        translate("import_report.problem", lang, row=4, reason=reason("too-many-cells", lang, cells=9, width=5)),
        translate("import_report.more_problems", lang, count=7),
        translate("import_report.rejected_file", lang, path=Path("editions.rejected.csv")),
        translate("import_report.refused_rows", lang, valid=1),
    ]


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"dry_run": True, "problems": []}, "dry_run"),
        ({"committed": True, "problems": []}, "committed"),
        ({"dry_run": True}, "dry_run_refused_rows"),
        ({"rows": 0, "rejected": 0, "problems": [Problem(1, "code", None, "column-missing")]}, "refused"),
    ],
)
def test_the_import_reports_outcome_is_worded_by_the_catalogue(changes: dict[str, object], key: str) -> None:
    for lang in LANGUAGES:
        expected = translate(f"import_report.{key}", lang, valid=1)
        assert _report(**changes).render(lang).splitlines()[-1] == expected


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_accepted_import_reports_its_counts_and_warnings_in_the_catalogues_words(lang: str) -> None:
    report = _report(problems=[], rejected=0, committed=True, sheet="Blad1", format="xlsx", encoding=None)
    report.warnings = [Notice(2, "ects", "5,5", "5.5", "decimal-comma")]
    where = f"xlsx, {translate('import_report.sheet', lang, sheet='Blad1')}"
    assert report.render(lang).splitlines() == [
        translate("import_report.file", lang, file=Path("editions.csv"), where=where, kind="editions"),
        translate("import_report.counts", lang, rows=4, created=1, updated=0, unchanged=0, rejected=0),
        translate("import_report.warnings", lang),
        translate(
            "import_report.warning",
            lang,
            row=2,
            column="ects",
            read="5,5",
            stored="5.5",
            reason=reason("decimal-comma", lang),
        ),
        translate("import_report.committed", lang),
    ]


def test_the_dutch_import_report_has_no_english_words() -> None:
    dutch = _report().render("nl")
    for english in ("row", "column", "value", "rows:", "created", "nothing was changed", "must be"):
        assert english not in dutch


_STATS = Path(__file__).resolve().parents[2] / "src" / "microcred" / "stats"


def test_every_text_the_statistics_report_asks_for_is_in_the_catalogue() -> None:
    used = {
        key
        for path in _STATS.glob("*.py")
        for key in re.findall(r"""\btext\(\s*["']([a-z0-9_]+)["']""", path.read_text("utf-8"))
    }
    assert {"title", "subtitle", "summary", "disclosure_rule"} <= used, "the scan finds the keys"
    assert sorted(key for key in used if f"report.{key}" not in catalogue()) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_statistics_reports_labels_are_the_catalogues_words(lang: str) -> None:
    assert table_title("learners_by_working", lang) == (
        f"{translate('report.by.learners', lang)} {translate('report.dimension.working', lang)}"
    )
    assert table_title("ects", lang) == translate("report.table.ects", lang)
    assert label("working", "not-working", lang) == translate("report.code.not-working", lang)
    assert label("offer", "offerings_narrow_change", lang) == (
        f"{translate('report.code.offerings_narrow', lang)}: {translate('report.code.change', lang)}"
    )
    assert column_label("fill_rate", lang) == translate("report.code.fill_rate", lang)
