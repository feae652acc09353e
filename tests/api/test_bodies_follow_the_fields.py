"""Drift: the API's record bodies are their records' field definitions (names, order, limits, descriptions)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from microcred.api import schemas
from microcred.domain.fields import (
    EDITION,
    ENROLMENT,
    LEARNING_OUTCOME,
    OFFERING,
    PROVIDER,
    QUALITY_ASSURANCE,
    Field,
    FieldKind,
    Record,
)

# (body, record, fields of the record it leaves out, fields of its own): the declared projections.
BODIES: list[tuple[type[BaseModel], Record[Any], set[str], set[str]]] = [
    (schemas.ProviderIn, PROVIDER, set(), set()),
    (schemas.ProviderOut, PROVIDER, set(), {"trusted"}),
    (schemas.QualityAssuranceIn, QUALITY_ASSURANCE, set(), set()),
    (schemas.QualityAssuranceOut, QUALITY_ASSURANCE, set(), set()),
    (schemas.OfferingIn, OFFERING, {"provider"}, set()),  # the provider is in the path
    (schemas.OfferingOut, OFFERING, set(), {"labels"}),  # each code's label in both languages
    (schemas.LearningOutcomeIo, LEARNING_OUTCOME, set(), set()),
    (schemas.EditionIn, EDITION, {"provider", "offering_code"}, set()),
    (schemas.EditionOut, EDITION, {"academic_year"}, {"academic_year"}),  # derived from the start, not the field
    # the service pseudonymises; the edition's academic year is the edition's business, not the enrolment's
    (schemas.EnrolmentIn, ENROLMENT, {"provider", "learner", "academic_year"}, {"learner_email"}),
    (schemas.EnrolmentOut, ENROLMENT, {"learner_id", "academic_year"}, set()),  # never given back
    (schemas.TrustedProviderOut, PROVIDER, set(PROVIDER.names) - {"slug", "name", "quality_assurances"}, set()),
]


@pytest.mark.parametrize(("body", "record", "left_out", "own"), BODIES, ids=lambda x: getattr(x, "__name__", ""))
def test_a_body_has_its_records_fields_and_only_declared_others(
    body: type[BaseModel], record: Record[Any], left_out: set[str], own: set[str]
) -> None:
    expected = [name for name in record.names if name not in left_out]
    assert sorted(set(body.model_fields) - own) == sorted(expected)
    schema = body.model_json_schema()
    for name in expected:
        field = record.field(name)
        assert schema["properties"][name]["description"] == field.help.en, f"{body.__name__}.{name}"
        if body.__name__.endswith(("In", "Io")):
            _assert_limits(schema["properties"][name], field, f"{body.__name__}.{name}")


def _assert_limits(prop: dict[str, Any], field: Field, where: str) -> None:
    """The request field holds the definition's limits, wherever JSON Schema puts them."""
    shapes = [prop, *prop.get("anyOf", [])]
    if field.is_list:
        assert prop.get("maxItems") == field.max_items, where
        shapes = [s.get("items", {}) for s in shapes]
    if field.kind is FieldKind.TRANSLATED:
        shapes = [s for shape in shapes for s in shape.get("patternProperties", {}).values()]
    flat = {key: value for shape in shapes for key, value in shape.items()}
    if field.kind in (FieldKind.TEXT, FieldKind.TEXTS) or (flat.get("type") == "string" and field.vocab):
        assert flat.get("maxLength") == field.max_length, where
        assert flat.get("pattern") == field.pattern, where
    if field.kind is FieldKind.TRANSLATED and field.max_length:
        assert flat.get("maxLength") == field.max_length, where
    if flat.get("type") == "integer":
        assert (flat.get("minimum"), flat.get("maximum")) == (field.minimum, field.maximum), where


def test_a_request_body_requires_what_its_record_cannot_do_without() -> None:
    assert schemas.OfferingIn.model_json_schema()["required"] == ["code"]
    assert schemas.ProviderIn.model_json_schema()["required"] == ["slug", "name", "type"]
    required = ["reference", "edition_code", "learner_id"]
    assert schemas.EnrolmentIn.model_json_schema()["required"] == required


def test_bodies_become_records_and_records_bodies() -> None:
    body = schemas.OfferingIn.model_validate(
        {"code": "MC-1", "title": {"nl": "Titel"}, "learning_outcomes": [{"text": {"en": "Read"}}], "eqf_level": 6}
    )
    offering = body.to_domain("vub")
    assert (offering.provider, offering.title.get("nl"), offering.eqf_level) == ("vub", "Titel", 6)
    out = schemas.OfferingOut.of(offering).model_dump(mode="json")
    assert (out["awarding_body"], out["learning_outcomes"]) == ("vub", [{"text": {"en": "Read"}, "esco_skill": None}])
