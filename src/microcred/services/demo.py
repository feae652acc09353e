"""The demo register: the real Flemish institutions, a small fixed set, and a generated realistic register.

Institutions come from ``data/institutions.csv`` (copied from the project's reference folder, with its
sources). Their quality-assurance records here are demo values, not the real NVAO decisions.
:func:`load_small_demo` is the fixed set tests rely on; :func:`load_demo` adds generated offerings,
editions and enrolments for 2020-21 to 2025-26 whose parameters follow ``data/demo_figures.csv``
(figures copied from the project's reference folder with their sources); each constant below names the
figure that drives it.
"""

from __future__ import annotations

import csv
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from importlib.resources import files
from typing import Any

from microcred.domain import (
    AgeBand,
    ContractType,
    Edition,
    EmploymentStatus,
    Enrolment,
    FlemishMcType,
    GradingScheme,
    LangText,
    Learner,
    LearningOutcome,
    Offering,
    OfferingKind,
    OfferingStatus,
    Outcome,
    ParticipationForm,
    Provider,
    ProviderType,
    QaKind,
    QualityAssurance,
    pseudonymise,
)
from microcred.services.dependencies import Dependencies
from microcred.services.imports import store_enrolments
from microcred.services.ports import UnitOfWorkFactory

__all__ = [
    "SCALES",
    "Demo",
    "demo_providers",
    "load_demo",
    "load_small_demo",
]

_TYPES = {
    "university": ProviderType.UNIVERSITY,
    "binational_university": ProviderType.UNIVERSITY,
    "university_college": ProviderType.UNIVERSITY_COLLEGE,
    "university_college (school of arts)": ProviderType.UNIVERSITY_COLLEGE,
    "postinitial_institution (statutory registered)": ProviderType.REGISTERED_INSTITUTION,
    "theological_faculty (statutory registered)": ProviderType.REGISTERED_INSTITUTION,
}


