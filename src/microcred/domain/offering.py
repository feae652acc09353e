"""A micro-credential as its provider specifies it, with the EU Council Recommendation's standard elements.

Council Recommendation of 16 June 2022 on a European approach to micro-credentials, Annex I: the mandatory
elements (learner, title, country, awarding body, date — per credential — and learning outcomes, workload,
level, assessment type, form of participation, quality assurance — per offering) and optional ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from microcred.domain.codes import FlemishMcType, GradingScheme, OfferingKind, OfferingStatus, ParticipationForm, QaKind
from microcred.domain.values import MAX_ECTS, LangText
from microcred.errors import FieldProblem, Invalid
from microcred.vocab import vocabulary

__all__ = ["CODE_PATTERN", "MANDATORY_ELEMENTS", "LearningOutcome", "Offering", "check_eu_elements"]

_ESCO = re.compile(r"^http://data\.europa\.eu/esco/skill/[0-9a-f-]{36}$")
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$"  # a provider's own code of an offering, edition, enrolment
_CODE = re.compile(CODE_PATTERN)
_URL = re.compile(r"^https?://[^\s]+$")

#: The offering's mandatory EU elements, in the Recommendation's order, as checked by check_eu_elements.
MANDATORY_ELEMENTS = (
    "title",
    "awarding_body",
    "issuer_country",
    "learning_outcomes",
    "workload",
    "eqf_level",
    "isced_field",
    "assessment_type",
    "participation_form",
    "quality_assurance",
)


@dataclass(frozen=True, slots=True)
class LearningOutcome:
    """What a learner knows or can do after the micro-credential, optionally tied to an ESCO skill."""

    text: LangText
    esco_skill: str | None = None


@dataclass(slots=True)
class Offering:
    """One micro-credential offer. Elements may be missing while it is a draft; publishing needs them all."""

    provider: str  # provider slug
    code: str  # the provider's own code, unique per provider
    title: LangText = field(default_factory=LangText.of)
    kind: OfferingKind = OfferingKind.MICRO_CREDENTIAL
    status: OfferingStatus = OfferingStatus.DRAFT
    description: LangText = field(default_factory=LangText.of)
    awarding_body: str | None = None  # provider slug of the awarding body; defaults to the provider
    issuer_country: str | None = "BE"
    learning_outcomes: list[LearningOutcome] = field(default_factory=list)
    ects: Decimal | None = None
    hours: int | None = None
    eqf_level: int | None = None
    vks_level: int | None = None
    isced_field: str | None = None
    assessment_type: str | None = None  # code of the ELM assessment-types vocabulary
    participation_form: ParticipationForm | None = None
    quality_assurance: QaKind | None = None
    languages: list[str] = field(default_factory=list)
    flemish_type: FlemishMcType | None = None
    prerequisites: LangText = field(default_factory=LangText.of)
    identity_check: str | None = None  # code of the identity-checks vocabulary
    grading_scheme: GradingScheme | None = None
    stackable_into: list[str] = field(default_factory=list)  # names or codes of larger credentials
    info_url: str | None = None
    validity_months: int | None = None  # how long an awarded credential stays valid; None = no end
    id: int | None = None

    @property
    def awarding_provider(self) -> str:
        return self.awarding_body or self.provider

    def validate(self) -> Offering:
        """Raise Invalid when a present field is malformed, or when a published offering misses elements."""
        found = [p for p in check_eu_elements(self) if self.status is OfferingStatus.PUBLISHED or p.value is not None]
        found += _optional_element_problems(self)
        if found:
            raise Invalid(f"offering {self.code!r} is not valid", problems=found)
        return self


def check_eu_elements(offering: Offering) -> list[FieldProblem]:
    """The mandatory EU elements that are missing (value None) or invalid (value shown), in order."""
    found: list[FieldProblem] = []
    if not isinstance(offering.code, str) or not _CODE.match(offering.code):
        found.append(FieldProblem("code", "must be 1-64 letters, digits or . _ - /", offering.code))
    if not isinstance(offering.title, LangText) or not offering.title:
        found.append(FieldProblem("title", "a title in Dutch or English is required"))
    if offering.awarding_body is not None and not isinstance(offering.awarding_body, str):
        found.append(FieldProblem("awarding_body", "must name a provider", offering.awarding_body))
    found += _vocab_problem("issuer_country", offering.issuer_country, "countries", "an ISO 3166-1 country code")
    found += _outcome_problems(offering.learning_outcomes)
    found += _workload_problems(offering.ects, offering.hours)
    found += _level_problem("eqf_level", offering.eqf_level, required=True)
    found += _vocab_problem("isced_field", offering.isced_field, "isced-f", "an ISCED-F 2013 field code")
    found += _vocab_problem("assessment_type", offering.assessment_type, "assessment-types", "an assessment type")
    found += _enum_problem("participation_form", offering.participation_form, ParticipationForm)
    found += _enum_problem("quality_assurance", offering.quality_assurance, QaKind)
    return found


def _vocab_problem(name: str, value: object, vocab: str, what: str) -> list[FieldProblem]:
    if value is None or value == "":
        return [FieldProblem(name, f"{what} is required")]
    if not isinstance(value, str) or value not in vocabulary(vocab):
        return [FieldProblem(name, f"must be {what}", value)]
    return []


def _enum_problem(name: str, value: object, enum: type[ParticipationForm] | type[QaKind]) -> list[FieldProblem]:
    allowed = ", ".join(member.value for member in enum)
    if value is None or value == "":
        return [FieldProblem(name, f"is required (one of {allowed})")]
    if not isinstance(value, enum):
        return [FieldProblem(name, f"must be one of {allowed}", value)]
    return []


def _level_problem(name: str, value: object, *, required: bool) -> list[FieldProblem]:
    if value is None:
        return [FieldProblem(name, "a level from 1 to 8 is required")] if required else []
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 8:
        return [FieldProblem(name, "must be a whole number from 1 to 8", value)]
    return []


def _workload_problems(ects: object, hours: object) -> list[FieldProblem]:
    if ects is None and hours is None:
        return [FieldProblem("workload", "ECTS credits or notional hours are required")]
    found: list[FieldProblem] = []
    if ects is not None and (not isinstance(ects, Decimal) or not Decimal(0) < ects <= MAX_ECTS):
        found.append(FieldProblem("ects", "must be a decimal more than 0 and at most 60", ects))
    if hours is not None and (isinstance(hours, bool) or not isinstance(hours, int) or not 0 < hours <= 1800):
        found.append(FieldProblem("hours", "must be a whole number of hours from 1 to 1800", hours))
    return found


def _outcome_problems(outcomes: object) -> list[FieldProblem]:
    if not isinstance(outcomes, list) or not outcomes:
        return [FieldProblem("learning_outcomes", "at least one learning outcome is required")]
    found: list[FieldProblem] = []
    for index, outcome in enumerate(outcomes, start=1):
        if not isinstance(outcome, LearningOutcome) or not outcome.text:
            found.append(FieldProblem(f"learning_outcomes[{index}]", "must be a non-empty text", outcome))
        elif outcome.esco_skill is not None and not _ESCO.match(outcome.esco_skill):
            found.append(
                FieldProblem(f"learning_outcomes[{index}]", "ESCO skill must be an ESCO skill URI", outcome.esco_skill)
            )
    return found


def _optional_element_problems(offering: Offering) -> list[FieldProblem]:
    found = _level_problem("vks_level", offering.vks_level, required=False)
    for lang in offering.languages:
        if lang not in vocabulary("languages"):
            found.append(FieldProblem("languages", "must be ISO 639-1 language codes", lang))
    if offering.identity_check is not None and offering.identity_check not in vocabulary("identity-checks"):
        found.append(FieldProblem("identity_check", "must be an identity-check code", offering.identity_check))
    if offering.info_url is not None and not _URL.match(offering.info_url):
        found.append(FieldProblem("info_url", "must be an http(s) URL", offering.info_url))
    if offering.validity_months is not None and not 1 <= offering.validity_months <= 1200:
        found.append(FieldProblem("validity_months", "must be from 1 to 1200 months", offering.validity_months))
    if offering.kind is OfferingKind.MICRO_CREDENTIAL and offering.flemish_type is None:
        pass  # the Flemish type is optional: labelled micro-credentials predating the typology have none
    if offering.flemish_type is not None and offering.kind is not OfferingKind.MICRO_CREDENTIAL:
        found.append(
            FieldProblem(
                "flemish_type", "only labelled micro-credentials have a Flemish type", offering.flemish_type.value
            )
        )
    return found
