"""The demo register: the real Flemish institutions, a small fixed set, a generated register and its people.

Institutions come from ``data/institutions.csv`` (copied from the project's reference folder, with its
sources). Their quality-assurance records are illustrative, not the real NVAO decisions: the kind each
type of institution has in Flanders (an institutional review for universities and university colleges,
programme accreditation for the registered institutions) with plausible dates spread per institution.
:func:`load_small_demo` is the fixed set tests rely on; :func:`load_demo` adds the generated register
(``demo_generated``); :class:`Demo` also adds the desk logins and wallet learners (``demo_showcase``).
"""

from __future__ import annotations

import csv
import re
import zlib
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
from microcred.services.demo_generated import SCALES, enrolments, plan, upcoming_editions
from microcred.services.demo_showcase import Showcase, load_showcase
from microcred.services.dependencies import Dependencies
from microcred.services.imports import store_enrolments
from microcred.services.ports import UnitOfWorkFactory

__all__ = [
    "SCALES",
    "Demo",
    "LoadedDemo",
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
                quality_assurances=[_quality_assurance(_slug(row["short_name"]), provider_type)],
            )


def _quality_assurance(slug: str, provider_type: ProviderType) -> QualityAssurance:
    """An illustrative NVAO record of the kind this type of institution has: an institutional review
    (decided 2021-2024, six years) or, for registered institutions, programme accreditation (decided
    2020-2024, eight years); the day is spread by the slug so that no two institutions share one."""
    spread = zlib.crc32(slug.encode())
    review = provider_type is not ProviderType.REGISTERED_INSTITUTION
    first = (2021, 4) if review else (2020, 5)
    decided = date(first[0] + spread % first[1], 1 + spread // 7 % 12, 1 + spread // 97 % 28)
    years = 6 if review else 8
    return QualityAssurance(
        "NVAO",
        QaKind.INSTITUTIONAL_REVIEW if review else QaKind.PROGRAMME_ACCREDITATION,
        decided,
        decided.replace(year=decided.year + years) - timedelta(days=1),
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


def load_demo(
    uow: UnitOfWorkFactory, *, pepper: str, seed: int = 2024, scale: str = "small", today: date | None = None
) -> dict[str, int]:
    """Load the demo register: the fixed set plus a generated one (deterministic for ``seed``); idempotent.

    With ``today``, most published generated offerings also get next academic year's edition, counted from
    that day (``demo_generated.upcoming_editions``); without it the register is the same on every day."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}")
    fixed = load_small_demo(uow, pepper=pepper)
    providers = _one_per_slug()
    fixed_titles = [o.title.texts["nl"] for o in _offerings()]
    offerings, editions = plan(providers, seed, SCALES[scale], taken=fixed_titles)
    upcoming = upcoming_editions(offerings, today=today, seed=seed) if today is not None else []
    by_key = {(o.provider, o.code): o for o in offerings}
    with uow() as work:
        for offering in offerings:
            work.offerings.save(offering)
        for edition in [*editions, *upcoming]:
            work.editions.save(edition)
        counts = store_enrolments(work, enrolments(editions, by_key, seed, SCALES[scale], pepper))
        for number, provider in enumerate(("ugent", "vub"), start=1):  # learners with an e-mail, for the wallet
            learner = pseudonymise(f"d{number:07d}", provider=provider, pepper=pepper)
            work.learners.save(Learner(learner, email=f"learner{number}@example.org"), provider=provider)
        work.commit()
    return {
        "providers": len(providers),
        "offerings": fixed["offerings"] + len(offerings),
        "editions": fixed["editions"] + len(editions) + len(upcoming),
        "enrolments": fixed["enrolments"] + sum(counts.values()),
    }


def _one_per_slug() -> list[Provider]:
    """The demo providers, one per slug (UCLL's two campuses share one), in the file's order."""
    return list({p.slug: p for p in reversed(list(demo_providers()))}.values())[::-1]


@dataclass(frozen=True, slots=True)
class LoadedDemo:
    """What ``microcred demo`` reports: how many records of each kind, and who can sign in where."""

    counts: dict[str, int]
    showcase: Showcase | None  # None in production: no published password, no demo learners


class Demo:
    """The demo register, loaded with this register's pepper, clock and signing keys."""

    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps

    def load(self, *, seed: int = 2024, scale: str = "small") -> LoadedDemo:
        d = self._deps
        counts = load_demo(d.uow, pepper=d.pepper, seed=seed, scale=scale, today=d.clock().date())
        if d.settings.environment == "production":
            return LoadedDemo(counts, None)
        return LoadedDemo(counts, load_showcase(_one_per_slug(), d))
