"""The two renditions a learner's wallet receives over OpenID4VCI, both from the credential as the register signed it.

``ldp_vc``: the same OpenBadgeCredential (same id, same status entry) with the wallet's key DID as
``credentialSubject.id`` in place of the salted e-mail hash, signed again with ``eddsa-rdfc-2022``.
``dc+sd-jwt``: an SD-JWT VC whose claims are the credential's facts in flat JSON; the achievement, ECTS,
grade, dates and outcomes are each selectively disclosable, and ``status`` points at the provider's Token
Status List, which the register derives from the same credential states as its Bitstring Status Lists.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from microcred.credentials.jose import sign_jws
from microcred.credentials.keys import SigningKey
from microcred.credentials.ob3 import sign_open_badge
from microcred.credentials.sd_jwt import SD_JWT_VC_TYP, combine, make_disclosable

__all__ = ["DISCLOSABLE_CLAIMS", "SD_JWT_VCT", "holder_bound_open_badge", "sd_jwt_vc", "sd_jwt_vc_claims"]

SD_JWT_VCT = "https://microcred.eu/vct/micro-credential/v1"
"""The SD-JWT VC type (``vct``) of a register micro-credential."""
DISCLOSABLE_CLAIMS = (
    "achievement",
    "ects",
    "grade",
    "awarded_date",
    "activity_start",
    "activity_end",
    "eu_elements",
)
"""What the learner chooses to show or keep back, claim by claim; issuer, type, validity and status are always
visible (a verifier needs them to trust anything)."""


def holder_bound_open_badge(
    document: Mapping[str, Any],
    holder_did: str,
    *,
    signing_key: SigningKey,
    verification_method: str,
    created: datetime,
) -> dict[str, Any]:
    """The signed OpenBadgeCredential again, its subject now the holder's DID, with a fresh proof."""
    unsigned = copy.deepcopy(dict(document))
    unsigned.pop("proof", None)
    subject = {key: value for key, value in unsigned["credentialSubject"].items() if key != "identifier"}
    unsigned["credentialSubject"] = {"id": holder_did, **subject}
    return sign_open_badge(unsigned, signing_key=signing_key, verification_method=verification_method, created=created)


def _epoch(text: str | None) -> int | None:
    if not text:
        return None
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def sd_jwt_vc_claims(document: Mapping[str, Any], *, issuer: str, status_list_uri: str, index: int) -> dict[str, Any]:
    """The SD-JWT VC's claims for a signed OpenBadgeCredential (before digests replace the disclosable ones).

    No ``jti`` or subject id: an always-visible unique value would let verifiers link a holder's
    presentations (RFC 9901 §10.1); the credential id stays in the ``ldp_vc``."""
    subject = document["credentialSubject"]
    achievement = subject["achievement"]
    issuer_of = document["issuer"]
    claims: dict[str, Any] = {
        "iss": issuer,
        "vct": SD_JWT_VCT,
        "nbf": _epoch(document.get("validFrom")),
        "exp": _epoch(document.get("validUntil")),
        "issuer_name": issuer_of.get("name") if isinstance(issuer_of, Mapping) else None,
        "status": {"status_list": {"idx": index, "uri": status_list_uri}},
        "achievement": {
            key: achievement[key]
            for key in ("id", "name", "description", "achievementType", "fieldOfStudy")
            if key in achievement
        },
        "ects": subject.get("creditsEarned"),
        "grade": next((result.get("value") for result in subject.get("result", [])), None),
        "awarded_date": document.get("awardedDate"),
        "activity_start": subject.get("activityStartDate"),
        "activity_end": subject.get("activityEndDate"),
        "eu_elements": _eu_elements(achievement),
    }
    return {name: value for name, value in claims.items() if value is not None}


def _eu_elements(achievement: Mapping[str, Any]) -> dict[str, Any] | None:
    """Our extension terms (``microcred.eu/ns``) of the achievement, if any: EQF level, assessment, QA, ..."""
    known = {"id", "type", "name", "description", "achievementType", "fieldOfStudy", "criteria", "image"}
    extra = {key: value for key, value in achievement.items() if key not in known}
    return extra or None


def sd_jwt_vc(
    claims: Mapping[str, Any],
    *,
    holder_jwk: Mapping[str, str],
    signing_key: SigningKey,
    verification_method: str,
    issued_at: datetime,
) -> str:
    """The issued SD-JWT VC (``jwt~disclosure~…~``), key-bound to the holder through ``cnf.jwk``."""
    payload, disclosures = make_disclosable(claims, DISCLOSABLE_CLAIMS)
    payload["iat"] = int(issued_at.timestamp())
    payload["cnf"] = {"jwk": dict(holder_jwk)}
    header = {"typ": SD_JWT_VC_TYP, "kid": verification_method}
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return combine(sign_jws(header, body, signing_key), disclosures)
