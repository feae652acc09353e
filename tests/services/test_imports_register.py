"""Issue 14, done when: a register of our own making, imported the way a data office writes its files, gives a
parliament report whose every figure matches counts made here in plain Python over the generated rows.

The files use aliases for codes (``university_college``, ``self_employed``, ``Credit contract``, ``2``), leave
out the optional columns (offering ``status``, edition ``end_date``, ``enrolment_date``, ``outcome_date``),
carry an ``academic_year`` column (with February starts) and identify learners by all four schemes: INSZ,
ESI, a register-wide id and each provider's own student number. The report runs with k = 1, so the protected
copy is the register itself and every figure must be the exact count.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from microcred.bootstrap import Register
from microcred.services.reports import parliament_report

YEARS = (2022, 2023, 2024)
PROVIDERS = {"uni-a": "university", "hs-b": "university_college", "uni-c": "Universiteit"}  # aliases and labels
#: code, provider, kind as written in the file, the kind's code, in the default (broad) scope
OFFERINGS = [
    ("MC-1", "uni-a", "micro_credential", "micro-credential", True),
    ("MC-2", "uni-a", "Postgraduaat", "postgraduate", True),
    ("MC-3", "hs-b", "further_training", "further-training", True),
    ("MC-4", "hs-b", "course_units", "course-units", True),
    ("MC-5", "uni-c", "Micro-credential", "micro-credential", True),
    ("MC-6", "uni-c", "other", "other", False),  # outside the broad reading: left out of the report
]
STATUSES = {  # as written -> working status
    "employed": "working",
    "self_employed": "working",
    "Zelfstandige": "working",
    "job_seeking": "not-working",
    "not_in_labour_force": "not-working",
    "Niet-beroepsactief": "not-working",
    "": "unknown",
}
CONTRACTS = ("Credit contract", "2", "02", "Examencontract", "diploma contract")
OUTCOMES = ("passed", "failed", "withdrawn", "enrolled", "Geslaagd", "Niet geslaagd")
OUTCOME_CODES = {"Geslaagd": "passed", "Niet geslaagd": "failed"}


def _insz(n: int) -> str:
    """A valid INSZ (born in the 1900s), written with the usual separators."""
    body = 850101000 + n
    check = 97 - body % 97
    digits = f"{body:09d}{check:02d}"
    return f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}-{digits[6:9]}.{digits[9:]}"


@dataclass(frozen=True)
class Person:
    scheme: str  # insz, esi, register, local
    number: int

    def written(self, provider: str) -> tuple[str, str]:
        """The learner id and the scheme cell a provider's file gives for this person."""
        if self.scheme == "insz":
            return _insz(self.number), ""  # detected
        if self.scheme == "esi":
            # detected; one provider writes the URN in capitals (an ESI compares without regard to case)
            urn = f"urn:schac:personalUniqueCode:int:esi:be:{self.number:06d}"
            return (urn.upper() if provider == "hs-b" else urn), ""
        if self.scheme == "register":
            return f"VL-{self.number:05d}", "Register"
        return f"{provider[0]}{self.number:06d}", "local" if self.number % 2 else ""  # a number per provider

    def key(self, provider: str) -> tuple[str, ...]:
        """Who this is for counting: one key across providers, or one per provider for a student number."""
        return ("local", provider, str(self.number)) if self.scheme == "local" else (self.scheme, str(self.number))


@dataclass(frozen=True)
class Row:
    provider: str
    reference: str
    edition: str
    year: int
    offering: str
    person: Person
    status: str
    contract: str
    outcome: str


def _editions() -> list[tuple[str, str, str, date]]:
    """(provider, edition code, offering code, start): a September and a February start per year."""
    found = []
    for code, provider, *_ in OFFERINGS:
        for year in YEARS:
            found.append((provider, f"{code}-{year}-S", code, date(year, 9, 20)))
            found.append((provider, f"{code}-{year}-F", code, date(year + 1, 2, 10)))  # still academic year `year`
    return found


