"""Request (``XIn``) and response (``XOut``) bodies; a record's bodies derive from its one field definition."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model, model_validator

from microcred.api.bodies import input_fields, insert_after, output_fields
from microcred.domain import (
    Edition,
    Enrolment,
    LearningOutcome,
    Offering,
    Provider,
    QualityAssurance,
    check_academic_year,
)
from microcred.domain.fields import EDITION, ENROLMENT, LEARNING_OUTCOME, OFFERING, PROVIDER, QUALITY_ASSURANCE
from microcred.errors import FieldProblem
from microcred.i18n import LANGUAGES
from microcred.vocab import vocabulary

__all__ = [
    "EditionIn",
    "EditionOut",
    "EnrolmentIn",
    "EnrolmentOut",
    "FieldProblemOut",
    "InputModel",
    "OfferingIn",
    "OfferingOut",
    "ProviderIn",
    "ProviderOut",
    "QualityAssuranceIn",
    "QualityAssuranceOut",
    "TrustedProviderOut",
]

_IN = ConfigDict(extra="forbid")
# NUL and the other C0 controls (but tab, newline, carriage return) belong in no register text, and
# PostgreSQL cannot store NUL at all: refuse them in every request body, naming the field.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _control_character_at(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return path if _CONTROL.search(value) else None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and _CONTROL.search(key):
            return f"{path}.{key!r}".lstrip(".")
        found = _control_character_at(item, f"{path}.{key}".lstrip("."))
        if found:
            return found
    return None


class InputModel(BaseModel):
    """Base of every request body: unknown fields and control characters are refused."""

    model_config = _IN

    @model_validator(mode="before")
    @classmethod
    def _refuse_control_characters(cls, data: Any) -> Any:
        found = _control_character_at(data, "")
        if found is not None:
            raise ValueError(f"{found} contains a control character, which register texts may not hold")
        return data


class FieldProblemOut(BaseModel):
    field: str
    reason: str
    code: str

    @classmethod
    def of(cls, problem: FieldProblem) -> FieldProblemOut:
        return cls(field=problem.field, reason=problem.reason, code=problem.code)


# The record bodies: their fields come from the records' one definition (``api/bodies.py``); the classes
# below add only how a body becomes a record and back. mypy sees these classes; at run time each name is
# the model ``create_model`` derives from them with the fields.


class _QualityAssuranceIn(InputModel):
    def to_domain(self) -> QualityAssurance:
        return QUALITY_ASSURANCE.build(self.model_dump())


class _QualityAssuranceOut(BaseModel):
    @classmethod
    def of(cls, record: QualityAssurance) -> Self:
        return cls.model_validate(QUALITY_ASSURANCE.plain(record))


class _LearningOutcomeIo(InputModel):
    def to_domain(self) -> LearningOutcome:
        return LEARNING_OUTCOME.build(self.model_dump())


class _ProviderIn(InputModel):
    if TYPE_CHECKING:  # the routes read the key; the fields themselves come from the definition
        slug: str

    def to_domain(self) -> Provider:
        return PROVIDER.build(self.model_dump())


class _ProviderOut(BaseModel):
    @classmethod
    def of(cls, provider: Provider, *, trusted: bool) -> Self:
        return cls.model_validate({**PROVIDER.plain(provider), "trusted": trusted})


class _TrustedProviderOut(BaseModel):
    pass


class _OfferingIn(InputModel):
    """An offering; a ``published`` one must carry every mandatory EU element (see ``…/check``)."""

    if TYPE_CHECKING:
        code: str

    def to_domain(self, provider: str) -> Offering:
        return OFFERING.build({**self.model_dump(), "provider": provider})


class _OfferingOut(BaseModel):
    labels: dict[str, dict[str, dict[str, str]]] = Field(
        default_factory=dict,
        description="Each vocabulary code of the offering with its label in Dutch and English, by field and "
        'code: `{"assessment_type": {"2939dae15f": {"nl": "…", "en": "marked assignment"}}}`; the fields '
        "themselves keep the codes.",
    )

    @classmethod
    def of(cls, offering: Offering) -> Self:
        plain = OFFERING.plain(offering)
        return cls.model_validate({**plain, "awarding_body": offering.awarding_provider, "labels": _labels(plain)})


def _labels(plain: dict[str, Any]) -> dict[str, dict[str, dict[str, str]]]:
    """The labels of the codes in an offering's plain values, for every field that takes a vocabulary's codes."""
    found: dict[str, dict[str, dict[str, str]]] = {}
    for field in OFFERING.fields:
        value = plain.get(field.name)
        if not field.vocab or value in (None, "", []):
            continue
        codes = [str(code) for code in (value if isinstance(value, list) else [value])]
        known = {code: dict(labels) for code in codes if (labels := _concept_labels(field.vocab, code))}
        if known:
            found[field.name] = known
    return found


@lru_cache(maxsize=4096)  # a catalogue page labels the same few codes for every offering; vocabularies are fixed
def _concept_labels(vocab: str, code: str) -> tuple[tuple[str, str], ...]:
    """The code's label in each language, or nothing for a code the vocabulary does not hold."""
    concepts = vocabulary(vocab)
    return tuple((lang, concepts.get(code).label(lang)) for lang in LANGUAGES) if code in concepts else ()


