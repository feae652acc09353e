"""The EU Council Recommendation's mandatory elements: each missing, wrongly typed or out of range."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from microcred.domain import (
    MANDATORY_ELEMENTS,
    LangText,
    LearningOutcome,
    Offering,
    OfferingStatus,
    ParticipationForm,
    QaKind,
    check_eu_elements,
    ects,
)
from microcred.errors import Invalid


def complete_offering() -> Offering:
    return Offering(
        provider="ugent",
        code="MC-DATA",
        title=LangText.of("Data in de praktijk", "Data in practice"),
        learning_outcomes=[
            LearningOutcome(
                LangText.of(en="Clean a data set"),
                "http://data.europa.eu/esco/skill/1b70a55d-b8a4-49fc-96c6-15ab4cff2522",
            )
        ],
        ects=Decimal(5),
        eqf_level=6,
        isced_field="0613",
        assessment_type="2939dae15f",
        participation_form=ParticipationForm.ONLINE,
        quality_assurance=QaKind.INSTITUTIONAL_REVIEW,
        issuer_country="BE",
    )


def fields_of(offering: Offering) -> list[str]:
    return [problem.field for problem in check_eu_elements(offering)]


def test_complete_offering_has_every_mandatory_element() -> None:
    assert check_eu_elements(complete_offering()) == []


@pytest.mark.parametrize(
    ("change", "element"),
    [
        ({"title": LangText.of()}, "title"),
        ({"issuer_country": None}, "issuer_country"),
        ({"learning_outcomes": []}, "learning_outcomes"),
        ({"ects": None, "hours": None}, "workload"),
        ({"eqf_level": None}, "eqf_level"),
        ({"isced_field": None}, "isced_field"),
        ({"assessment_type": None}, "assessment_type"),
        ({"participation_form": None}, "participation_form"),
        ({"quality_assurance": None}, "quality_assurance"),
    ],
)
def test_offering_without_element_reports_it_missing(change: dict[str, object], element: str) -> None:
    problems = check_eu_elements(replace(complete_offering(), **change))
    assert [p.field for p in problems] == [element]
    assert problems[0].value is None


@pytest.mark.parametrize(
    ("change", "element"),
    [
        ({"ects": Decimal(0)}, "ects"),
        ({"ects": Decimal("60.5")}, "ects"),
        ({"ects": "5"}, "ects"),
        ({"hours": 0}, "hours"),
        ({"hours": "20"}, "hours"),
        ({"eqf_level": 9}, "eqf_level"),
        ({"eqf_level": 0}, "eqf_level"),
        ({"eqf_level": "6"}, "eqf_level"),
        ({"eqf_level": True}, "eqf_level"),
        ({"isced_field": "1234"}, "isced_field"),
        ({"issuer_country": "XX"}, "issuer_country"),
        ({"assessment_type": "exam"}, "assessment_type"),
        ({"participation_form": "online"}, "participation_form"),
        ({"quality_assurance": "nvao"}, "quality_assurance"),
        ({"learning_outcomes": ["Clean data"]}, "learning_outcomes[1]"),
        (
            {"learning_outcomes": [LearningOutcome(LangText.of(en="x"), "https://example.org/skill")]},
            "learning_outcomes[1]",
        ),
        ({"code": "has spaces"}, "code"),
    ],
)
def test_offering_with_invalid_element_reports_it_with_the_value(change: dict[str, object], element: str) -> None:
    problems = check_eu_elements(replace(complete_offering(), **change))
    assert [p.field for p in problems] == [element]
    assert problems[0].value is not None


def test_hours_alone_satisfy_the_workload_element() -> None:
    assert check_eu_elements(replace(complete_offering(), ects=None, hours=40)) == []


def test_problems_come_in_the_recommendations_order() -> None:
    empty = Offering(provider="ugent", code="X", issuer_country=None)
    assert fields_of(empty) == [e for e in MANDATORY_ELEMENTS if e != "awarding_body"]


def test_a_draft_may_miss_elements_but_a_published_offering_may_not() -> None:
    draft = Offering(provider="ugent", code="X")
    assert draft.validate() is draft
    with pytest.raises(Invalid) as caught:
        replace(draft, status=OfferingStatus.PUBLISHED).validate()
    assert "learning_outcomes" in str(caught.value)


def test_a_draft_with_a_malformed_element_is_refused() -> None:
    with pytest.raises(Invalid, match="eqf_level"):
        replace(Offering(provider="ugent", code="X"), eqf_level=12).validate()


@pytest.mark.parametrize("text", ["0", "-1", "60.01", "61", "abc", "1.25", "nan", "inf"])
def test_ects_outside_the_rules_is_refused(text: str) -> None:
    with pytest.raises(Invalid):
        ects(text)


@pytest.mark.parametrize(
    ("text", "value"), [("5", Decimal(5)), ("1,5", Decimal("1.5")), ("60", Decimal(60)), ("6.0", Decimal(6))]
)
def test_ects_accepts_decimal_study_points(text: str, value: Decimal) -> None:
    assert ects(text) == value


@pytest.mark.parametrize("text", ["a\x00b", "bell\x07", "del\x7f"])
def test_texts_refuse_control_characters(text: str) -> None:
    with pytest.raises(Invalid, match="control characters"):
        LangText.of(nl=text)


def test_texts_keep_tabs_and_line_breaks() -> None:
    assert LangText.of(nl="regel een\nregel\ttwee").get("nl") == "regel een\nregel\ttwee"
