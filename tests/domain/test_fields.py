"""The one field definition per record (``microcred.domain.fields``) agrees with the records it describes."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest

from microcred.domain import (
    Edition,
    Enrolment,
    LangText,
    LearningOutcome,
    Offering,
    OfferingStatus,
    ParticipationForm,
    Provider,
    ProviderType,
    QaKind,
    QualityAssurance,
)
from microcred.domain.fields import (
    EDITION,
    ENROLMENT,
    LEARNING_OUTCOME,
    OFFERING,
    PROVIDER,
    QUALITY_ASSURANCE,
    RECORDS,
    Field,
    FieldKind,
    Record,
)
from microcred.vocab import vocabulary

ALL = [PROVIDER, QUALITY_ASSURANCE, OFFERING, LEARNING_OUTCOME, EDITION, ENROLMENT]


def _every_field() -> list[tuple[Record[Any], Field]]:
    return [(record, field) for record in ALL for field in record.fields]


@pytest.mark.parametrize("record", ALL, ids=lambda r: r.type.__name__)
def test_a_definition_names_exactly_the_fields_of_its_record(record: Record[Any]) -> None:
    kept = [field.name for field in record.fields if field.kept]
    assert sorted(kept) == sorted(f.name for f in dataclasses.fields(record.type) if f.name != "id")
    assert len(set(record.names)) == len(record.names)
    assert set(record.key) <= set(record.names)


@pytest.mark.parametrize(("record", "field"), _every_field(), ids=lambda x: getattr(x, "name", ""))
def test_every_field_has_labels_help_and_a_fitting_shape(record: Record[Any], field: Field) -> None:
    for words in (field.label, field.help):
        assert words.nl.strip(), f"{field.name} lacks a Dutch text"
        assert words.en.strip(), f"{field.name} lacks an English text"
    assert field.nl_name or field.kind is FieldKind.TRANSLATED
    assert (field.vocab is not None) == (field.kind in (FieldKind.CODE, FieldKind.CODES)), field.name
    assert (field.record is not None) == (field.kind is FieldKind.RECORDS), field.name
    assert [part.name for part in field.parts] == (["nl", "en"] if field.kind is FieldKind.TRANSLATED else [])
    if not field.kept:
        assert field.secret or not field.exported, "a field the record does not keep is never given back"


@pytest.mark.parametrize(("record", "field"), _every_field(), ids=lambda x: getattr(x, "name", ""))
def test_coded_fields_use_a_vocabulary_that_matches_their_type(record: Record[Any], field: Field) -> None:
    if field.vocab is None:
        return
    codes = vocabulary(field.vocab).codes()
    value_type = record.value_type(field.name)
    if isinstance(value_type, type) and issubclass(value_type, Enum):
        assert sorted(codes) == sorted(member.value for member in value_type)
    elif value_type is int:
        assert field.minimum is not None
        assert field.maximum is not None
        assert sorted(int(code) for code in codes) == list(range(field.minimum, field.maximum + 1))
    for item in field.example.split("|") if field.example else []:
        assert vocabulary(field.vocab).resolve(item.strip()) is not None, f"{field.name} example {item!r}"


def test_the_files_records_are_the_four_layouts() -> None:
    assert list(RECORDS) == ["providers", "offerings", "editions", "enrolments"]


OFFERING_SAMPLE = Offering(
    provider="vub",
    code="MC-1",
    title=LangText.of("Titel", "Title"),
    status=OfferingStatus.PUBLISHED,
    learning_outcomes=[LearningOutcome(LangText.of("a", "A"), None), LearningOutcome(LangText.of(None, "B"))],
    ects=Decimal("1.5"),
    eqf_level=6,
    participation_form=ParticipationForm.BLENDED,
    languages=["nl", "en"],
    stackable_into=["Master"],
)
SAMPLES: list[tuple[Record[Any], Any]] = [
    (OFFERING, OFFERING_SAMPLE),
    (
        PROVIDER,
        Provider(
            "vub",
            LangText.of("Vrije Universiteit Brussel"),
            ProviderType.UNIVERSITY,
            quality_assurances=[QualityAssurance("NVAO", QaKind.OTHER, date(2020, 1, 1), None, "https://x")],
        ),
    ),
    (EDITION, Edition("vub", "E-1", "MC-1", date(2024, 9, 1), date(2025, 1, 31), 20)),
    (ENROLMENT, Enrolment("vub", "R-1", "E-1", "a" * 64, date(2024, 9, 2), grade=None)),
]


@pytest.mark.parametrize(("record", "value"), SAMPLES, ids=lambda x: getattr(x, "code", "") or "")
def test_plain_values_build_the_same_record_again(record: Record[Any], value: Any) -> None:
    plain = record.plain(value)
    assert record.build(plain) == value
    assert all(not isinstance(v, Enum | LangText) for v in plain.values()), "plain values hold codes and dicts"


def test_building_fills_defaults_where_a_value_is_missing_and_keeps_none_where_allowed() -> None:
    provider = PROVIDER.build({"slug": "x", "name": {"nl": "X"}, "type": "university", "country": None})
    offering = OFFERING.build({"provider": "x", "code": "C", "issuer_country": None, "eqf_level": "6"})
    assert (provider.country, offering.issuer_country, offering.eqf_level) == ("BE", None, 6)