class _EditionIn(InputModel):
    def to_domain(self, provider: str, offering_code: str) -> Edition:
        given = self.model_dump()
        edition = EDITION.build({**given, "provider": provider, "offering_code": offering_code})
        check_academic_year(given.get("academic_year"), edition.start_date)
        return edition


class _EditionOut(BaseModel):
    @classmethod
    def of(cls, edition: Edition) -> Self:
        return cls.model_validate({**EDITION.plain(edition), "academic_year": str(edition.academic_year)})


class _EnrolmentIn(InputModel):
    """An enrolment; ``learner_id`` (an INSZ or student number) is turned into a pseudonym and not kept."""

    if TYPE_CHECKING:
        reference: str
        learner_id: str
        learner_email: str | None

    def to_domain(self, provider: str) -> Enrolment:
        # the learner's pseudonym is set by the service from learner_id
        return ENROLMENT.build({**self.model_dump(), "provider": provider, "learner": ""})


class _EnrolmentOut(BaseModel):
    @classmethod
    def of(cls, enrolment: Enrolment) -> Self:
        return cls.model_validate(ENROLMENT.plain(enrolment))


def _model(name: str, base: type[BaseModel], fields: dict[str, Any]) -> Any:
    return create_model(name, __base__=base, __module__=__name__, __doc__=base.__doc__, **fields)


_EMAIL = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")] | None

if TYPE_CHECKING:
    QualityAssuranceIn = _QualityAssuranceIn
    QualityAssuranceOut = _QualityAssuranceOut
    LearningOutcomeIo = _LearningOutcomeIo
    ProviderIn = _ProviderIn
    ProviderOut = _ProviderOut
    TrustedProviderOut = _TrustedProviderOut
    OfferingIn = _OfferingIn
    OfferingOut = _OfferingOut
    EditionIn = _EditionIn
    EditionOut = _EditionOut
    EnrolmentIn = _EnrolmentIn
    EnrolmentOut = _EnrolmentOut
else:
    QualityAssuranceIn = _model("QualityAssuranceIn", _QualityAssuranceIn, input_fields(QUALITY_ASSURANCE))
    QualityAssuranceOut = _model("QualityAssuranceOut", _QualityAssuranceOut, output_fields(QUALITY_ASSURANCE))
    LearningOutcomeIo = _model("LearningOutcomeIo", _LearningOutcomeIo, input_fields(LEARNING_OUTCOME))
    _QA_IN, _QA_OUT = {"quality_assurances": QualityAssuranceIn}, {"quality_assurances": QualityAssuranceOut}
    ProviderIn = _model("ProviderIn", _ProviderIn, input_fields(PROVIDER, sub_models=_QA_IN))
    ProviderOut = _model(
        "ProviderOut",
        _ProviderOut,
        {
            **output_fields(PROVIDER, sub_models=_QA_OUT),
            "trusted": (bool, Field(description="a quality-assurance record is valid today")),
        },
    )
    TrustedProviderOut = _model(
        "TrustedProviderOut",
        _TrustedProviderOut,
        output_fields(PROVIDER, only=("slug", "name", "quality_assurances"), sub_models=_QA_OUT),
    )
    _OUTCOMES = {"learning_outcomes": LearningOutcomeIo}
    OfferingIn = _model("OfferingIn", _OfferingIn, input_fields(OFFERING, exclude=("provider",), sub_models=_OUTCOMES))
    OfferingOut = _model(
        "OfferingOut", _OfferingOut, output_fields(OFFERING, sub_models=_OUTCOMES, overrides={"awarding_body": str})
    )
    EditionIn = _model("EditionIn", _EditionIn, input_fields(EDITION, exclude=("provider", "offering_code")))
    EditionOut = _model(
        "EditionOut",
        _EditionOut,
        insert_after(
            output_fields(EDITION), "offering_code", "academic_year", str, Field(description="the year it starts in")
        ),
    )
    EnrolmentIn = _model(
        "EnrolmentIn",
        _EnrolmentIn,
        insert_after(
            input_fields(ENROLMENT, exclude=("provider", "learner", "academic_year"), required=("learner_id",)),
            "learner_id",
            "learner_email",
            _EMAIL,
            Field(default=None, description="where the learner's credential is mailed; kept apart from the enrolment"),
        ),
    )
    EnrolmentOut = _model("EnrolmentOut", _EnrolmentOut, output_fields(ENROLMENT))


class TokenOut(BaseModel):
    """What the API tells a caller about its own token (never the secret)."""

    kind: str
    provider: str | None
    scopes: list[str]
    checked_at: datetime
