"""The generated demo register: deterministic for a seed, realistic in shape, and loadable twice."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from microcred.bootstrap import Register, build
from microcred.domain import OfferingKind, OfferingStatus, check_eu_elements
from microcred.services import catalogue, imports
from microcred.services.demo import load_demo
from microcred.settings import Settings
from tests.conftest import TEST_PEPPER

# slow (seconds a test: credentials issued, a demo loaded, a report rendered or a process started):
# make test runs it, make test-fast leaves it out
pytestmark = pytest.mark.slow


def test_the_same_seed_gives_the_same_register(register: Register, tmp_path: Path) -> None:
    first = load_demo(register.uow, pepper=TEST_PEPPER, seed=7)
    imports.export_records("enrolments", tmp_path / "first.csv", register.uow, fmt="csv")
    imports.export_records("offerings", tmp_path / "first-offerings.csv", register.uow, fmt="csv")
    again = load_demo(register.uow, pepper=TEST_PEPPER, seed=7)
    imports.export_records("enrolments", tmp_path / "again.csv", register.uow, fmt="csv")
    imports.export_records("offerings", tmp_path / "again-offerings.csv", register.uow, fmt="csv")
    assert first == again
    assert (tmp_path / "first.csv").read_bytes() == (tmp_path / "again.csv").read_bytes()
    assert (tmp_path / "first-offerings.csv").read_bytes() == (tmp_path / "again-offerings.csv").read_bytes()
    assert first["enrolments"] > 1_000


def test_the_demo_has_every_kind_growing_offer_drafts_and_learners_with_email(register: Register) -> None:
    load_demo(register.uow, pepper=TEST_PEPPER, seed=2024)
    offerings = catalogue.list_offerings(register.uow)
    kinds = Counter(o.kind for o in offerings)
    assert set(kinds) >= {
        OfferingKind.MICRO_CREDENTIAL,
        OfferingKind.COURSE_UNITS,
        OfferingKind.POSTGRADUATE,
        OfferingKind.FURTHER_TRAINING,
    }
    assert all(o.ects is not None and o.ects >= 20 for o in offerings if o.kind is OfferingKind.POSTGRADUATE)
    drafts = [o for o in offerings if o.status is OfferingStatus.DRAFT]
    assert drafts
    assert all(check_eu_elements(o) for o in drafts)
    assert all(not check_eu_elements(o) for o in offerings if o.status is OfferingStatus.PUBLISHED)
    years = Counter(int(o.code.split("-")[1][:2]) for o in offerings if o.code[2] == "-" and o.code[3:5].isdigit())
    assert years[25] > years[20]  # the offer grows year on year
    with register.uow() as work:
        emails = {
            work.learners.email_of(p, provider) for p, provider in zip(_pseudonyms(), ("ugent", "vub"), strict=True)
        }
    assert emails == {"learner1@example.org", "learner2@example.org"}


def _pseudonyms() -> list[str]:
    from microcred.domain import pseudonymise

    return [pseudonymise("d0000001", provider="ugent", pepper=TEST_PEPPER),
            pseudonymise("d0000002", provider="vub", pepper=TEST_PEPPER)]  # fmt: skip


@pytest.mark.slow
def test_the_full_demo_has_about_300000_enrolments(tmp_path: Path) -> None:
    # SQLite only: the bulk path is the same SQL on both backends, which the smaller tests cover twice;
    # the full scale's load time is measured in `make bench` (benchmarks/bench_import.py).
    register = build(Settings(database_url=f"sqlite:///{tmp_path / 'full.db'}", environment="test"))
    register.migrate()
    counts = load_demo(register.uow, pepper=TEST_PEPPER, seed=2024, scale="full")
    register.close()
    assert 250_000 <= counts["enrolments"] <= 350_000
