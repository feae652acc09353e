"""The generated part of the demo register: offerings, editions and enrolments whose shape follows real figures.

Parameters follow ``data/demo_figures.csv`` (figures copied from the project's reference folder with their
sources); each constant below names the figure that drives it. Subjects, their learning outcomes and the
languages they can be taught in come from ``data/demo_topics.csv``. Everything is drawn from a seeded
generator, so the same seed gives the same register; only the upcoming editions depend on the day the demo
is loaded, so that the catalogue's "next edition" shows something on any day.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from importlib.resources import files

from microcred.domain import (
    AcademicYear,
    AgeBand,
    ContractType,
    Edition,
    EmploymentStatus,
    Enrolment,
    FlemishMcType,
    GradingScheme,
    LangText,
    LearningOutcome,
    Offering,
    OfferingKind,
    OfferingStatus,
    Outcome,
    ParticipationForm,
    Provider,
    ProviderType,
    pseudonymise,
)

__all__ = ["FIRST_YEAR", "LAST_YEAR", "SCALES", "enrolments", "plan", "upcoming_editions"]

SCALES = {"small": 0.03, "full": 1.0}
FIRST_YEAR, LAST_YEAR = 2020, 2025  # academic years 2020-21 to 2025-26
TODAY = date(2026, 2, 1)  # fixed, so the same seed always gives the same outcomes
FULL_ENROLMENTS = 300_000
# "Micro-credentials launched by Nova Academy" 71 (2022) and 187 cumulative (2023): labelled
# micro-credentials start in 2022-23 and the offer grows 187/71 = 2.6 times in the following year.
MC_FIRST_YEAR, MC_SURGE = 2022, 187 / 71
# "Annual growth of lifelong-learning enrolments, KU Leuven Association": 10 % a year, used for the
# rest of the offer and (through the number of editions) for enrolments.
YEARLY_GROWTH = 1.10
# "one third taught in English" (Nova Academy micro-credentials, yerun.eu 2023), of the subjects that can
# be taught in English at all (Business Dutch, Flemish tax law or youth care are not).
ENGLISH_SHARE = 1 / 3
# Age bands. Lifelong learners: "Hogeschool students aged 35-40" 4,595 vs "aged over 40" 5,694 give the
# 35-44 : 45+ ratio (1 : 1.24, the 45+ share split 45-54 > 55-64 > 65+); younger bands are assumptions.
AGE_LIFELONG = {"20-24": 5, "25-29": 13, "30-34": 18, "35-44": 28, "45-54": 22, "55-64": 11, "65+": 1, "unknown": 2}
# Course units under a credit contract: "Study starters in teacher education ... 36% older than 25".
AGE_COURSE_UNITS = {"<20": 14, "20-24": 50, "25-29": 12, "30-34": 9, "35-44": 9, "45-54": 4, "55-64": 1, "unknown": 1}
# Employment status. Participation in training by status, Flanders 2018: employed 8.9 %, unemployed 15.3 %,
# inactive 6.9 %, weighted by an assumed population of 75 % employed (of whom 15 % self-employed),
# 4 % unemployed and 21 % inactive: about 76 / 7 / 17.
EMPLOYMENT_LIFELONG = {"employed": 62, "self-employed": 11, "job-seeking": 7, "not-in-labour-force": 16, "unknown": 4}
# Course-unit learners: "Share of students working during the academic year" 58 % (2017).
EMPLOYMENT_COURSE_UNITS = {
    "employed": 50,
    "self-employed": 8,
    "job-seeking": 4,
    "not-in-labour-force": 36,
    "unknown": 2,
}
# Sizes: micro-credentials 3-20 ECTS ("Typical micro-credential size"), postgraduates 20-60 ("Minimum size
# of a postgraduate programme" 20), course units at most 24 ("Maximum credits ... credit contract").
ECTS = {
    OfferingKind.MICRO_CREDENTIAL: (3, 4, 5, 6, 6, 8, 9, 10, 12, 15, 18, 20),
    OfferingKind.COURSE_UNITS: (3, 3, 4, 5, 6, 6, 6, 9, 12),
    OfferingKind.POSTGRADUATE: (20, 20, 24, 30, 30, 40, 60),
    OfferingKind.FURTHER_TRAINING: (1, 2, 3, 3, 4, 5, 6),
}
# New offerings per provider and year at full scale (assumption calibrated so that the offer of the
# three Nova universities in 2022-23 is about 71 micro-credentials).
NEW_PER_YEAR = {
    OfferingKind.MICRO_CREDENTIAL: 8,
    OfferingKind.COURSE_UNITS: 6,
    OfferingKind.POSTGRADUATE: 2,
    OfferingKind.FURTHER_TRAINING: 5,
}
#: Euros per ECTS credit, an assumption of the demo's order of magnitude (lifelong-learning fees in Flanders).
PRICE_PER_CREDIT = {
    OfferingKind.MICRO_CREDENTIAL: 75,
    OfferingKind.POSTGRADUATE: 110,
    OfferingKind.FURTHER_TRAINING: 150,
}
DRAFT_SHARE = 0.05  # incomplete drafts, so that `offering check` has something to show
UPCOMING_SHARE = 0.8  # published offerings that already announce their next edition (an assumption)
_ASSESSMENTS = ("2939dae15f", "3484bd7e51", "4f03b91c0e", "19a2e5e671")
_FLEMISH_TYPES = tuple(FlemishMcType)
_PREFIX = {"micro-credential": "MC", "course-units": "OO", "postgraduate": "PG", "further-training": "BN"}
_HEADING_NL = {"postgraduate": "Postgraduaat ", "further-training": "Opleiding "}
_HEADING_EN = {"postgraduate": "Postgraduate certificate in ", "further-training": "Course in "}


@dataclass(frozen=True, slots=True)
class _Topic:
    """A subject as the demo offers it: its field, names, two learning outcomes (some tied to an ESCO skill) and
    teaching languages."""

    isced: str
    nl: str
    en: str
    languages: tuple[str, ...]
    outcomes: tuple[tuple[str, str, str | None], ...]  # (nl, en, ESCO skill URI or None) each


@cache
def _topics() -> tuple[_Topic, ...]:
    with (files("microcred.services") / "data" / "demo_topics.csv").open(encoding="utf-8") as handle:
        return tuple(
            _Topic(
                r["isced"],
                r["topic_nl"],
                r["topic_en"],
                tuple(r["teaching"].split()),
                (
                    (r["outcome_nl"], r["outcome_en"], r["esco"] or None),
                    (r["outcome2_nl"], r["outcome2_en"], r["esco2"] or None),
                ),
            )
            for r in csv.DictReader(handle)
        )


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _new_offerings(kind: OfferingKind, year: int, scale: float, rng: random.Random) -> int:
    if kind is OfferingKind.MICRO_CREDENTIAL:
        if year < MC_FIRST_YEAR:
            return 0
        factor = 1.0 if year == MC_FIRST_YEAR else MC_SURGE - 1 if year == MC_FIRST_YEAR + 1 else 0.5
    else:
        factor = YEARLY_GROWTH ** (year - FIRST_YEAR)
    expected = NEW_PER_YEAR[kind] * factor * scale
    return int(expected) + (1 if rng.random() < expected % 1 else 0)


def _english_title(kind: OfferingKind, topic: str) -> str:
    """The English title: a heading, then the subject as it is written mid-sentence (an acronym keeps its
    capitals: "Postgraduate certificate in BIM in construction", "... in databases and SQL")."""
    heading = _HEADING_EN.get(kind.value)
    if heading is None:
        return topic
    first = topic.split(maxsplit=1)[0]
    return heading + (topic if first.isupper() and len(first) > 1 else topic[0].lower() + topic[1:])


def _title_nl(kind: OfferingKind, topic: _Topic) -> str:
    return _HEADING_NL.get(kind.value, "") + topic.nl


def _deal(kind: OfferingKind, deck: list[_Topic], taken: set[str]) -> _Topic:
    """The next subject from the shuffled ``deck`` whose title the register does not hold yet (the deck's
    first when every one is taken); it goes to the back, so every subject comes round before any repeats."""
    position = next((i for i, topic in enumerate(deck) if _title_nl(kind, topic) not in taken), 0)
    topic = deck.pop(position)
    deck.append(topic)
    taken.add(_title_nl(kind, topic))
    return topic


def _offering(
    provider: Provider, kind: OfferingKind, year: int, number: int, rng: random.Random, topic: _Topic
) -> Offering:
    english = "en" in topic.languages and rng.random() < ENGLISH_SHARE
    level = 7 if kind is OfferingKind.POSTGRADUATE or provider.type is ProviderType.UNIVERSITY else 6
    assurance = provider.quality_assurances[0].kind if provider.quality_assurances else None
    offering = Offering(
        provider=provider.slug,
        code=f"{_PREFIX[kind]}-{year % 100:02d}{number:03d}",
        kind=kind,
        status=OfferingStatus.PUBLISHED,
        title=LangText.of(_title_nl(kind, topic), _english_title(kind, topic.en)),
        learning_outcomes=[
            LearningOutcome(LangText.of(f"De deelnemer kan {nl}.", f"The participant can {en}."), skill)
            for nl, en, skill in topic.outcomes
        ],
        ects=Decimal(rng.choice(ECTS[kind])),
        eqf_level=level,
        vks_level=level,
        isced_field=topic.isced,
        assessment_type=rng.choice(_ASSESSMENTS),
        participation_form=rng.choice(tuple(ParticipationForm)),
        quality_assurance=assurance,
        languages=["en"] if english else ["nl"],
        flemish_type=rng.choice(_FLEMISH_TYPES) if kind is OfferingKind.MICRO_CREDENTIAL else None,
        grading_scheme=GradingScheme.PASS_FAIL if kind is OfferingKind.FURTHER_TRAINING else GradingScheme.TWENTY_POINT,
        info_url=f"https://www.{provider.web_domain}/" if provider.web_domain else None,
    )
    # Course units are paid as tuition under a credit contract: no price of their own. Derived, not drawn,
    # so the generated register (and every figure pinned on it) stays the same for a seed.
    per_credit = PRICE_PER_CREDIT.get(kind)
    offering.price_eur = int(offering.ects * per_credit) if per_credit and offering.ects else None
    if rng.random() < DRAFT_SHARE:  # an incomplete draft: no learning outcomes or no assessment yet
        offering.status = OfferingStatus.DRAFT
        offering.learning_outcomes = [] if rng.random() < 0.5 else offering.learning_outcomes
        offering.assessment_type = None if offering.learning_outcomes else offering.assessment_type
    return offering


def plan(
    providers: list[Provider], seed: int, scale: float, *, taken: Iterable[str] = ()
) -> tuple[list[Offering], list[Edition]]:
    """The generated offerings of ``providers`` and their editions from 2020-21 to 2025-26, titled apart
    from each other and from the Dutch titles in ``taken`` while the subjects last."""
    rng = random.Random(seed)
    offerings: list[Offering] = []
    editions: list[Edition] = []
    taken = set(taken)
    deck = list(_topics())
    rng.shuffle(deck)
    for provider in providers:
        weight = (
            1.0
            if provider.type is ProviderType.UNIVERSITY
            else 0.7
            if provider.type is ProviderType.UNIVERSITY_COLLEGE
            else 0.2
        )
        number = 0
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            for kind in NEW_PER_YEAR:
                for _ in range(_new_offerings(kind, year, scale * weight, rng)):
                    number += 1
                    offering = _offering(provider, kind, year, number, rng, _deal(kind, deck, taken))
                    offerings.append(offering)
                    if offering.status is OfferingStatus.DRAFT:
                        continue
                    for run in range(year, LAST_YEAR + 1):
                        month, day = rng.choice((9, 9, 10, 2)), rng.randint(1, 28)  # autumn or spring semester
                        start = date(run + 1, 2, day) if month == 2 else date(run, month, day)
                        editions.append(
                            Edition(provider.slug, f"{offering.code}-{run}", offering.code, start,
                                    start + timedelta(days=rng.choice((60, 90, 120, 150, 270))),
                                    capacity=rng.choice((20, 25, 30, 40, 60, 80, 120)))
                        )  # fmt: skip
    return offerings, editions


def upcoming_editions(offerings: list[Offering], *, today: date, seed: int) -> list[Edition]:
    """Next academic year's editions of most published offerings, counted from ``today``.

    They lie after the academic year ``today`` is in (and after the generated years), so they never make
    the year in progress look like data, and they have no enrolments yet: the statistics and the
    parliament report count nothing for them until learners enrol and finish.
    """
    rng = random.Random(seed + 2)
    year = max(AcademicYear.of(today).start_year + 1, LAST_YEAR + 1)
    found = []
    for offering in offerings:
        if offering.status is not OfferingStatus.PUBLISHED or rng.random() >= UPCOMING_SHARE:
            continue
        start = date(year, 9, rng.randint(14, 30)) if rng.random() < 0.7 else date(year + 1, 2, rng.randint(3, 20))
        found.append(
            Edition(
                offering.provider,
                f"{offering.code}-{year}",
                offering.code,
                start,
                start + timedelta(days=rng.choice((60, 90, 120, 150))),
                capacity=rng.choice((20, 25, 30, 40, 60)),
            )
        )
    return found


def enrolments(
    editions: list[Edition], offerings: dict[tuple[str, str], Offering], seed: int, scale: float, pepper: str
) -> Iterator[Enrolment]:
    """The enrolments of the generated editions: outcomes for those that ended before the fixed TODAY."""
    rng = random.Random(seed + 1)
    weights = [YEARLY_GROWTH ** (e.academic_year.start_year - FIRST_YEAR) * (e.capacity or 20) for e in editions]
    per_weight = FULL_ENROLMENTS * scale / max(sum(weights), 1)
    learners = max(50, int(FULL_ENROLMENTS * scale * 0.8))  # some learners take several offerings
    for edition, weight in zip(editions, weights, strict=True):
        offering = offerings[(edition.provider, edition.offering_code)]
        lifelong = offering.kind is not OfferingKind.COURSE_UNITS
        contract = {
            OfferingKind.POSTGRADUATE: ContractType.DIPLOMA,
            OfferingKind.FURTHER_TRAINING: ContractType.NOT_APPLICABLE,
        }.get(offering.kind, ContractType.CREDIT)
        count = min(edition.capacity or 20, max(1, round(rng.gauss(weight * per_weight, weight * per_weight * 0.2))))
        finished = edition.last_day < TODAY
        for seat in range(count):
            learner = f"d{rng.randrange(learners):07d}"
            outcome = (
                _weighted(rng, {"passed": 76, "failed": 12, "withdrawn": 12})
                if finished
                else rng.choice(("enrolled", "enrolled", "withdrawn"))
            )
            decided = outcome in ("passed", "failed")
            passed_grade = str(rng.randint(10, 19)) if offering.grading_scheme is GradingScheme.TWENTY_POINT else "pass"
            failed_grade = str(rng.randint(4, 9)) if offering.grading_scheme is GradingScheme.TWENTY_POINT else "fail"
            yield Enrolment(
                provider=edition.provider,
                reference=f"{edition.code}-{seat + 1:04d}",
                edition_code=edition.code,
                learner=pseudonymise(learner, provider=edition.provider, pepper=pepper),
                enrolment_date=edition.start_date - timedelta(days=rng.randint(3, 60)),
                contract_type=ContractType.EXAM
                if contract is ContractType.CREDIT and rng.random() < 0.03
                else contract,
                employment_status=EmploymentStatus(
                    _weighted(rng, EMPLOYMENT_LIFELONG if lifelong else EMPLOYMENT_COURSE_UNITS)
                ),
                age_band=AgeBand(_weighted(rng, AGE_LIFELONG if lifelong else AGE_COURSE_UNITS)),
                outcome=Outcome(outcome),
                grade=(passed_grade if outcome == "passed" else failed_grade) if decided else None,
                outcome_date=edition.last_day + timedelta(days=7) if decided else None,
            )
