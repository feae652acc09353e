"""A recognition decision as an Open Badges 3.0 credential of its own, signed by the deciding provider.

The achievement is the recognition ("Recognised for <unit>": ``achievementType`` ``ext:Recognition``) with
the ECTS recognised; the recognised credential is its ``evidence`` (OB 3.0 §B.1.8), named by id, with the
digest and issuer the decision recorded. It carries no status entry: a decision is changed by a new decision,
not revoked, so a verifier reports "no status" as for any credential without one.
"""

from __future__ import annotations

import uuid as uuid_module
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from microcred.credentials.loader import MICROCRED_CONTEXT_URL, OB3_CONTEXT_URL, VC_V2_CONTEXT_URL
from microcred.credentials.ob3 import LearnerIdentity, credits_number, subject_identity, timestamp
from microcred.domain import LangText
from microcred.domain.recognition import RecognitionDecision
from microcred.i18n import LANGUAGES, translate

__all__ = ["RecognitionAward", "recognition_document"]


@dataclass(frozen=True, slots=True)
class RecognitionAward:
    decision: RecognitionDecision
    provider_name: LangText
    issuer_did: str
    public_base_url: str
    learner: LearnerIdentity
    issued_at: datetime
    lang: str = "nl"


def recognition_document(award: RecognitionAward) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential for a *recognised* decision."""
    decision = award.decision
    lang = award.lang if award.lang in LANGUAGES else "en"
    kind = translate(f"wallet.recognition.kind.{decision.kind.value}", lang) if decision.kind else ""
    name = translate("credential.recognition.name", lang, unit=decision.recognised_for)
    basis = ", ".join(translate(f"credential.recognition.basis.{b.value}", lang) for b in decision.basis)
    achievement: dict[str, Any] = {
        "id": f"{award.public_base_url.rstrip('/')}/providers/{decision.provider}/recognition/{decision.public_id}",
        "type": ["Achievement"],
        "achievementType": "ext:Recognition",
        "name": name,
        "description": translate("credential.recognition.description", lang, kind=kind, basis=basis),
        "criteria": {"narrative": translate("credential.recognition.criteria", lang, by=decision.decided_by)},
    }
    subject: dict[str, Any] = {"type": ["AchievementSubject"], **subject_identity(award.learner)}
    subject["achievement"] = achievement
    if decision.ects is not None:
        achievement["creditsAvailable"] = credits_number(decision.ects)
        subject["creditsEarned"] = credits_number(decision.ects)
    return {
        "@context": [VC_V2_CONTEXT_URL, OB3_CONTEXT_URL, MICROCRED_CONTEXT_URL],
        "id": f"urn:uuid:{uuid_module.UUID(decision.public_id)}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "issuer": {"id": award.issuer_did, "type": ["Profile"], "name": award.provider_name.get(lang)},
        "validFrom": timestamp(award.issued_at),
        "awardedDate": timestamp(decision.decided_on),
        "credentialSubject": subject,
        "evidence": [
            {
                "id": decision.credential_id,
                "type": ["Evidence"],
                "name": translate("credential.recognition.evidence", lang, issuer=decision.issuer),
                "narrative": decision.credential_digest,
            }
        ],
    }
