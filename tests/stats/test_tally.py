"""The one-pass counting (``stats.tally``) gives exactly what the named SQL gives, question by question.

The register here is random and built straight in an SQLite file with the columns the snapshot reads: many
learners with several enrolments in one year and across years, 70 providers (more values than one 64-bit
word holds) and editions with and without a capacity.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from microcred.stats import Scope, Snapshot, build_report, take_snapshot
from microcred.stats.queries import ENROLMENT_DIMENSIONS, Questions
from microcred.stats.tally import FastQuestions

TYPES = ("university", "university-college", "school-of-arts", "other-private")
KINDS = ("micro-credential", "course-units", "postgraduate", "further-training", "other")
STATUSES = ("employed", "self-employed", "job-seeking", "not-in-labour-force", "unknown")
AGES = ("<20", "20-24", "25-29", "30-34", "35-44", "unknown")
OUTCOMES = ("enrolled", "withdrawn", "passed", "failed")


class _Connection:
    """What ``take_snapshot`` needs of an SQLAlchemy connection: ``.connection.cursor()``."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.connection = db


def _register(path: Path, seed: int) -> sqlite3.Connection:
    rng = random.Random(seed)
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE providers (id INTEGER, slug TEXT, name TEXT, type TEXT);"
        "CREATE TABLE offerings (id INTEGER, provider_id INTEGER, code TEXT, title TEXT, kind TEXT, flemish_type TEXT,"
        " ects NUMERIC, eqf_level INTEGER, vks_level INTEGER, isced_field TEXT, participation_form TEXT);"
        "CREATE TABLE editions (id INTEGER, offering_id INTEGER, academic_year INTEGER, capacity INTEGER);"
        "CREATE TABLE enrolments (edition_id INTEGER, learner_id INTEGER, contract_type TEXT, employment_status TEXT,"
        " age_band TEXT, outcome TEXT);"
    )
    db.executemany(
        "INSERT INTO providers VALUES (?, ?, ?, ?)",
        [(p, f"p{p:02d}", json.dumps({"nl": f"A{p}"}), TYPES[p % 4 if p < 66 else 1]) for p in range(1, 71)],
    )
    offerings = [
        (
            o,
            rng.randint(1, 70),
            f"O{o}",
            json.dumps({"en": f"T{o}"}),
            KINDS[o % 5],
            ("1", "3a", None)[o % 3],
            rng.choice((1.5, 3, 5.5, 20, 20.5, None)),
            6,
            None,
            rng.choice(("0613", "0222", None)),
            "online",
        )
        for o in range(1, 301)
    ]
    db.executemany("INSERT INTO offerings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", offerings)
    editions = [
        (len(offerings) * y + o, o, y, rng.choice((None, 10, 25)))
        for o in range(1, 301)
        for y in range(2019, 2025)
        if rng.random() < 0.8
    ]
    db.executemany("INSERT INTO editions VALUES (?, ?, ?, ?)", editions)
    learners = range(1, 900)
    enrolments = [
        (
            rng.choice(editions)[0],
            rng.choice(learners),
            rng.choice(("01", "02", "03", "99")),
            rng.choice(STATUSES),
            rng.choice(AGES),
            rng.choice(OUTCOMES),
        )
        for _ in range(6000)
    ]
    db.executemany("INSERT INTO enrolments VALUES (?, ?, ?, ?, ?, ?)", enrolments)
    db.commit()
    return db


@pytest.fixture(scope="module", params=[1, 2])
def snapshot(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Snapshot]:
    db = _register(tmp_path_factory.mktemp("tally") / "register.db", request.param)
    taken = take_snapshot(_Connection(db))
    yield taken
    taken.close()
    db.close()


SCOPES = [
    Scope(2020, 2023, ("university", "university-college")),
    Scope(2019, 2024, TYPES, kinds=KINDS),
    Scope(2021, 2021, TYPES, providers=("p03", "p07", "p68")),
    Scope(2022, 2024, ("school-of-arts",), kinds=("other",)),
    Scope(2027, 2028, TYPES),  # nothing enrolled
]


@pytest.mark.parametrize("scope", SCOPES)
def test_one_pass_counts_equal_the_named_sql_for_every_dimension(snapshot: Snapshot, scope: Scope) -> None:
    fast = FastQuestions(snapshot.db, scope)
    expected = {
        (dim, per_year): Questions(snapshot.db, scope).enrolments(dim, per_year=per_year)
        for dim in ENROLMENT_DIMENSIONS
        for per_year in (True, False)
    }
    fast = FastQuestions(snapshot.db, scope)  # the scope table is recreated by each Questions
    for (dim, per_year), counts in expected.items():
        assert fast.enrolments(dim, per_year=per_year) == counts, (dim, per_year)
    reference = Questions(snapshot.db, scope)
    assert fast.editions_per_year() == [tuple(int(v) for v in row) for row in reference.editions_per_year()]
    for k in (1, 5, 12):
        assert fast.top_offerings(k, 10) == _plain(reference.top_offerings(k, 10))


@pytest.mark.parametrize("scope", SCOPES)
def test_the_report_is_identical_either_way(snapshot: Snapshot, scope: Scope) -> None:
    assert build_report(snapshot, scope, k=5) == build_report(snapshot, scope, k=5, reference=True)


def _plain(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [tuple(int(v) if isinstance(v, int) else v for v in row) for row in rows]
