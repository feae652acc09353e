"""The Open Badges 3.0 ``OpenBadgeCredential`` (VC Data Model 2.0) for one passed enrolment.

Built from domain objects only; the EU micro-credential elements OB 3.0 lacks use the terms of our
extension context (``https://microcred.eu/ns/v1``, see docs/credentials.md). Documents are checked against
the official OB 3.0 JSON Schema before they are signed with ``eddsa-rdfc-2022``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from microcred.credentials.cryptosuites import EDDSA_RDFC_2022
from microcred.credentials.keys import SigningKey
from microcred.credentials.loader import MICROCRED_CONTEXT_URL, OB3_CONTEXT_URL, VC_V2_CONTEXT_URL
from microcred.credentials.proofs import add_proof
from microcred.credentials.schema import SchemaProblem, validate_definition, validate_open_badge_credential
from microcred.credentials.status_list import status_list_entry, status_message_entry
from microcred.domain import Edition, Enrolment, Offering, Provider, QualityAssurance, StatusPurpose
from microcred.errors import FieldProblem, Invalid
from microcred.i18n import LANGUAGES, translate
from microcred.vocab import vocabulary

__all__ = [
    "Award",
    "LearnerIdentity",
    "StatusEntry",
    "achievement_id",
    "credits_number",
    "identity_hash",
    "open_badge_document",
    "primary_language",
    "schema_problems",
    "sign_open_badge",
    "subject_identity",
    "timestamp",
]

_ESCO_FRAMEWORK = "ESCO (European Skills, Competences, Qualifications and Occupations)"


@dataclass(frozen=True, slots=True)
class LearnerIdentity:
    """How the credential names its learner: a DID they control, or a salted hash of an identifier."""

    salt: str
    email: str | None = None
    did: str | None = None
    pseudonym: str | None = None  # the register's pseudonym, hashed again when there is nothing else


@dataclass(frozen=True, slots=True)
class StatusEntry:
    purpose: StatusPurpose
    index: int
    list_url: str


@dataclass(frozen=True, slots=True)
class Award:
    """Everything an issued credential says, gathered by the issuing service."""

    credential_id: str
    provider: Provider
    offering: Offering
    edition: Edition
    enrolment: Enrolment
    learner: LearnerIdentity
    issuer_did: str
    public_base_url: str
    issued_at: datetime
    valid_from: datetime
    valid_until: datetime | None
    status: Sequence[StatusEntry]
    awarding_body_did: str | None = None


def timestamp(moment: datetime | date) -> str:
    """An XML Schema dateTime in UTC without fractions (``2025-06-30T12:00:00Z``)."""
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(0), tzinfo=UTC)
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def credits_number(ects: Decimal) -> int | float:
    """ECTS as a JSON number: an integer when whole (``5``), else a one-decimal float (``1.5``).

    A whole number written ``5.0`` would canonicalise as an ``xsd:double`` in Python but as an integer in
    JavaScript (JSON has one number type), so whole values are always emitted as integers.
    """
    return int(ects) if ects == ects.to_integral_value() else float(ects)


def achievement_id(public_base_url: str, provider: str, code: str) -> str:
    """The stable id of an offering's achievement: the same for every credential of the offering."""
    return f"{public_base_url.rstrip('/')}/offerings/{provider}/{code}"


def primary_language(offering: Offering) -> str:
    """The language the OB 3.0 texts are written in: the first teaching language with a title, else nl, else en."""
    for candidate in (*offering.languages, "nl", "en"):
        if candidate in offering.title.texts:
            return candidate
    return next(iter(offering.title.texts), "nl")


def identity_hash(identifier: str, salt: str) -> str:
    """OB 3.0 §B.1.11 IdentityObject: ``sha256$`` + hex(SHA-256(identifier ‖ salt))."""
    return "sha256$" + hashlib.sha256((identifier + salt).encode("utf-8")).hexdigest()


def _words(key: str, lang: str, **values: Any) -> str:
    """The credential's own words (``credential.ob3.*``); a credential in another language gets English."""
    return translate(f"credential.ob3.{key}", lang if lang in LANGUAGES else "en", **values)


def _label(vocab: str, code: str | None, lang: str) -> str | None:
    if code is None or code not in vocabulary(vocab):
        return None
    return vocabulary(vocab).get(code).label(lang)


def _issuer(award: Award, lang: str) -> dict[str, Any]:
    provider = award.provider
    issuer: dict[str, Any] = {"id": award.issuer_did, "type": ["Profile"], "name": provider.name.get(lang)}
    if provider.web_domain:
        issuer["url"] = f"https://{provider.web_domain}"
    identifiers = [
        (provider.kbo_number, "ext:KBO"),
        (provider.erasmus_code, "ext:ErasmusCode"),
        (provider.schac_code, "ext:SCHAC"),
    ]
    other = [
        {"type": "IdentifierEntry", "identifier": value, "identifierType": kind} for value, kind in identifiers if value
    ]
    if other:
        issuer["otherIdentifier"] = other
    issuer["issuerCountry"] = provider.country
    return issuer


