"""Recognition decisions: an institution records what it accepts of a credential it received.

The credential may be anyone's (this register's, another register's, OB 3.0 or ELM); the institution
verifies it first, and the decision keeps the credential's id, digest and issuer and what the verification
found. A decision recognises the credential for a course unit or programme, for a number of ECTS, as an
exemption or a credit transfer, on a stated basis; or it refuses, and then a reason is required.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from microcred.domain.credential import MAX_REASON_LENGTH
from microcred.domain.values import MAX_ECTS
from microcred.errors import FieldProblem, Invalid

__all__ = [
    "MAX_DECIDED_BY",
    "MAX_RECOGNISED_FOR",
    "RecognitionBasis",
    "RecognitionDecision",
    "RecognitionKind",
    "RecognitionOutcome",
]

MAX_RECOGNISED_FOR = 200
MAX_DECIDED_BY = 200


class RecognitionOutcome(StrEnum):
    RECOGNISED = "recognised"
    REFUSED = "refused"


class RecognitionKind(StrEnum):
    EXEMPTION = "exemption"  # the learner need not take the unit
    CREDIT_TRANSFER = "credit-transfer"  # the credits count in the programme


class RecognitionBasis(StrEnum):
    """What was compared (Lisbon Recognition Convention; ECTS Users' Guide §4.3)."""

    LEARNING_OUTCOMES = "learning-outcomes"
    LEVEL = "level"
    WORKLOAD = "workload"
    QUALITY_ASSURANCE = "quality-assurance"


@dataclass(slots=True)
class RecognitionDecision:
    """One decision of ``provider`` (the receiving institution) on one credential of one learner."""

    provider: str
    learner: str  # pseudonym, as the deciding provider knows the learner
    credential_id: str
    credential_digest: str  # SRI form: sha256-<base64> of the document as received
    issuer: str
    outcome: RecognitionOutcome
    recognised_for: str  # the course unit or programme
    decided_on: date
    decided_by: str
    kind: RecognitionKind | None = None
    ects: Decimal | None = None
    basis: list[RecognitionBasis] = field(default_factory=list)
    reason: str | None = None
    verified: bool = False  # signature, status and validity passed when the decision was recorded
    public_id: str = ""
    id: int | None = None

    def problems(self) -> list[FieldProblem]:
        found: list[FieldProblem] = []
        found += _text_problem("recognised_for", self.recognised_for, MAX_RECOGNISED_FOR)
        found += _text_problem("decided_by", self.decided_by, MAX_DECIDED_BY)
        if self.outcome is RecognitionOutcome.REFUSED:
            if not isinstance(self.reason, str) or not self.reason.strip():
                return [*found, FieldProblem("reason", "recognition-reason-required")]
            return found + _text_problem("reason", self.reason, MAX_REASON_LENGTH)
        if not self.verified:
            found.append(FieldProblem("document", "recognition-not-verified"))
        if self.kind is None:
            found.append(FieldProblem("kind", "choice-required", params={"allowed": _allowed(RecognitionKind)}))
        if self.ects is None or not (self.ects.is_finite() and Decimal(0) < self.ects <= MAX_ECTS):
            found.append(FieldProblem("ects", "ects-range", self.ects))
        if not self.basis:
            found.append(FieldProblem("basis", "choice-required", params={"allowed": _allowed(RecognitionBasis)}))
        if self.reason is not None:
            found += _text_problem("reason", self.reason, MAX_REASON_LENGTH)
        return found

    def validate(self) -> None:
        found = self.problems()
        if found:
            raise Invalid("invalid-input", problems=found)


def _allowed(enum: type[StrEnum]) -> str:
    return ", ".join(member.value for member in enum)


def _text_problem(name: str, value: object, limit: int) -> list[FieldProblem]:
    if not isinstance(value, str) or not value.strip():
        return [FieldProblem(name, "required")]
    if len(value) > limit:
        return [FieldProblem(name, "too-long", params={"limit": limit})]
    return []
