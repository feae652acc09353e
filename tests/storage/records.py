"""Domain records the storage tests save and read back: one provider with a QA record, one offering."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from microcred.domain import (
    LangText,
    LearningOutcome,
    Offering,
    ParticipationForm,
    Provider,
    ProviderType,
    QaKind,
    QualityAssurance,
)


def a_provider() -> Provider:
    return Provider(
        slug="ugent",
        name=LangText.of("Universiteit Gent", "Ghent University"),
        type=ProviderType.UNIVERSITY,
        region="BE23",
        kbo_number="0248.015.142",
        erasmus_code="B  GENT01",
        web_domain="ugent.be",
        quality_assurances=[QualityAssurance("NVAO", QaKind.INSTITUTIONAL_REVIEW, date(2020, 1, 1), date(2026, 1, 1))],
    )


def an_offering() -> Offering:
    return Offering(
        provider="ugent",
        code="MC-1",
        title=LangText.of("Datageletterdheid", "Data literacy"),
        learning_outcomes=[LearningOutcome(LangText.of("Data lezen", "Read data"))],
        ects=Decimal("4.5"),
        eqf_level=6,
        vks_level=6,
        isced_field="0613",
        assessment_type="2939dae15f",
        participation_form=ParticipationForm.BLENDED,
        quality_assurance=QaKind.INSTITUTIONAL_REVIEW,
        languages=["nl", "en"],
        stackable_into=["Postgraduaat Data Science"],
    )