def subject_identity(learner: LearnerIdentity) -> dict[str, Any]:
    """How a credential subject names its learner: ``id`` (a DID) or a hashed ``identifier`` (OB 3.0 §B.1.11)."""
    return _subject_identity(learner)


def _subject_identity(learner: LearnerIdentity) -> dict[str, Any]:
    if learner.did:
        return {"id": learner.did}
    if learner.email:
        identifier, kind = learner.email.strip().lower(), "emailAddress"
    elif learner.pseudonym:
        identifier, kind = learner.pseudonym, "sourcedId"
    else:
        raise Invalid.field("learner", "learner-required")
    return {
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": identity_hash(identifier, learner.salt),
                "identityType": kind,
                "hashed": True,
                "salt": learner.salt,
            }
        ]
    }


def _alignments(offering: Offering, lang: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for vocab, code, framework, target_type in (
        ("eqf", str(offering.eqf_level) if offering.eqf_level else None, "European Qualifications Framework", "EQF"),
        ("vks", str(offering.vks_level) if offering.vks_level else None, "Vlaamse kwalificatiestructuur", "VKS"),
        ("isced-f", offering.isced_field, "ISCED-F 2013", "ISCED-F"),
    ):
        if code is None or code not in vocabulary(vocab):
            continue
        concept = vocabulary(vocab).get(code)
        if concept.uri is None:
            continue
        found.append(
            {
                "type": ["Alignment"],
                "targetName": concept.label(lang),
                "targetUrl": concept.uri,
                "targetCode": code,
                "targetFramework": framework,
                "targetType": f"ext:{target_type}",
            }
        )
    for outcome in offering.learning_outcomes:
        if outcome.esco_skill:
            found.append(
                {
                    "type": ["Alignment"],
                    "targetName": outcome.text.get(lang),
                    "targetUrl": outcome.esco_skill,
                    "targetFramework": _ESCO_FRAMEWORK,
                    "targetType": "ceasn:Competency",
                }
            )
    return found


def _criteria(offering: Offering, lang: str) -> dict[str, Any]:
    heading = _words("outcomes", lang)
    lines = [f"{heading}:", *(f"- {outcome.text.get(lang)}" for outcome in offering.learning_outcomes)]
    assessment = _label("assessment-types", offering.assessment_type, lang)
    if assessment:
        lines.append(_words("assessment", lang, assessment=assessment))
    criteria: dict[str, Any] = {"narrative": "\n".join(lines)}
    if offering.info_url:
        criteria["id"] = offering.info_url
    return criteria


def _is_iri(value: str | None) -> bool:
    return bool(value) and ":" in str(value) and " " not in str(value)


def _quality_assurance(records: Sequence[QualityAssurance], on: date, lang: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for record in records:
        if not record.covers(on):
            continue
        kind = _label("qa-kinds", record.kind.value, lang) or record.kind.value
        entry: dict[str, Any] = {"type": "QualityAssurance", "name": f"{record.agency}: {kind}"}
        if _is_iri(record.agency):
            entry["agency"] = record.agency
        entry["qaKind"] = record.kind.value
        if _is_iri(record.reference):
            entry["qaDecision"] = record.reference
        entry["accreditedFrom"] = record.valid_from.isoformat()
        if record.valid_until is not None:
            entry["accreditedUntil"] = record.valid_until.isoformat()
        found.append(entry)
    return found


def _description(offering: Offering, lang: str) -> str:
    text = offering.description.get(lang)
    if text:
        return text
    ects = f"{offering.ects} ECTS" if offering.ects is not None else f"{offering.hours} h"
    return f"{offering.title.get(lang)} ({ects}, EQF {offering.eqf_level})"


def _achievement(award: Award, lang: str) -> dict[str, Any]:
    offering = award.offering
    achievement: dict[str, Any] = {
        "id": achievement_id(award.public_base_url, offering.provider, offering.code),
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": offering.title.get(lang),
        "description": _description(offering, lang),
        "criteria": _criteria(offering, lang),
        "humanCode": offering.code,
        "inLanguage": lang,
    }
    if offering.ects is not None:
        achievement["creditsAvailable"] = credits_number(offering.ects)
    field = _label("isced-f", offering.isced_field, lang)
    if field:
        achievement["fieldOfStudy"] = field
    alignments = _alignments(offering, lang)
    if alignments:
        achievement["alignment"] = alignments
    if award.enrolment.grade is not None:
        scheme = offering.grading_scheme.value if offering.grading_scheme else None
        achievement["resultDescription"] = [
            {
                "id": f"{achievement['id']}#grade",
                "type": ["ResultDescription"],
                "name": _label("grading-schemes", scheme, lang) or _words("grade", lang),
                "resultType": "Result",
            }
        ]
    achievement.update(_eu_elements(award, lang))
    return achievement


def _eu_elements(award: Award, lang: str) -> dict[str, Any]:
    """The Recommendation's elements OB 3.0 has no field for, in our extension context's terms."""
    offering = award.offering
    elements: dict[str, Any] = {
        "eqfLevel": offering.eqf_level,
        "vksLevel": offering.vks_level,
        "iscedField": offering.isced_field,
        "workloadHours": offering.hours,
        "assessmentType": offering.assessment_type,
        "participationForm": offering.participation_form.value if offering.participation_form else None,
        "identityCheck": offering.identity_check,
        "prerequisites": offering.prerequisites.get(lang) or None,
        "gradingScheme": offering.grading_scheme.value if offering.grading_scheme else None,
        "offerKind": offering.kind.value,
        "stackability": "stackable" if offering.stackable_into else None,
        "awardingBody": [award.awarding_body_did or award.issuer_did],
    }
    records = _quality_assurance(award.provider.quality_assurances, award.issued_at.date(), lang)
    if records:
        elements["qualityAssurance"] = records
    return {key: value for key, value in elements.items() if value is not None}


def _subject(award: Award, lang: str) -> dict[str, Any]:
    subject: dict[str, Any] = {"type": ["AchievementSubject"], **_subject_identity(award.learner)}
    subject["achievement"] = _achievement(award, lang)
    subject["activityStartDate"] = timestamp(award.edition.start_date)
    subject["activityEndDate"] = timestamp(award.edition.last_day)
    if award.offering.ects is not None:
        subject["creditsEarned"] = credits_number(award.offering.ects)
    if award.enrolment.grade is not None:
        subject["result"] = [
            {
                "type": ["Result"],
                "resultDescription": f"{subject['achievement']['id']}#grade",
                "value": award.enrolment.grade,
            }
        ]
    return subject


def open_badge_document(award: Award) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential for ``award``."""
    lang = primary_language(award.offering)
    document: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT_URL, OB3_CONTEXT_URL, MICROCRED_CONTEXT_URL],
        "id": award.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": award.offering.title.get(lang),
        "issuer": _issuer(award, lang),
        "validFrom": timestamp(award.valid_from),
    }
    if award.valid_until is not None:
        document["validUntil"] = timestamp(award.valid_until)
    if award.enrolment.outcome_date is not None:
        document["awardedDate"] = timestamp(award.enrolment.outcome_date)
    document["credentialSubject"] = _subject(award, lang)
    entries = [_status_entry(entry) for entry in award.status]
    if len(entries) == 1:
        document["credentialStatus"] = entries[0]  # the OB 3.0 schema's one object (decision 0015)
    elif entries:
        document["credentialStatus"] = entries
    return document


def _status_entry(entry: StatusEntry) -> dict[str, Any]:
    if entry.purpose is StatusPurpose.MESSAGE:
        return status_message_entry(list_credential_url=entry.list_url, index=entry.index)
    if entry.purpose is StatusPurpose.REVOCATION:
        return status_list_entry(list_credential_url=entry.list_url, index=entry.index, purpose="revocation")
    return status_list_entry(list_credential_url=entry.list_url, index=entry.index, purpose="suspension")


def schema_problems(document: Mapping[str, Any]) -> list[SchemaProblem]:
    """Problems under the official OB 3.0 JSON Schema.

    The register issues one ``credentialStatus`` object, so its credentials are checked unchanged. The schema
    types it as one object while VC 2.0 §4.10 allows a set, and credentials issued before decision 0015 carry
    two entries (revocation, suspension): such a document is checked with its first entry in the schema's
    place and every further entry against the schema's own ``CredentialStatus`` definition, so they still verify.
    """
    status = document.get("credentialStatus")
    if not isinstance(status, list) or not status:
        return validate_open_badge_credential(document)
    variant = dict(document)
    variant["credentialStatus"] = status[0]
    found = [
        SchemaProblem(problem.path.replace("$.credentialStatus", "$.credentialStatus[0]", 1), problem.message)
        for problem in validate_open_badge_credential(variant)
    ]
    for position, entry in enumerate(status[1:], start=1):
        found += validate_definition("CredentialStatus", entry, at=f"$.credentialStatus[{position}]")
    return list(dict.fromkeys(found))


def sign_open_badge(
    document: Mapping[str, Any], *, signing_key: SigningKey, verification_method: str, created: datetime
) -> dict[str, Any]:
    """Validate against the OB 3.0 schema, unchanged, then add an ``eddsa-rdfc-2022`` proof; Invalid if not valid."""
    problems = validate_open_badge_credential(document)
    if problems:
        raise Invalid(
            "ob3-schema",
            problems=[
                FieldProblem(problem.path, "schema", params={"message": problem.message}) for problem in problems
            ],
        )
    # add_proof neither changes ``document`` nor shares it with its answer: no defensive deep copy, which
    # cost as much as a sixth of bulk issuing (decision 0025).
    return add_proof(
        document,
        suite=EDDSA_RDFC_2022,
        signing_key=signing_key,
        verification_method=verification_method,
        created=created,
    )