def _slug(short_name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", short_name.lower().split("(")[0]).strip("-")


def demo_providers() -> Iterator[Provider]:
    """The real institutions (school-of-arts units are part of their university college and are skipped)."""
    with (files("microcred.services") / "data" / "institutions.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            provider_type = _TYPES.get(row["type"])
            if provider_type is None:
                continue
            verified = row["verified_fields"]
            official = re.sub(r"\s*\(legal name:.*\)$", "", row["official_name"])
            kbo = row["enterprise_number_kbo"] or None
            yield Provider(
                slug=_slug(row["short_name"]),
                name=LangText.of(nl=official),
                short_name=LangText.of(nl=row["short_name"]),
                type=provider_type,
                country="BE",
                kbo_number=kbo if kbo and "enterprise_number_kbo" in verified else None,
                erasmus_code=row["erasmus_code"] or None,
                schac_code=row["schac_code"] or None,
                web_domain=row["website_domain"] or None,
                quality_assurances=[
                    QualityAssurance(
                        "NVAO (demo record)", QaKind.INSTITUTIONAL_REVIEW, date(2015, 9, 1), date(2029, 8, 31)
                    )
                ],
            )


def _offerings() -> list[Offering]:
    common: dict[str, Any] = {
        "issuer_country": "BE",
        "assessment_type": "2939dae15f",
        "quality_assurance": QaKind.INSTITUTIONAL_REVIEW,
        "status": OfferingStatus.PUBLISHED,
    }
    return [
        Offering(
            provider="vub",
            code="MC-DSS",
            kind=OfferingKind.COURSE_UNITS,
            title=LangText.of("Beslissingsondersteuning voor duurzaamheid", "Decision Support for Sustainability"),
            learning_outcomes=[
                LearningOutcome(
                    LangText.of(
                        "Externe kosten van beleidskeuzes berekenen", "Calculate the external costs of policy choices"
                    )
                )
            ],
            ects=Decimal(6),
            eqf_level=7,
            isced_field="0788",
            participation_form=ParticipationForm.BLENDED,
            languages=["en"],
            price_eur=450,
            info_url="https://www.vub.be/",
            **common,
        ),
        Offering(
            provider="uantwerpen",
            code="MC-ANCESTORS",
            kind=OfferingKind.MICRO_CREDENTIAL,
            title=LangText.of("Voorouders en nakomelingen", "Ancestors and descendants"),
            learning_outcomes=[
                LearningOutcome(
                    LangText.of("Genealogische bronnen kritisch gebruiken", "Use genealogical sources critically")
                )
            ],
            ects=Decimal(12),
            eqf_level=7,
            isced_field="0222",
            participation_form=ParticipationForm.ON_SITE,
            languages=["nl"],
            price_eur=0,
            **common,
        ),
        Offering(
            provider="ugent",
            code="MC-DISINFO",
            kind=OfferingKind.MICRO_CREDENTIAL,
            title=LangText.of("Desinformatie herkennen", "Recognising disinformation"),
            learning_outcomes=[
                LearningOutcome(LangText.of("Nepnieuws herkennen en weerleggen", "Recognise and debunk fake news"))
            ],
            ects=Decimal(5),
            eqf_level=6,
            isced_field="0321",
            participation_form=ParticipationForm.ONLINE,
            languages=["nl"],
            **common,
        ),
    ]


def load_small_demo(uow: UnitOfWorkFactory, *, pepper: str) -> dict[str, int]:
    """Load the small fixed demo register (idempotent); return how many records of each kind it holds."""
    with uow() as work:
        providers = list(demo_providers())
        for provider in providers:
            work.providers.save(provider)
        offerings = _offerings()
        editions: list[Edition] = []
        for offering in offerings:
            work.offerings.save(offering)
            for year in (2022, 2023, 2024):
                edition = Edition(
                    offering.provider,
                    f"{offering.code}-{year}",
                    offering.code,
                    date(year, 9, 20),
                    date(year + 1, 1, 31),
                    capacity=40,
                )
                work.editions.save(edition)
                editions.append(edition)
        count = 0
        statuses = list(EmploymentStatus)
        for number, edition in enumerate(editions):
            for seat in range(8 + number % 5):
                learner = pseudonymise(f"{edition.code}-{seat}", provider=edition.provider, pepper=pepper)
                passed = seat % 4 != 3
                work.enrolments.save(
                    Enrolment(
                        provider=edition.provider,
                        reference=f"{edition.code}-E{seat:03d}",
                        edition_code=edition.code,
                        learner=learner,
                        enrolment_date=edition.start_date,
                        contract_type=ContractType.CREDIT,
                        employment_status=statuses[seat % len(statuses)],
                        age_band=list(AgeBand)[1 + seat % 6],
                        outcome=Outcome.PASSED if passed else Outcome.FAILED,
                        grade=str(12 + seat % 8) if passed else "8",
                        outcome_date=edition.last_day,
                    )
                )
                count += 1
        work.commit()
    return {"providers": len(providers), "offerings": len(offerings), "editions": len(editions), "enrolments": count}


# --- the generated register -------------------------------------------------------------------------

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
# "one third taught in English" (Nova Academy micro-credentials, yerun.eu 2023).
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
_ASSESSMENTS = ("2939dae15f", "3484bd7e51", "4f03b91c0e", "19a2e5e671")
_FLEMISH_TYPES = tuple(FlemishMcType)


@dataclass(frozen=True, slots=True)
class _Topic:
    isced: str
    nl: str
    en: str
    outcome_nl: str
    outcome_en: str


def _topics() -> list[_Topic]:
    with (files("microcred.services") / "data" / "demo_topics.csv").open(encoding="utf-8") as handle:
        return [
            _Topic(r["isced"], r["topic_nl"], r["topic_en"], r["outcome_nl"], r["outcome_en"])
            for r in csv.DictReader(handle)
        ]


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


def _offering(provider: Provider, kind: OfferingKind, year: int, number: int, rng: random.Random) -> Offering:
    topic = rng.choice(_topics())
    prefix = {"micro-credential": "MC", "course-units": "OO", "postgraduate": "PG", "further-training": "BN"}[kind]
    english = rng.random() < ENGLISH_SHARE
    level = 7 if kind is OfferingKind.POSTGRADUATE or provider.type is ProviderType.UNIVERSITY else 6
    heading_nl = {"postgraduate": "Postgraduaat ", "further-training": "Opleiding "}.get(kind.value, "")
    heading_en = {"postgraduate": "Postgraduate certificate in ", "further-training": "Course: "}.get(kind.value, "")
    offering = Offering(
        provider=provider.slug,
        code=f"{prefix}-{year % 100:02d}{number:03d}",
        kind=kind,
        status=OfferingStatus.PUBLISHED,
        title=LangText.of(heading_nl + topic.nl, heading_en + topic.en.lower() if heading_en else topic.en),
        learning_outcomes=[
            LearningOutcome(
                LangText.of(f"De deelnemer kan {topic.outcome_nl}.", f"The participant can {topic.outcome_en}.")
            ),
            LearningOutcome(LangText.of(f"De deelnemer kan {rng.choice(_topics()).outcome_nl}.", None)),
        ],
        ects=Decimal(rng.choice(ECTS[kind])),
        eqf_level=level,
        vks_level=level,
        isced_field=topic.isced,
        assessment_type=rng.choice(_ASSESSMENTS),
        participation_form=rng.choice(tuple(ParticipationForm)),
        quality_assurance=QaKind.INSTITUTIONAL_REVIEW,
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


def _plan(seed: int, scale: float) -> tuple[list[Provider], list[Offering], list[Edition]]:
    rng = random.Random(seed)
    providers = list({p.slug: p for p in reversed(list(demo_providers()))}.values())[::-1]  # one per slug
    offerings: list[Offering] = []
    editions: list[Edition] = []
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
                    offering = _offering(provider, kind, year, number, rng)
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
    return providers, offerings, editions


def _enrolments(
    editions: list[Edition], offerings: dict[tuple[str, str], Offering], seed: int, scale: float, pepper: str
) -> Iterator[Enrolment]:
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


def load_demo(uow: UnitOfWorkFactory, *, pepper: str, seed: int = 2024, scale: str = "small") -> dict[str, int]:
    """Load the demo register: the fixed set plus a generated one (deterministic for ``seed``); idempotent."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}")
    fixed = load_small_demo(uow, pepper=pepper)
    providers, offerings, editions = _plan(seed, SCALES[scale])
    by_key = {(o.provider, o.code): o for o in offerings}
    with uow() as work:
        for offering in offerings:
            work.offerings.save(offering)
        for edition in editions:
            work.editions.save(edition)
        counts = store_enrolments(work, _enrolments(editions, by_key, seed, SCALES[scale], pepper))
        for number, provider in enumerate(("ugent", "vub"), start=1):  # learners with an e-mail, for the wallet
            learner = pseudonymise(f"d{number:07d}", provider=provider, pepper=pepper)
            work.learners.save(Learner(learner, email=f"learner{number}@example.org"), provider=provider)
        work.commit()
    return {
        "providers": len(providers),
        "offerings": fixed["offerings"] + len(offerings),
        "editions": fixed["editions"] + len(editions),
        "enrolments": fixed["enrolments"] + sum(counts.values()),
    }


class Demo:
    """The demo register, loaded with this register's pepper."""

    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps

    def load(self, *, seed: int = 2024, scale: str = "small") -> dict[str, int]:
        return load_demo(self._deps.uow, pepper=self._deps.pepper, seed=seed, scale=scale)