def _enrolments(seed: int) -> list[Row]:
    rng = random.Random(seed)
    people = [Person(scheme, n) for n, scheme in enumerate(["insz", "esi", "register", "local"] * 30, start=1)]
    offering_of = {code: provider for code, provider, *_ in OFFERINGS}
    rows: list[Row] = []
    for provider, edition, code, start in _editions():
        for seat in range(rng.randint(0, 9)):
            person = rng.choice(people)
            rows.append(
                Row(
                    offering_of[code],
                    f"{edition}-{seat}",
                    edition,
                    start.year if start.month >= 9 else start.year - 1,
                    code,
                    person,
                    rng.choice(list(STATUSES)),
                    rng.choice(CONTRACTS),
                    rng.choice(OUTCOMES),
                )
            )
            assert provider == offering_of[code]
    return rows


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")  # as Excel in Flanders writes it
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _import(register: Register, tmp_path: Path, rows: list[Row]) -> None:
    files = {
        "providers": _write(
            tmp_path / "providers.csv",
            ["slug", "naam_nl", "type_instelling"],
            [[slug, f"Instelling {slug}", kind] for slug, kind in PROVIDERS.items()],
        ),
        "offerings": _write(
            tmp_path / "offerings.csv",
            ["provider", "code", "soort", "title_nl", "ects"],  # no status: drafts
            [[provider, code, kind, f"Opleiding {code}", "5,5"] for code, provider, kind, *_ in OFFERINGS],
        ),
        "editions": _write(
            tmp_path / "editions.csv",
            ["provider", "code", "offering_code", "start_date", "Academic Year"],  # no end_date
            [
                [p, e, o, start.strftime("%d/%m/%Y"), _year_label(start.year - (start.month < 9))]
                for p, e, o, start in _editions()
            ],
        ),
        "enrolments": _write(
            tmp_path / "enrolments.csv",
            ["provider", "reference", "edition_code", "learner_id", "learner_scheme", "contract_type",
             "employment_status", "outcome", "academic_year"],  # no enrolment_date, no outcome_date
            [
                [r.provider, r.reference, r.edition, *r.person.written(r.provider), r.contract, r.status, r.outcome,
                 _year_label(r.year)]
                for r in rows
            ],
        ),
    }  # fmt: skip
    for kind, path in files.items():
        report = register.imports.import_file(kind, path)
        assert report.committed, report.render()
        assert not report.problems, report.render()
        text = report.render()
        for row in rows:  # no import output ever names a learner
            assert row.person.written(row.provider)[0] not in text


