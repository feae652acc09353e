"""The demo register: the real Flemish institutions, and a small fixed set of offerings and enrolments.

Institutions come from ``data/institutions.csv`` (copied from the project's reference folder, with its
sources). Their quality-assurance records here are demo values, not the real NVAO decisions.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import date
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
from microcred.services.ports import UnitOfWorkFactory

__all__ = ["demo_providers", "load_small_demo"]

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
                        outcome_date=edition.end_date,
                    )
                )
                count += 1
        work.commit()
    return {"providers": len(providers), "offerings": len(offerings), "editions": len(editions), "enrolments": count}
