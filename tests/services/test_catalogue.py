"""Catalogue use cases on SQLite and PostgreSQL: quality assurance added in one transaction, trust by date,
publishing refused until every mandatory EU element is there."""

from __future__ import annotations

from datetime import date

import pytest

from microcred.bootstrap import Register
from microcred.domain import LangText, Offering, Provider, ProviderType, QaKind, QualityAssurance
from microcred.errors import Conflict, Invalid
from microcred.services import catalogue

RECORD = QualityAssurance("NVAO", QaKind.INSTITUTIONAL_REVIEW, date(2020, 1, 1), date(2024, 12, 31))


def test_a_quality_assurance_record_makes_its_provider_trusted_while_it_is_valid(register: Register) -> None:
    catalogue.add_provider(
        Provider("new-school", LangText.of("Nieuwe School"), ProviderType.OTHER_PRIVATE), register.uow
    )
    assert catalogue.add_quality_assurance("new-school", RECORD, register.uow) == RECORD
    with pytest.raises(Conflict, match="already has this quality-assurance record"):
        catalogue.add_quality_assurance("new-school", RECORD, register.uow)
    trusted = catalogue.trusted_providers(register.uow, on=date(2024, 6, 1))
    assert [(t.provider.slug, [r.valid_until for r in t.quality_assurances]) for t in trusted] == [
        ("new-school", [RECORD.valid_until])
    ]
    assert catalogue.trusted_providers(register.uow, on=date(2025, 1, 1)) == []


def test_an_offering_is_published_only_with_every_mandatory_element(register: Register) -> None:
    catalogue.add_provider(
        Provider("new-school", LangText.of("Nieuwe School"), ProviderType.OTHER_PRIVATE), register.uow
    )
    catalogue.add_offering(Offering("new-school", "MC-1", LangText.of("Datageletterdheid")), register.uow)
    with pytest.raises(Invalid) as refused:
        catalogue.publish_offering("new-school", "MC-1", register.uow)
    assert "workload" in {problem.field for problem in refused.value.problems}
    assert catalogue.get_offering("new-school", "MC-1", register.uow).status.value == "draft"  # nothing kept
