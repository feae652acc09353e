"""The domain's closed code lists and the shipped vocabularies (which carry the labels) agree exactly."""

from __future__ import annotations

from enum import StrEnum

import pytest

from microcred.domain import (
    AgeBand,
    ContractType,
    EmploymentStatus,
    FlemishMcType,
    GradingScheme,
    LearnerScheme,
    OfferingKind,
    OfferingStatus,
    Outcome,
    ParticipationForm,
    ProviderType,
    QaKind,
)
from microcred.vocab import vocabulary


@pytest.mark.parametrize(
    ("enum", "name"),
    [
        (AgeBand, "age-bands"),
        (ContractType, "contract-types"),
        (EmploymentStatus, "employment-statuses"),
        (FlemishMcType, "flemish-mc-types"),
        (GradingScheme, "grading-schemes"),
        (LearnerScheme, "learner-id-schemes"),
        (OfferingKind, "offering-kinds"),
        (OfferingStatus, "offering-statuses"),
        (Outcome, "outcomes"),
        (ParticipationForm, "participation-forms"),
        (ProviderType, "provider-types"),
        (QaKind, "qa-kinds"),
    ],
)
def test_enum_codes_are_the_vocabulary_codes(enum: type[StrEnum], name: str) -> None:
    assert [member.value for member in enum] == list(vocabulary(name).codes())
    for concept in vocabulary(name).concepts:
        assert concept.label("nl")
        assert concept.label("en")
