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
from microcred.vocab.esco import esco_skill

__all__ = ["CODE_PATTERN", "MANDATORY_ELEMENTS", "MAX_PRICE_EUR", "LearningOutcome", "Offering", "check_eu_elements"]

_ESCO = re.compile(r"^http://data\.europa\.eu/esco/skill/[0-9a-f-]{36}$")
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$"  # a provider's own code of an offering, edition, enrolment
_CODE = re.compile(CODE_PATTERN)
_URL = re.compile(r"^https?://[^\s]+$")
MAX_PRICE_EUR = 100_000  # a price above this is a typing error (cents, a second zero), not a course fee

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

    @property
    def skill_labels(self) -> tuple[str, ...]:
        """The English labels of the outcome's ESCO skill (preferred first): what the search also finds it by."""
        skill = esco_skill(self.esco_skill) if self.esco_skill else None
        return skill.labels if skill is not None else ()


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
    price_eur: int | None = None  # what a learner pays, whole euros; None = not stated, 0 = free
    id: int | None = None

    @property
    def awarding_provider(self) -> str:
        return self.awarding_body or self.provider

    def validate(self) -> Offering:
        """Raise Invalid when a present field is malformed, or when a published offering misses elements."""
        found = [p for p in check_eu_elements(self) if self.status is OfferingStatus.PUBLISHED or p.value is not None]
        found += _optional_element_problems(self)
        if found:
            raise Invalid("offering-invalid", problems=found, code=self.code)
        return self


def check_eu_elements(offering: Offering) -> list[FieldProblem]:
    """The mandatory EU elements that are missing (value None) or invalid (value shown), in order."""
    found: list[FieldProblem] = []
    if not isinstance(offering.code, str) or not _CODE.match(offering.code):
        found.append(FieldProblem("code", "code-format", offering.code))
    if not isinstance(offering.title, LangText) or not offering.title:
        found.append(FieldProblem("title", "title-required"))
    if offering.awarding_body is not None and not isinstance(offering.awarding_body, str):
        found.append(FieldProblem("awarding_body", "provider-name", offering.awarding_body))
    found += _vocab_problem(
        "issuer_country", offering.issuer_country, "countries", ("country-required", "country-invalid")
    )
    found += _outcome_problems(offering.learning_outcomes)
    found += _workload_problems(offering.ects, offering.hours)
    found += _level_problem("eqf_level", offering.eqf_level, required=True)
    found += _vocab_problem(
        "isced_field", offering.isced_field, "isced-f", ("isced-field-required", "isced-field-invalid")
    )
    found += _vocab_problem(
        "assessment_type",
        offering.assessment_type,
        "assessment-types",
        ("assessment-type-required", "assessment-type-invalid"),
    )
    found += _enum_problem("participation_form", offering.participation_form, ParticipationForm)
    found += _enum_problem("quality_assurance", offering.quality_assurance, QaKind)
    return found


def _vocab_problem(name: str, value: object, vocab: str, reasons: tuple[str, str]) -> list[FieldProblem]:
    """The first reason when ``value`` is missing, the second when it is not a code of ``vocab``."""
    missing, invalid = reasons
    if value is None or value == "":
        return [FieldProblem(name, missing)]
    if not isinstance(value, str) or value not in vocabulary(vocab):
        return [FieldProblem(name, invalid, value)]
    return []


def _enum_problem(name: str, value: object, enum: type[ParticipationForm] | type[QaKind]) -> list[FieldProblem]:
    allowed = ", ".join(member.value for member in enum)
    if value is None or value == "":
        return [FieldProblem(name, "choice-required", params={"allowed": allowed})]
    if not isinstance(value, enum):
        return [FieldProblem(name, "one-of", value, params={"allowed": allowed})]
    return []


def _level_problem(name: str, value: object, *, required: bool) -> list[FieldProblem]:
    if value is None:
        return [FieldProblem(name, "level-required")] if required else []
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 8:
        return [FieldProblem(name, "level-range", value)]
    return []


def _workload_problems(ects: object, hours: object) -> list[FieldProblem]:
    if ects is None and hours is None:
        return [FieldProblem("workload", "workload-required")]
    found: list[FieldProblem] = []
    if ects is not None and (not isinstance(ects, Decimal) or not Decimal(0) < ects <= MAX_ECTS):
        found.append(FieldProblem("ects", "ects-decimal-range", ects))
    if hours is not None and (isinstance(hours, bool) or not isinstance(hours, int) or not 0 < hours <= 1800):
        found.append(FieldProblem("hours", "hours-range", hours))
    return found


def _outcome_problems(outcomes: object) -> list[FieldProblem]:
    if not isinstance(outcomes, list) or not outcomes:
        return [FieldProblem("learning_outcomes", "outcomes-required")]
    found: list[FieldProblem] = []
    for index, outcome in enumerate(outcomes, start=1):
        if not isinstance(outcome, LearningOutcome) or not outcome.text:
            found.append(FieldProblem(f"learning_outcomes[{index}]", "outcome-empty", outcome))
        elif outcome.esco_skill is not None and not _ESCO.match(outcome.esco_skill):
            found.append(FieldProblem(f"learning_outcomes[{index}]", "esco-skill-format", outcome.esco_skill))
    return found


def _optional_element_problems(offering: Offering) -> list[FieldProblem]:
    found = _level_problem("vks_level", offering.vks_level, required=False)
    for lang in offering.languages:
        if lang not in vocabulary("languages"):
            found.append(FieldProblem("languages", "language-codes", lang))
    if offering.identity_check is not None and offering.identity_check not in vocabulary("identity-checks"):
        found.append(FieldProblem("identity_check", "identity-check-code", offering.identity_check))
    if offering.info_url is not None and not _URL.match(offering.info_url):
        found.append(FieldProblem("info_url", "url-format", offering.info_url))
    if offering.validity_months is not None and not 1 <= offering.validity_months <= 1200:
        found.append(FieldProblem("validity_months", "validity-months-range", offering.validity_months))
    if offering.price_eur is not None and not 0 <= offering.price_eur <= MAX_PRICE_EUR:
        found.append(FieldProblem("price_eur", "price-range", offering.price_eur, params={"high": MAX_PRICE_EUR}))
    if offering.kind is OfferingKind.MICRO_CREDENTIAL and offering.flemish_type is None:
        pass  # the Flemish type is optional: labelled micro-credentials predating the typology have none
    if offering.flemish_type is not None and offering.kind is not OfferingKind.MICRO_CREDENTIAL:
        found.append(FieldProblem("flemish_type", "flemish-type-unlabelled", offering.flemish_type.value))
    return found