def _year_label(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def _percent(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if whole else None


@pytest.mark.slow
def test_an_imported_register_of_four_identifier_schemes_reports_the_counts_made_by_hand(
    register: Register, tmp_path: Path
) -> None:
    rows = _enrolments(seed=14)
    _import(register, tmp_path, rows)
    report = parliament_report(register.uow, from_year="2022-23", to_year="2024-25", threshold=1)
    broad_scope = {code: scope for code, _, _, _, scope in OFFERINGS}
    in_scope = [r for r in rows if broad_scope[r.offering]]
    columns = [f"{y}-{(y + 1) % 100:02d}" for y in YEARS]
    kind_of = {code: kind for code, _, _, kind, _ in OFFERINGS}

    # question 1: the offer (offerings with an edition in the year), narrow and broad reading
    for year, column in zip(YEARS, columns, strict=True):
        broad = {code for code, *_, scope in OFFERINGS if scope}
        narrow = {code for code in broad if kind_of[code] == "micro-credential"}
        assert report.readings.figure("offerings_broad", column).value == len(broad)
        assert report.readings.figure("offerings_narrow", column).value == len(narrow)
        mine = [r for r in in_scope if r.year == year]
        micro = [r for r in mine if kind_of[r.offering] == "micro-credential"]
        assert report.readings.figure("enrolments_broad", column).value == len(mine)
        assert report.readings.figure("learners_broad", column).value == len({r.person.key(r.provider) for r in mine})
        assert report.readings.figure("enrolments_narrow", column).value == len(micro)
        assert report.readings.figure("learners_narrow", column).value == len({r.person.key(r.provider) for r in micro})

    # question 2: enrolments, distinct learners, completion, how learners were counted, working status, provider
    for column, chosen in [*zip(columns, [[r for r in in_scope if r.year == y] for y in YEARS], strict=True),
                           ("total", in_scope)]:  # fmt: skip
        table = report.enrolments
        assert table.figure("enrolments", column).value == len(chosen)
        assert table.figure("learners", column).value == len({r.person.key(r.provider) for r in chosen})
        outcomes = [OUTCOME_CODES.get(r.outcome, r.outcome) for r in chosen]
        decided = sum(o in ("passed", "failed", "withdrawn") for o in outcomes)
        assert table.figure("completion_rate", column).value == _percent(outcomes.count("passed"), decided)
        across = sum(r.person.scheme != "local" for r in chosen)
        assert table.figure("counted_across_providers", column).value == _percent(across, len(chosen))
        working = report.table("learners_by_working")
        for split in ("working", "not-working", "unknown"):
            expected = {r.person.key(r.provider) for r in chosen if STATUSES[r.status] == split}
            shown = working.figure(split, column).value if split in {row.key for row in working.rows} else 0
            assert shown == len(expected), (split, column)
        by_provider = report.table("learners_by_provider")
        for slug in PROVIDERS:
            expected = {r.person.key(r.provider) for r in chosen if r.provider == slug}
            assert by_provider.figure(slug, column).value == len(expected), (slug, column)

    # the same person at three providers is one learner when known by INSZ, ESI or register id, and counted
    # once per provider when known only by a student number: the report says so and never claims exactness
    people = {r.person.key(r.provider) for r in in_scope}
    naive = {(r.provider, r.person.written(r.provider)[0].casefold()) for r in in_scope}
    assert report.enrolments.figure("learners", "total").value == len(people) < len(naive)
    keys = [fact.key for fact in report.summary]
    assert "learners_per_provider" in keys
    assert "counted_per_provider" in keys
    assert "learners" not in keys


@pytest.mark.slow
def test_a_reimport_of_the_same_files_changes_nothing(register: Register, tmp_path: Path) -> None:
    rows = _enrolments(seed=15)
    _import(register, tmp_path, rows)
    again = register.imports.import_file("enrolments", tmp_path / "enrolments.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(rows)), again.render()
    editions = register.imports.import_file("editions", tmp_path / "editions.csv")
    assert (editions.created, editions.updated) == (0, 0), editions.render()


def test_an_academic_year_that_does_not_fit_the_start_is_refused_on_its_row(register: Register, tmp_path: Path) -> None:
    _import(register, tmp_path, [])
    path = _write(
        tmp_path / "late.csv",
        ["provider", "code", "offering_code", "start_date", "academic_year"],
        [["uni-a", "MC-1-X", "MC-1", "2025-02-10", "2025-26"]],  # a February start belongs to 2024-25
    )
    report = register.imports.import_file("editions", path)
    assert [(p.row, p.column, p.value) for p in report.problems] == [(2, "academic_year", "2025-26")]
    assert "2024-25" in report.problems[0].reason("en")
    assert not report.committed


def test_offerings_without_a_status_stay_drafts_and_a_published_one_keeps_its_status(
    register: Register, tmp_path: Path
) -> None:
    _import(register, tmp_path, [])
    with register.uow() as work:
        assert {work.offerings.get(p, c).status.value for c, p, *_ in OFFERINGS} == {"draft"}
    withdrawn = _write(
        tmp_path / "withdrawn.csv",
        ["provider", "code", "kind", "status"],
        [["uni-a", "MC-1", "micro-credential", "Ingetrokken"]],
    )
    assert register.imports.import_file("offerings", withdrawn).updated == 1
    again = register.imports.import_file("offerings", tmp_path / "offerings.csv")  # no status column
    assert again.committed, again.render()
    with register.uow() as work:
        assert work.offerings.get("uni-a", "MC-1").status.value == "withdrawn"
