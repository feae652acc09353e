"""The Open Badges 3.0 ``OpenBadgeCredential`` (VC Data Model 2.0) for one passed enrolment.

Built from domain objects only; the EU micro-credential elements OB 3.0 lacks use the terms of our
extension context (``https://microcred.eu/ns/v1``, see docs/credentials.md). Documents are checked against
the official OB 3.0 JSON Schema before they are signed with ``eddsa-rdfc-2022`` (both in :mod:`.ob3_schema`,
re-exported here).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from microcred.credentials.json_text import compact, compact_with
from microcred.credentials.loader import MICROCRED_CONTEXT_URL, OB3_CONTEXT_URL, VC_V2_CONTEXT_URL
from microcred.credentials.ob3_award import Award, LearnerIdentity, StatusEntry
from microcred.credentials.ob3_schema import open_badge_proof, schema_problems, sign_open_badge
from microcred.credentials.status_list import status_list_entry, status_message_entry
from microcred.domain import Offering, QualityAssurance, StatusPurpose
from microcred.errors import Invalid
from microcred.i18n import LANGUAGES, translate
from microcred.vocab import vocabulary

__all__ = [
    "Award",
    "LearnerIdentity",
    "OpenBadgeTemplate",
    "StatusEntry",
    "achievement_id",
    "credits_number",
    "identity_hash",
    "open_badge_document",
    "open_badge_proof",
    "primary_language",
    "schema_problems",
    "sign_open_badge",
    "subject_identity",
    "timestamp",
]

_ESCO_FRAMEWORK = "ESCO (European Skills, Competences, Qualifications and Occupations)"


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


class OpenBadgeTemplate:
    """What the credentials of one offering, edition, issuer and issuing moment say alike, built once.

    A bulk issue makes one per edition and batch and fills in each learner: the issuer, the achievement and the
    dates were two thirds of building a document, and stay shared between the batch's documents, which are
    signed and written as JSON without being changed (issue 21). :func:`open_badge_document` makes one per
    document, so a credential issued alone or in a batch is written by the same code, byte for byte."""

    __slots__ = ("_achievements", "_award", "_awarded", "_dates", "_head", "_issuer", "_lang", "_texts")

    def __init__(self, award: Award) -> None:
        self._award = award  # its shared fields: offering, edition, provider, dids, base URL, moments
        self._lang = lang = primary_language(award.offering)
        self._head = (award.offering.title.get(lang), _issuer(award, lang), timestamp(award.valid_from))
        self._dates = (
            None if award.valid_until is None else timestamp(award.valid_until),
            timestamp(award.edition.start_date),
            timestamp(award.edition.last_day),
            None if award.offering.ects is None else credits_number(award.offering.ects),
        )
        self._achievements: dict[bool, dict[str, Any]] = {}  # with a grade's result description, or without
        self._awarded: dict[date, str] = {}
        self._texts: dict[int, tuple[object, str]] = {}  # the shared objects' JSON text, by the object's id

    def document(self, award: Award) -> dict[str, Any]:
        """The unsigned OpenBadgeCredential for ``award``, which must share this template's offering and moments."""
        shared = self._award
        if award is not shared and not (
            award.offering is shared.offering
            and award.edition is shared.edition
            and award.provider is shared.provider
            and (award.issuer_did, award.awarding_body_did, award.public_base_url)
            == (shared.issuer_did, shared.awarding_body_did, shared.public_base_url)
            and (award.issued_at, award.valid_from, award.valid_until)
            == (shared.issued_at, shared.valid_from, shared.valid_until)
        ):
            raise ValueError("the award is not of this template's offering, edition, issuer and moment")
        name, issuer, valid_from = self._head
        valid_until = self._dates[0]
        document: dict[str, Any] = {
            "@context": [VC_V2_CONTEXT_URL, OB3_CONTEXT_URL, MICROCRED_CONTEXT_URL],
            "id": award.credential_id,
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": name,
            "issuer": issuer,
            "validFrom": valid_from,
        }
        if valid_until is not None:
            document["validUntil"] = valid_until
        outcome_date = award.enrolment.outcome_date
        if outcome_date is not None:
            awarded = self._awarded.get(outcome_date)
            if awarded is None:
                awarded = self._awarded[outcome_date] = timestamp(outcome_date)
            document["awardedDate"] = awarded
        document["credentialSubject"] = self._subject(award)
        entries = [_status_entry(entry) for entry in award.status]
        if len(entries) == 1:
            document["credentialStatus"] = entries[0]  # the OB 3.0 schema's one object (decision 0015)
        elif entries:
            document["credentialStatus"] = entries
        return document

    def _subject(self, award: Award) -> dict[str, Any]:
        graded = award.enrolment.grade is not None
        achievement = self._achievements.get(graded)
        if achievement is None:
            achievement = self._achievements[graded] = _achievement(award, self._lang)
        _, start, end, credits = self._dates
        subject: dict[str, Any] = {"type": ["AchievementSubject"], **subject_identity(award.learner)}
        subject["achievement"] = achievement
        subject["activityStartDate"] = start
        subject["activityEndDate"] = end
        if credits is not None:
            subject["creditsEarned"] = credits
        if graded:
            subject["result"] = [
                {"type": ["Result"], "resultDescription": f"{achievement['id']}#grade", "value": award.enrolment.grade}
            ]
        return subject

    def signed_json(self, document: dict[str, Any], proof: dict[str, Any]) -> str:
        """The compact JSON text of ``{**document, "proof": [proof]}``, the signed document as stored, with the
        issuer's and the achievement's text written once for the template (:mod:`.json_text`; issue 21).

        A part's text is used only where ``document`` holds this template's own object (``is``); the template's
        objects are shared by its documents and never changed, as signing them requires."""
        known: dict[str, tuple[object, str]] = {}
        self._know(known, "issuer", document.get("issuer"))
        subject = document.get("credentialSubject")
        if type(subject) is dict:
            inside: dict[str, tuple[object, str]] = {}
            if self._know(inside, "achievement", subject.get("achievement")):
                known["credentialSubject"] = (subject, compact_with(subject, inside))
        return compact_with({**document, "proof": [proof]}, known)

    def _know(self, known: dict[str, tuple[object, str]], key: str, part: Any) -> bool:
        """Put ``part`` and its JSON text in ``known`` when it is the issuer or an achievement of this template."""
        if not any(part is own for own in (self._head[1], *self._achievements.values())):
            return False
        written = self._texts.get(id(part))
        if written is None:  # a template's objects live as long as it does: an id is never another's
            written = self._texts[id(part)] = (part, compact(part))
        known[key] = written
        return True


def open_badge_document(award: Award) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential for ``award``."""
    return OpenBadgeTemplate(award).document(award)


def _status_entry(entry: StatusEntry) -> dict[str, Any]:
    if entry.purpose is StatusPurpose.MESSAGE:
        return status_message_entry(list_credential_url=entry.list_url, index=entry.index)
    if entry.purpose is StatusPurpose.REVOCATION:
        return status_list_entry(list_credential_url=entry.list_url, index=entry.index, purpose="revocation")
    return status_list_entry(list_credential_url=entry.list_url, index=entry.index, purpose="suspension")
