"""The stacked credential: a 1EdTech CLR 2.0 ``ClrCredential`` that names its component credentials.

The larger credential is the first ``achievement`` of the ``ClrSubject``; each component credential's
achievement follows, and an ``Association`` (``isParentOf``) links the larger one to each (CLR 2.0 §B.1.1).
The component credentials themselves are referenced verifiably rather than embedded: VC 2.0 §5.3
``relatedResource`` gives each one's URL and ``digestSRI`` (SHA-256 of the document exactly as signed),
so a verifier can fetch each component and check it is the one the issuer saw.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from microcred.credentials.loader import (
    MICROCRED_CLR_CONTEXT_URL,
    MICROCRED_CONTEXT_URL,
    OB3_CONTEXT_URL,
    VC_V2_CONTEXT_URL,
)
from microcred.credentials.ob3 import LearnerIdentity, credits_number, subject_identity, timestamp
from microcred.credentials.status_list import status_message_entry
from microcred.domain import LangText
from microcred.errors import FieldProblem
from microcred.i18n import LANGUAGES, translate

__all__ = [
    "ASSOCIATION_TYPE",
    "StackAward",
    "StackPart",
    "clr_problems",
    "digest_sri",
    "stack_achievement_id",
    "stacked_document",
]

ASSOCIATION_TYPE = "isParentOf"


def digest_sri(document_text: str) -> str:
    """The Subresource Integrity digest of a document as stored and served: ``sha256-<base64>``."""
    return "sha256-" + base64.b64encode(hashlib.sha256(document_text.encode("utf-8")).digest()).decode()


def stack_achievement_id(public_base_url: str, provider: str, code: str) -> str:
    """The stable id of a stack rule's larger credential."""
    return f"{public_base_url.rstrip('/')}/stacks/{provider}/{code}"


@dataclass(frozen=True, slots=True)
class StackPart:
    """One component credential as the stacked credential names it."""

    credential_id: str
    url: str
    digest: str
    achievement_id: str
    title: LangText
    ects: Decimal | None


@dataclass(frozen=True, slots=True)
class StackAward:
    """Everything a stacked credential says, gathered by the stacking service."""

    credential_id: str
    rule_code: str
    title: LangText
    provider_name: LangText
    issuer_did: str
    public_base_url: str
    provider: str
    learner: LearnerIdentity
    parts: Sequence[StackPart]
    issued_at: datetime
    status_list_url: str
    status_index: int
    ects: Decimal | None = None
    eqf_level: int | None = None


def _language(title: LangText) -> str:
    return "nl" if "nl" in title.texts else "en"


def _achievement(award: StackAward, lang: str) -> dict[str, Any]:
    achievement: dict[str, Any] = {
        "id": stack_achievement_id(award.public_base_url, award.provider, award.rule_code),
        "type": ["Achievement"],
        "name": award.title.get(lang),
        "criteria": {
            "narrative": translate("credential.clr.criteria", lang if lang in LANGUAGES else "en", n=len(award.parts))
        },
        "stackRule": award.rule_code,
    }
    if award.ects is not None:
        achievement["creditsAvailable"] = credits_number(award.ects)
    if award.eqf_level is not None:
        achievement["eqfLevel"] = award.eqf_level
    return achievement


def _part(part: StackPart, lang: str) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": part.achievement_id,
        "type": ["Achievement"],
        "name": part.title.get(lang),
        "criteria": {"id": part.achievement_id},
    }
    if part.ects is not None:
        found["creditsAvailable"] = credits_number(part.ects)
    return found


def stacked_document(award: StackAward) -> dict[str, Any]:
    """The unsigned ClrCredential for ``award``."""
    lang = _language(award.title)
    larger = _achievement(award, lang)
    subject: dict[str, Any] = {"type": ["ClrSubject"], **subject_identity(award.learner)}
    subject["achievement"] = [larger, *(_part(part, lang) for part in award.parts)]
    subject["association"] = [
        {
            "type": ["Association"],
            "associationType": ASSOCIATION_TYPE,
            "sourceId": larger["id"],
            "targetId": part.achievement_id,
        }
        for part in award.parts
    ]
    return {
        "@context": [VC_V2_CONTEXT_URL, OB3_CONTEXT_URL, MICROCRED_CONTEXT_URL, MICROCRED_CLR_CONTEXT_URL],
        "id": award.credential_id,
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": award.title.get(lang),
        "issuer": {"id": award.issuer_did, "type": ["Profile"], "name": award.provider_name.get(lang)},
        "validFrom": timestamp(award.issued_at),
        "awardedDate": timestamp(award.issued_at),
        "credentialSubject": subject,
        "relatedResource": [{"id": part.url, "digestSRI": part.digest} for part in award.parts],
        "credentialStatus": status_message_entry(list_credential_url=award.status_list_url, index=award.status_index),
    }


def clr_problems(document: Mapping[str, Any]) -> list[FieldProblem]:
    """What makes a ClrCredential of ours malformed: the shape CLR 2.0 §B.1 asks and the references we add.

    No CLR 2.0 JSON Schema ships with the register, so this checks the structure our verifier relies on.
    """
    subject = document.get("credentialSubject")
    if not isinstance(subject, Mapping) or "ClrSubject" not in (subject.get("type") or []):
        return [FieldProblem("credentialSubject", "clr-subject")]
    achievements = subject.get("achievement")
    if not isinstance(achievements, list) or len(achievements) < 2:
        return [FieldProblem("credentialSubject.achievement", "clr-achievements")]
    known = {a.get("id") for a in achievements if isinstance(a, Mapping)}
    for position, association in enumerate(subject.get("association") or []):
        if (
            not isinstance(association, Mapping)
            or not {
                association.get("sourceId"),
                association.get("targetId"),
            }
            <= known
        ):
            return [FieldProblem(f"credentialSubject.association[{position}]", "clr-association")]
    related = document.get("relatedResource")
    if not isinstance(related, list) or not related:
        return [FieldProblem("relatedResource", "clr-related")]
    for position, resource in enumerate(related):
        digest = resource.get("digestSRI") if isinstance(resource, Mapping) else None
        if not isinstance(digest, str) or not digest.startswith("sha256-"):
            return [FieldProblem(f"relatedResource[{position}]", "clr-related")]
    return []
