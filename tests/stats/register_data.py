"""A small hand-made register for the statistics tests, and plain-Python counting over the same lists.

The expected figures are counted here from the test's own lists, never through microcred.stats. ``load``
writes the lists into a register; ``facts`` hands the same lists to statistics without one.
``STATS_REGISTER`` loads it once per session into a template that each test's register is copied from.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from microcred.bootstrap import Register
from microcred.domain import (
    AgeBand,
    ContractType,
    Edition,
    EmploymentStatus,
    Enrolment,
    FlemishMcType,
    LangText,
    Offering,
    OfferingKind,
    Outcome,
    ParticipationForm,
    Provider,
    ProviderType,
)
from tests.databases import Content
from tests.stats.facts import FactsInMemory

YEARS = (2020, 2021, 2022, 2023)

PROVIDERS = {
    "uni-a": ProviderType.UNIVERSITY,
    "uni-b": ProviderType.UNIVERSITY,
    "hs-c": ProviderType.UNIVERSITY_COLLEGE,
    "priv-d": ProviderType.OTHER_PRIVATE,  # outside the default scope
}


@dataclass(frozen=True)
class Off:
    provider: str
    code: str
    kind: OfferingKind
    ects: Decimal | None
    field: str  # ISCED-F detailed field
    eqf: int
    flemish: FlemishMcType | None = None


OFFERINGS = [
    Off("uni-a", "A1", OfferingKind.MICRO_CREDENTIAL, Decimal("2.5"), "0613", 6, FlemishMcType.TYPE_1),
    Off("uni-a", "A2", OfferingKind.COURSE_UNITS, Decimal("5.5"), "0613", 7),
    Off("uni-b", "B1", OfferingKind.MICRO_CREDENTIAL, Decimal("10.5"), "0222", 7, FlemishMcType.TYPE_3B),
    Off("uni-b", "B2", OfferingKind.POSTGRADUATE, Decimal(20), "0311", 7),
    Off("hs-c", "C1", OfferingKind.FURTHER_TRAINING, Decimal("20.5"), "0913", 5),
    Off("hs-c", "C2", OfferingKind.MICRO_CREDENTIAL, Decimal(6), "0913", 5),
    Off("hs-c", "C3", OfferingKind.OTHER, Decimal(3), "0913", 5),  # not in the broad reading
    Off("priv-d", "D1", OfferingKind.MICRO_CREDENTIAL, Decimal(4), "0613", 6),
]

# (offering code, academic start year, capacity, number of enrolments)
EDITIONS = [
    ("A1", 2020, 30, 12),
    ("A1", 2021, 30, 14),
    ("A1", 2022, None, 3),
    ("A1", 2023, 30, 16),
    ("A2", 2021, None, 6),
    ("A2", 2023, 20, 2),
    ("B1", 2022, 25, 9),
    ("B1", 2023, 25, 11),
    ("B2", 2020, None, 4),
    ("B2", 2021, None, 7),
    ("B2", 2022, None, 8),
    ("B2", 2023, 40, 10),
    ("C1", 2021, 15, 5),
    ("C1", 2022, 15, 1),
    ("C2", 2023, 10, 7),
    ("C3", 2022, 10, 9),
    ("D1", 2021, 10, 8),
]
STATUSES = list(EmploymentStatus)
AGES = [AgeBand.FROM_25, AgeBand.FROM_30, AgeBand.FROM_35, AgeBand.UNKNOWN]
OUTCOMES = [Outcome.PASSED, Outcome.PASSED, Outcome.FAILED, Outcome.ENROLLED, Outcome.WITHDRAWN]


@dataclass(frozen=True)
class E:
    provider: str
    offering: str
    year: int
    edition: str
    learner: str
    status: EmploymentStatus
    contract: ContractType
    age: AgeBand
    outcome: Outcome


def pseudonym(n: int) -> str:
    return hashlib.sha256(f"learner-{n}".encode()).hexdigest()


def enrolments() -> list[E]:
    """Learners are reused across editions (learner n takes part again later), so distinct < enrolments."""
    found: list[E] = []
    by_code = {o.code: o for o in OFFERINGS}
    counter = 0
    for code, year, _capacity, count in EDITIONS:
        for seat in range(count):
            counter += 1
            learner = pseudonym(counter % 61)  # 61 learners for 128 enrolments
            found.append(
                E(
                    by_code[code].provider,
                    code,
                    year,
                    f"{code}-{year}",
                    learner,
                    STATUSES[(counter * 7) % len(STATUSES)],
                    ContractType.CREDIT if seat % 3 else ContractType.EXAM,
                    AGES[counter % len(AGES)],
                    OUTCOMES[counter % len(OUTCOMES)],
                )
            )
    return found


def load(register: Register) -> None:
    with register.uow() as work:
        for slug, kind in PROVIDERS.items():
            work.providers.save(Provider(slug=slug, name=LangText.of(f"Naam {slug}", f"Name {slug}"), type=kind))
        for o in OFFERINGS:
            work.offerings.save(
                Offering(
                    provider=o.provider,
                    code=o.code,
                    title=LangText.of(f"Titel {o.code}", f"Title {o.code}"),
                    kind=o.kind,
                    ects=o.ects,
                    isced_field=o.field,
                    eqf_level=o.eqf,
                    flemish_type=o.flemish,
                    participation_form=ParticipationForm.ONLINE,
                )
            )
        by_code = {o.code: o for o in OFFERINGS}
        for code, year, capacity, _count in EDITIONS:
            work.editions.save(
                Edition(
                    by_code[code].provider,
                    f"{code}-{year}",
                    code,
                    date(year, 10, 1),
                    date(year + 1, 2, 1),
                    capacity=capacity,
                )
            )
        for number, e in enumerate(enrolments()):
            decided = e.outcome in (Outcome.PASSED, Outcome.FAILED)
            work.enrolments.save(
                Enrolment(
                    provider=e.provider,
                    reference=f"R{number}",
                    edition_code=e.edition,
                    learner=e.learner,
                    enrolment_date=date(e.year, 10, 1),
                    contract_type=e.contract,
                    employment_status=e.status,
                    age_band=e.age,
                    outcome=e.outcome,
                    outcome_date=date(e.year + 1, 2, 1) if decided else None,
                )
            )
        work.commit()


def facts(*, batch: int = 7) -> FactsInMemory:
    """The register ``load`` writes, as the statistics port's rows (ids numbered in the order ``load`` saves)."""
    provider_ids = {slug: n for n, slug in enumerate(PROVIDERS, 1)}
    offering_ids = {o.code: n for n, o in enumerate(OFFERINGS, 1)}
    edition_ids = {f"{code}-{year}": n for n, (code, year, _c, _n) in enumerate(EDITIONS, 1)}
    learner_ids: dict[str, int] = {}
    for e in enrolments():
        learner_ids.setdefault(e.learner, len(learner_ids) + 1)
    return FactsInMemory(
        providers_rows=[
            (provider_ids[slug], slug, {"nl": f"Naam {slug}", "en": f"Name {slug}"}, kind.value)
            for slug, kind in PROVIDERS.items()
        ],
        offerings_rows=[
            (
                offering_ids[o.code],
                provider_ids[o.provider],
                o.code,
                {"nl": f"Titel {o.code}", "en": f"Title {o.code}"},
                o.kind.value,
                o.flemish.value if o.flemish else None,
                None if o.ects is None else int(o.ects * 10),
                o.eqf,
                None,
                o.field,
                ParticipationForm.ONLINE.value,
            )
            for o in OFFERINGS
        ],
        editions_rows=[
            (edition_ids[f"{code}-{year}"], offering_ids[code], year, capacity) for code, year, capacity, _n in EDITIONS
        ],
        enrolments_rows=[
            (
                edition_ids[e.edition],
                learner_ids[e.learner],
                e.contract.value,
                e.status.value,
                e.age.value,
                e.outcome.value,
            )
            for e in enrolments()
        ],
        batch=batch,
        secret=next(iter(learner_ids), "").encode(),
    )


STATS_REGISTER = Content("statistics register", load)


def in_default_scope(o: Off) -> bool:
    return PROVIDERS[o.provider].is_higher_education and o.kind is not OfferingKind.OTHER


def band(ects: Decimal) -> str:
    """The documented bands, written out independently: <3, [3,6), [6,11), [11,20], >20."""
    if ects < 3:
        return "<3"
    if ects < 6:
        return "3-5"
    if ects < 11:
        return "6-10"
    if ects <= 20:
        return "11-20"
    return ">20"
