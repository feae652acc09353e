"""The demo a newcomer meets after `make run` (issue 18): content that reads as real, next editions on any
day, a desk login per provider and two wallet learners with valid, revoked and shared credentials."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import SecretStr

from microcred.bootstrap import Register
from microcred.domain import AcademicYear, Offering, ProviderType, QaKind
from microcred.services import reports
from microcred.services.auth import authenticate_staff
from microcred.services.demo import _offerings, _one_per_slug, demo_providers, load_demo
from microcred.services.demo_generated import SCALES, _topics, plan
from microcred.services.demo_showcase import DESK_PASSWORD
from microcred.settings import Settings
from microcred.testing import FixedClock
from tests.conftest import TEST_PEPPER

# slow (seconds a test: credentials issued, a demo loaded, a report rendered or a process started):
# make test runs it, make test-fast leaves it out
pytestmark = pytest.mark.slow

LOADED_ON = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _generated() -> list[Offering]:
    fixed = [o.title.texts["nl"] for o in _offerings()]
    return [*_offerings(), *plan(_one_per_slug(), 2024, SCALES["small"], taken=fixed)[0]]


def test_every_demo_title_is_distinct_and_written_as_a_title() -> None:
    offerings = _generated()
    for lang in ("nl", "en"):
        titles = Counter(o.title.texts[lang] for o in offerings)
        assert [title for title, count in titles.items() if count > 1] == [], lang
    english = [o.title.texts["en"] for o in offerings]
    assert "Postgraduate certificate in databases and SQL" in english or "Databases and SQL" in english
    assert not [title for title in english if "sql" in title or "Sql" in title]


def test_learning_outcomes_belong_to_the_course_in_both_languages() -> None:
    by_title = {topic.nl: topic for topic in _topics()}
    for offering in _generated()[3:]:
        if not offering.learning_outcomes:
            continue  # an incomplete draft
        topic = by_title[offering.title.texts["nl"].removeprefix("Postgraduaat ").removeprefix("Opleiding ")]
        for outcome, (nl, en, skill) in zip(offering.learning_outcomes, topic.outcomes, strict=True):
            assert outcome.text.texts == {"nl": f"De deelnemer kan {nl}.", "en": f"The participant can {en}."}
            assert outcome.esco_skill == skill


def test_subjects_that_only_make_sense_in_dutch_are_taught_in_dutch() -> None:
    dutch_only = {topic.nl for topic in _topics() if topic.languages == ("nl",)}
    assert {"Zakelijk Nederlands", "Fiscaliteit voor kmo's", "Jeugdhulp"} <= dutch_only
    offerings = _generated()
    for offering in offerings:
        if offering.title.texts["nl"].removeprefix("Postgraduaat ").removeprefix("Opleiding ") in dutch_only:
            assert offering.languages == ["nl"], offering.title
    assert Counter(tuple(o.languages) for o in offerings)[("en",)] >= 5  # English-taught courses still exist


def test_quality_assurance_follows_the_type_of_institution_with_dates_of_its_own() -> None:
    providers = list(demo_providers())
    for provider in providers:
        [record] = provider.quality_assurances
        expected = (
            QaKind.PROGRAMME_ACCREDITATION
            if provider.type is ProviderType.REGISTERED_INSTITUTION
            else QaKind.INSTITUTIONAL_REVIEW
        )
        assert record.kind is expected, provider.slug
        assert record.agency == "NVAO"
        assert record.valid_until is not None
        years = 8 if expected is QaKind.PROGRAMME_ACCREDITATION else 6
        assert record.valid_until == record.valid_from.replace(year=record.valid_from.year + years) - timedelta(1)
        assert date(2020, 1, 1) <= record.valid_from <= date(2025, 1, 1)
    starts = Counter(p.quality_assurances[0].valid_from for p in _one_per_slug())
    assert max(starts.values()) == 1, "no two institutions share a decision date"


def test_upcoming_editions_come_after_the_year_in_progress_and_leave_the_statistics_alone(
    register: Register,
) -> None:
    without = load_demo(register.uow, pepper=TEST_PEPPER, seed=7)
    counts = load_demo(register.uow, pepper=TEST_PEPPER, seed=7, today=LOADED_ON.date())
    assert counts["editions"] > without["editions"]
    assert counts["enrolments"] == without["enrolments"]  # nobody has enrolled in them yet
    with register.uow() as work:
        editions = [e for o in work.offerings.iterate() for e in work.editions.list_for_offering(o.provider, o.code)]
    upcoming = [e for e in editions if e.start_date > LOADED_ON.date()]
    assert len(upcoming) == counts["editions"] - without["editions"]
    assert all(e.academic_year == AcademicYear(2027) for e in upcoming)
    with register.uow() as work:
        assert all(not list(work.enrolments.list_for_edition(e.provider, e.code)) for e in upcoming)
    # The year in progress (2026-27) has no data, so the report's default range still ends in 2025-26.
    assert reports.default_years(register.uow, current_year=AcademicYear(2026)) == (
        AcademicYear(2021),
        AcademicYear(2025),
    )
    again = load_demo(register.uow, pepper=TEST_PEPPER, seed=7, today=LOADED_ON.date())
    assert again == counts


def test_the_demo_gives_every_role_a_way_in_and_loads_twice_the_same(register: Register) -> None:
    on_the_day = Register(settings=register.settings, clock=FixedClock(LOADED_ON))
    showcase = on_the_day.demo.load(seed=7).showcase
    assert showcase is not None
    assert {login.provider for login in showcase.desk_logins} == {p.slug for p in _one_per_slug()}
    ugent = next(login for login in showcase.desk_logins if login.provider == "ugent")
    assert authenticate_staff(ugent.email, DESK_PASSWORD, on_the_day.uow).provider == "ugent"
    assert [sorted(learner.credentials) for learner in showcase.learners] == [["revoked", "valid"]] * 2
    for learner in showcase.learners:
        entries = on_the_day.wallet.credentials_of_learner(learner.email)
        assert sorted(entry.status(LOADED_ON) for entry in entries) == ["revoked", "valid"]
        assert len({entry.credential.provider for entry in entries}) == 2  # one wallet, two providers
    token = showcase.share_url.rpartition("/s/")[2]
    shared = on_the_day.wallet.open_share_link(token)
    assert shared.offering_code == "MC-DISINFO"
    assert shared.state.value == "active"
    again = on_the_day.demo.load(seed=7).showcase
    assert again == showcase  # the same accounts, credentials and share link
    with on_the_day.uow() as work:
        assert len(work.wallet.share_links_of([shared.uuid])) == 1


def test_production_gets_the_register_but_no_published_password_or_demo_learners(register: Register) -> None:
    if not register.settings.is_sqlite:
        pytest.skip("the rule is the service's, not the backend's")
    production = Settings(
        database_url=register.settings.database_url,
        environment="production",
        pseudonym_pepper=SecretStr("pepper-for-production-0001"),
        key_encryption_key=SecretStr("key-for-production-000002"),
        session_secret=SecretStr("session-for-production-03"),
        smtp_host="smtp.example.org",
        status_list_size=131_072,
    )
    loaded = Register(settings=production).demo.load(seed=7)
    assert loaded.showcase is None
    assert loaded.counts["offerings"] > 3
    with register.uow() as work:
        assert work.staff.by_email("desk-ugent@example.org") is None
        assert work.credentials.for_enrolment("ugent", "MC-DISINFO-2023-W1") is None
