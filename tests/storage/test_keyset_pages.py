"""Keyset pages on both backends: every record once, in order, however many pages and whatever is added meanwhile.

Page sizes are small on purpose: more records than a page is what matters, not 10,000 of them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from microcred.bootstrap import Register
from microcred.domain import (
    Credential,
    CredentialState,
    Edition,
    Enrolment,
    LangText,
    Offering,
    OfferingKind,
    OfferingOrder,
    OfferingStatus,
    Outcome,
    Page,
    Position,
    Provider,
    ProviderType,
    QaKind,
    QualityAssurance,
    is_trusted,
    pseudonymise,
)
from microcred.errors import Invalid
from microcred.services import issuance
from tests.conftest import TEST_PEPPER
from tests.credentials.register_setup import later, seed

T = TypeVar("T")

# Codes chosen so that code-point order differs from a natural or case-blind one.
CODES = ["MC-2", "MC-10", "MC-1", "mc-3", "MC_4", "Z-1", "É-5"]
TITLES = ["Data", "data", "Beeld", "Zorg", "Éthique", "beeld", "Analyse"]
ECTS = [Decimal("3"), Decimal("4.5"), None, Decimal("3"), Decimal("0.5"), Decimal("4.5"), Decimal("10")]


def a_provider(slug: str, name: str, *, trusted: bool = True) -> Provider:
    records = [QualityAssurance("NVAO", QaKind.INSTITUTIONAL_REVIEW, date(2020, 1, 1))] if trusted else []
    return Provider(slug=slug, name=LangText.of(name), type=ProviderType.UNIVERSITY, quality_assurances=records)


def an_offering(provider: str, code: str, title: str = "Titel", ects: Decimal | None = None, **extra: Any) -> Offering:
    return Offering(provider=provider, code=code, title=LangText.of(title), ects=ects, **extra)


def walk(read: Callable[[Position | None], Page[T]], between: Callable[[int], None] = lambda _: None) -> list[T]:
    """Every page of a listing, calling ``between(pages_read)`` before each further page."""
    seen: list[T] = []
    page = read(None)
    pages = 1
    seen += page.items
    while page.next_after is not None:
        assert pages < 50, "the pages never end: a position does not move the listing on"
        between(pages)
        page = read(page.next_after)
        pages += 1
        seen += page.items
    assert pages > 1, "the listing fits one page, so nothing was paged"
    return seen


def load_offerings(register: Register) -> None:
    with register.uow() as work:
        work.providers.save(a_provider("vub", "Vrije Universiteit Brussel"))
        work.providers.save(a_provider("kuleuven", "KU Leuven"))
        for number, (code, title, ects) in enumerate(zip(CODES, TITLES, ECTS, strict=True)):
            status = OfferingStatus.DRAFT if number % 3 == 0 else OfferingStatus.PUBLISHED
            work.offerings.save(an_offering("vub", code, title, ects, status=status))
            kind = OfferingKind.POSTGRADUATE if number % 2 else OfferingKind.MICRO_CREDENTIAL
            work.offerings.save(an_offering("kuleuven", code, title.upper(), ects, kind=kind))
        work.commit()


def offering_key(order: OfferingOrder) -> Callable[[Offering], tuple[object, ...]]:
    if order == "title":
        return lambda o: (o.title.get("nl").lower(), o.provider, o.code)
    if order == "-ects":
        return lambda o: (-(o.ects or 0), o.provider, o.code)
    return lambda o: (o.provider, o.code)


def test_offering_pages_hold_every_offering_once_in_code_point_order(register: Register) -> None:
    load_offerings(register)

    def read(after: Position | None) -> Page[Offering]:
        with register.uow() as work:
            return work.offerings.page(after=after, limit=3)

    seen = [(o.provider, o.code) for o in walk(read)]
    assert len(seen) == 2 * len(CODES)
    assert seen == sorted((slug, code) for slug in ("kuleuven", "vub") for code in CODES)


def test_a_row_added_between_pages_shows_once_if_after_the_position_and_never_shifts_a_page(
    register: Register,
) -> None:
    load_offerings(register)

    def add(pages_read: int) -> None:
        if pages_read == 1:  # after the first page (kuleuven's first codes): one before it, one after it
            with register.uow() as work:
                work.offerings.save(an_offering("kuleuven", "A-0"))
                work.offerings.save(an_offering("vub", "ZZ-9"))
                work.commit()

    def read(after: Position | None) -> Page[Offering]:
        with register.uow() as work:
            return work.offerings.page(after=after, limit=3)

    seen = [(o.provider, o.code) for o in walk(read, between=add)]
    assert ("kuleuven", "A-0") not in seen
    assert seen.count(("vub", "ZZ-9")) == 1
    assert len(seen) == len(set(seen)) == 2 * len(CODES) + 1
    assert seen == sorted(seen)


@pytest.mark.parametrize("order", ["code", "title", "-ects"])
def test_every_offering_order_pages_like_sorting_the_whole_list(register: Register, order: OfferingOrder) -> None:
    load_offerings(register)

    def read(after: Position | None) -> Page[Offering]:
        with register.uow() as work:
            return work.offerings.page("vub", status=OfferingStatus.PUBLISHED, order=order, after=after, limit=2)

    with register.uow() as work:
        everything = list(work.offerings.iterate())
    published = [o for o in everything if o.provider == "vub" and o.status is OfferingStatus.PUBLISHED]
    expected = sorted(published, key=offering_key(order))
    assert [(o.provider, o.code) for o in walk(read)] == [(o.provider, o.code) for o in expected]


def test_iterate_reads_in_batches_and_misses_nothing(register: Register) -> None:
    load_offerings(register)
    with register.uow() as work:
        in_pairs = [(o.provider, o.code) for o in work.offerings.iterate(batch=2)]
        at_once = [(o.provider, o.code) for o in work.offerings.page(after=None, limit=100).items]
        one_provider = [o.code for o in work.offerings.iterate("vub", batch=4)]
        kinds = {o.kind for o in work.offerings.page("kuleuven", kind=OfferingKind.POSTGRADUATE, limit=100).items}
    assert in_pairs == at_once
    assert len(at_once) == 2 * len(CODES)
    assert one_provider == sorted(CODES)
    assert kinds == {OfferingKind.POSTGRADUATE}


@pytest.mark.parametrize(
    ("order", "position"),
    [("code", ("vub",)), ("title", ("vub", "MC-1")), ("-ects", ("many", "vub", "MC-1")), ("code", ("vub", 7))],
)
def test_a_position_made_for_another_order_is_refused(
    register: Register, order: OfferingOrder, position: Position
) -> None:
    load_offerings(register)
    with register.uow() as work, pytest.raises(Invalid) as refused:
        work.offerings.page(order=order, after=position, limit=2)
    assert refused.value.problems[0].field == "cursor"


def test_provider_pages_filter_on_trust_as_the_domain_rule_does_and_sort_by_name(register: Register) -> None:
    today = date(2025, 1, 1)
    validity = {  # (valid_from, valid_until) of each provider's one record; None: no record
        "a": None,
        "b": (date(2020, 1, 1), None),
        "c": (date(2020, 1, 1), date(2024, 12, 31)),
        "d": (date(2020, 1, 1), today),
        "e": (today, None),
        "f": (date(2025, 1, 2), None),
    }
    names = {"a": "Zuyd", "b": "artesis", "c": "Arteveldehogeschool", "d": "Odisee", "e": "howest", "f": "UCLL"}
    with register.uow() as work:
        for slug, name in names.items():
            provider = a_provider(slug, name, trusted=False)
            if validity[slug] is not None:
                start, end = validity[slug]
                provider.quality_assurances = [QualityAssurance("NVAO", QaKind.INSTITUTIONAL_REVIEW, start, end)]
            work.providers.save(provider)
        work.commit()
    with register.uow() as work:
        everything = work.providers.all()
    assert {p.slug for p in everything if is_trusted(p, today)} == {"b", "d", "e"}
    for trusted in (True, False, None):

        def read(after: Position | None, trusted: bool | None = trusted) -> Page[Provider]:
            with register.uow() as work:
                return work.providers.page(trusted=trusted, on=today, order="name", after=after, limit=1)

        expected = sorted(
            (p for p in everything if trusted is None or is_trusted(p, today) is trusted),
            key=lambda p: (p.name.get("nl").lower(), p.slug),
        )
        seen = walk(read)
        assert [p.slug for p in seen] == [p.slug for p in expected]
        assert seen == expected  # with their quality-assurance records


def test_enrolment_pages_walk_an_edition_by_reference(register: Register) -> None:
    references = [f"E-{n}" for n in (3, 11, 1, 7, 20, 2)]
    with register.uow() as work:
        work.providers.save(a_provider("vub", "Vrije Universiteit Brussel"))
        work.offerings.save(an_offering("vub", "MC-1"))
        work.editions.save(Edition("vub", "MC-1-2024", "MC-1", date(2024, 9, 20), date(2025, 1, 31)))
        for number, reference in enumerate(references):
            learner = pseudonymise(reference, provider="vub", pepper=TEST_PEPPER)
            passed = number % 2 == 0
            work.enrolments.save(
                Enrolment(
                    "vub",
                    reference,
                    "MC-1-2024",
                    learner,
                    date(2024, 9, 20),
                    outcome=Outcome.PASSED if passed else Outcome.ENROLLED,
                    outcome_date=date(2025, 1, 31) if passed else None,
                )
            )
        work.commit()

    def read(after: Position | None, outcome: Outcome | None = None) -> Page[Enrolment]:
        with register.uow() as work:
            return work.enrolments.page_for_edition("vub", "MC-1-2024", outcome=outcome, after=after, limit=2)

    assert [e.reference for e in walk(read)] == sorted(references)
    passed = walk(lambda after: read(after, Outcome.PASSED))
    assert [e.reference for e in passed] == sorted(references[0::2])


def test_credential_pages_run_newest_first_and_skip_what_is_issued_meanwhile(register: Register) -> None:
    seeded = seed(register, passed=5)
    wired = seeded.register
    clocks = [seeded.clock, later(seeded.clock, hours=1), later(seeded.clock, hours=1), later(seeded.clock, days=2)]
    for reference, clock in zip(["P-1", "P-2", "P-3", "P-4"], clocks, strict=True):
        issuance.issue_for_enrolment(
            "hoge", reference, uow=wired.uow, keys=wired.key_store, settings=wired.settings, clock=clock
        )
    expected = sorted(issuance.list_credentials("hoge", uow=wired.uow), key=lambda c: (-c.issued_at.timestamp(), -c.id))

    def issue_the_fifth(pages_read: int) -> None:
        if pages_read == 1:  # the newest of all, so before the position: later pages do not show it
            issuance.issue_for_enrolment(
                "hoge",
                "P-5",
                uow=wired.uow,
                keys=wired.key_store,
                settings=wired.settings,
                clock=later(seeded.clock, days=3),
            )

    def read(after: Position | None, state: CredentialState | None = None) -> Page[Credential]:
        with register.uow() as work:
            return work.credentials.page_for_provider("hoge", state=state, edition="DLT-2024", after=after, limit=1)

    assert [c.uuid for c in walk(read, between=issue_the_fifth)] == [c.uuid for c in expected]
    assert len(issuance.list_credentials("hoge", uow=wired.uow)) == 5
    with register.uow() as work:
        assert work.credentials.page_for_provider("hoge", state=CredentialState.REVOKED, limit=5).items == []
        assert work.credentials.page_for_provider("hoge", edition="other", limit=5).items == []


def test_a_page_holds_at_least_one_record(register: Register) -> None:
    with register.uow() as work, pytest.raises(ValueError, match="at least one"):
        work.offerings.page(limit=0)
