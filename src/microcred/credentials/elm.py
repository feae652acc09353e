"""The same award as a European Digital Credential: an ELM v3 (EDC profile) JSON-LD document, unsigned.

Follows the EBSI "Europass EDC credential" schema (ELM 3.2, VC 2.0) and the EDC SHACL profile: a
micro-credential with a level is a ``Qualification`` (EQF is a property of Qualification only), credit is a
``CreditPoint`` with the ECTS framework and ``point`` as a string, every vocabulary value is a ``Concept``
with its EU URI, ``inScheme`` and multilingual ``prefLabel``. Sealing (a qualified eIDAS seal in JAdES form)
is the EU issuer's step and is not done here: the export is complete for it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from microcred.credentials.loader import ELM_CONTEXT_URL, MICROCRED_ELM_CONTEXT_URL, VC_V2_CONTEXT_URL
from microcred.credentials.ob3 import Award, timestamp
from microcred.credentials.schema import SchemaProblem
from microcred.domain import LangText, Provider
from microcred.errors import Invalid
from microcred.i18n import LANGUAGES, translate
from microcred.vocab import vocabulary

__all__ = ["ECTS_FRAMEWORK", "EDC_SHACL_PROFILE", "elm_document", "validate_elm"]

EDC_SHACL_PROFILE = "http://data.europa.eu/snb/model/ap/edc-generic-full"
ECTS_FRAMEWORK = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
_ECTS_SCHEME = "http://data.europa.eu/snb/education-credit/25831c2"
_GENERIC_PROFILE = "http://data.europa.eu/snb/credential/e34929035b"
_PROFILE_SCHEME = "http://data.europa.eu/snb/credential/25831c2"
_BASE64 = "http://data.europa.eu/snb/encoding/6146cde7dd"
_ENCODING_SCHEME = "http://data.europa.eu/snb/encoding/25831c2"
_FILE_TYPE_SCHEME = "http://publications.europa.eu/resource/authority/file-type"
_ESCO_SCHEME = "http://data.europa.eu/esco/concept-scheme/skills"
_EDC_SCHEMA = "vcdm2.0-europass-edc-schema.json"
_ATTESTATION_SCHEMA = "vcdm2.0-attestation-schema.json"


def _lang(text: LangText | str, lang: str = "en") -> dict[str, str]:
    if isinstance(text, LangText):
        return text.as_dict() or {lang: ""}
    return {lang: text}


def _concept(vocab: str, code: str) -> dict[str, Any]:
    """A vocabulary value as an ELM Concept: EU URI as id, its scheme, labels in English and Dutch."""
    concept = vocabulary(vocab).get(code)
    node: dict[str, Any] = {"id": concept.uri, "type": "Concept"}
    if concept.scheme:
        node["inScheme"] = {"id": concept.scheme, "type": "ConceptScheme"}
    node["prefLabel"] = dict(concept.labels)
    return node


def _fixed_concept(uri: str, scheme: str, label: str) -> dict[str, Any]:
    return {
        "id": uri,
        "type": "Concept",
        "inScheme": {"id": scheme, "type": "ConceptScheme"},
        "prefLabel": {"en": label},
    }


def _organisation(provider: Provider, did: str) -> dict[str, Any]:
    organisation: dict[str, Any] = {
        "id": did,
        "type": "Organisation",
        "legalName": provider.name.as_dict(),
        "location": [
            {
                "id": f"urn:epass:location:{provider.slug}",
                "type": "Location",
                "address": [
                    {
                        "id": f"urn:epass:address:{provider.slug}",
                        "type": "Address",
                        "countryCode": _concept("countries", provider.country),
                    }
                ],
            }
        ],
    }
    if provider.kbo_number:
        organisation["registration"] = _legal_identifier(provider)
    if provider.web_domain:
        organisation["homepage"] = [
            {
                "id": f"urn:epass:webResource:{provider.slug}",
                "type": "WebResource",
                "contentURL": f"https://{provider.web_domain}",
            }
        ]
    return organisation


def _legal_identifier(provider: Provider) -> dict[str, Any]:
    """The Belgian enterprise (KBO) number: the legal identifier the eIDAS seal certificate also carries."""
    return {
        "id": f"urn:epass:legalIdentifier:{provider.slug}",
        "type": "LegalIdentifier",
        "notation": str(provider.kbo_number),
        "schemeName": "KBO/BCE",
        "spatial": _concept("countries", provider.country),
    }


def _awarding(award: Award, suffix: str) -> dict[str, Any]:
    did = award.awarding_body_did or award.issuer_did
    process: dict[str, Any] = {
        "id": f"urn:epass:awardingProcess:{suffix}",
        "type": "AwardingProcess",
        "awardingBody": [_organisation(award.provider, did)],
    }
    if award.enrolment.outcome_date is not None:
        process["awardingDate"] = timestamp(award.enrolment.outcome_date)
    return process


def _learning_outcomes(award: Award) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for number, outcome in enumerate(award.offering.learning_outcomes, start=1):
        node: dict[str, Any] = {
            "id": f"urn:epass:learningOutcome:{number}",
            "type": "LearningOutcome",
            "title": outcome.text.as_dict(),
        }
        if outcome.esco_skill:
            node["relatedESCOSkill"] = [
                {
                    "id": outcome.esco_skill,
                    "type": "Concept",
                    "inScheme": {"id": _ESCO_SCHEME, "type": "ConceptScheme"},
                    "prefLabel": outcome.text.as_dict(),
                }
            ]
        found.append(node)
    return found


def _qualification(award: Award) -> dict[str, Any]:
    offering = award.offering
    qualification: dict[str, Any] = {
        "id": f"urn:epass:qualification:{offering.provider}:{offering.code}",
        "type": "Qualification",
        "title": offering.title.as_dict(),
    }
    if offering.description:
        qualification["description"] = offering.description.as_dict()
    if offering.eqf_level is not None:
        qualification["eqfLevel"] = _concept("eqf", str(offering.eqf_level))
    if offering.vks_level is not None:
        qualification["nqfLevel"] = [_concept("vks", str(offering.vks_level))]
    if offering.isced_field:
        qualification["thematicArea"] = [_concept("isced-f", offering.isced_field)]
    if offering.ects is not None:
        qualification["creditPoint"] = [
            {
                "id": "urn:epass:creditPoint:1",
                "type": "CreditPoint",
                "framework": _fixed_concept(ECTS_FRAMEWORK, _ECTS_SCHEME, "European Credit Transfer System"),
                "point": format(offering.ects, "f"),
            }
        ]
    if offering.hours is not None:
        qualification["volumeOfLearning"] = f"PT{offering.hours}H"
    if offering.participation_form is not None:
        qualification["mode"] = [_concept("participation-forms", offering.participation_form.value)]
    if offering.languages:
        qualification["language"] = [_concept("languages", lang) for lang in offering.languages]
    if offering.prerequisites:
        qualification["entryRequirement"] = {
            "id": "urn:epass:note:entryRequirement",
            "type": "Note",
            "noteLiteral": offering.prerequisites.as_dict(),
        }
    outcomes = _learning_outcomes(award)
    if outcomes:
        qualification["learningOutcome"] = outcomes
    qualification["isPartialQualification"] = True
    return qualification


def _assessment(award: Award) -> dict[str, Any]:
    offering = award.offering
    grade = award.enrolment.grade or translate("credential.elm.passed", "nl" if "nl" in offering.title.texts else "en")
    assessment: dict[str, Any] = {
        "id": "urn:epass:learningAssessment:1",
        "type": "LearningAssessment",
        "title": {lang: translate("credential.elm.final_assessment", lang) for lang in LANGUAGES},
        "grade": {"id": "urn:epass:note:grade", "type": "Note", "noteLiteral": {"en": grade}},
        "awardedBy": _awarding(award, "assessment"),
    }
    if offering.identity_check:
        assessment["idVerification"] = _concept("identity-checks", offering.identity_check)
    if offering.assessment_type:
        assessment["specifiedBy"] = {
            "id": "urn:epass:learningAssessmentSpec:1",
            "type": "LearningAssessmentSpecification",
            "title": dict(vocabulary("assessment-types").get(offering.assessment_type).labels),
            "dcType": _concept("assessment-types", offering.assessment_type),
        }
    return assessment


def _subject(award: Award) -> dict[str, Any]:
    learner = award.learner
    subject: dict[str, Any] = {"id": learner.did or f"{award.credential_id}#learner", "type": "Person"}
    if learner.email:
        subject["contactPoint"] = [
            {
                "id": "urn:epass:contactPoint:1",
                "type": "ContactPoint",
                "emailAddress": [{"id": f"mailto:{learner.email}", "type": "Mailbox"}],
            }
        ]
    subject["hasClaim"] = [
        {
            "id": "urn:epass:learningAchievement:1",
            "type": "LearningAchievement",
            "title": award.offering.title.as_dict(),
            "awardedBy": _awarding(award, "achievement"),
            "provenBy": [_assessment(award)],
            "specifiedBy": _qualification(award),
        }
    ]
    return subject


def _display(award: Award, image: bytes | None) -> dict[str, Any]:
    languages = [lang for lang in ("nl", "en") if lang in award.offering.title.texts] or ["en"]
    primary = languages[0]
    display: dict[str, Any] = {
        "id": "urn:epass:displayParameter:1",
        "type": "DisplayParameter",
        "title": award.offering.title.as_dict(),
        "language": [_concept("languages", lang) for lang in languages],
        "primaryLanguage": _concept("languages", primary),
        "individualDisplay": [],
    }
    if image is not None:
        display["individualDisplay"] = [
            {
                "id": f"urn:epass:individualDisplay:{lang}",
                "type": "IndividualDisplay",
                "language": _concept("languages", lang),
                "displayDetail": [
                    {
                        "id": f"urn:epass:displayDetail:{lang}",
                        "type": "DisplayDetail",
                        "image": {
                            "id": f"urn:epass:mediaObject:{lang}",
                            "type": "MediaObject",
                            "content": base64.b64encode(image).decode("ascii"),
                            "contentEncoding": _fixed_concept(_BASE64, _ENCODING_SCHEME, "base64"),
                            "contentType": _fixed_concept(f"{_FILE_TYPE_SCHEME}/PDF", _FILE_TYPE_SCHEME, "PDF"),
                        },
                        "page": 1,
                    }
                ],
            }
            for lang in languages[:1]
        ]
    return display


def elm_document(award: Award, *, display_pdf: bytes | None = None) -> dict[str, Any]:
    """The EDC-profile ELM v3 document of ``award``; ``display_pdf`` is the one-page certificate to embed.

    The EDC shapes require the issuer's eIDAS legal identifier, so a provider without an enterprise (KBO)
    number is refused rather than given a document no EDC verifier accepts."""
    if not award.provider.kbo_number:
        raise Invalid.field("kbo_number", "elm-needs-kbo-number", None, provider=award.provider.slug)
    issuer = _organisation(award.provider, award.issuer_did)
    issuer["eIDASIdentifier"] = _legal_identifier(award.provider)
    document: dict[str, Any] = {
        # ours last: it only adds ``issued`` (VC 1.1's cred:issued), which the EDC shapes require
        "@context": [VC_V2_CONTEXT_URL, ELM_CONTEXT_URL, MICROCRED_ELM_CONTEXT_URL],
        "id": award.credential_id,
        "type": ["VerifiableCredential", "VerifiableAttestation", "EuropeanDigitalCredential"],
        "credentialSchema": [{"id": EDC_SHACL_PROFILE, "type": "ShaclValidator2017"}],
        "credentialProfiles": [_fixed_concept(_GENERIC_PROFILE, _PROFILE_SCHEME, "Generic")],
        "displayParameter": _display(award, display_pdf),
        "issuer": issuer,
        "issued": timestamp(award.issued_at),
        "validFrom": timestamp(award.valid_from),
        "credentialSubject": _subject(award),
    }
    if award.valid_until is not None:
        document["validUntil"] = timestamp(award.valid_until)
    return document


@cache
def _validator() -> Draft202012Validator:
    folder = files("microcred.credentials") / "schemas" / "elm"
    schema = json.loads((folder / _EDC_SCHEMA).read_text("utf-8"))
    attestation = json.loads((folder / _ATTESTATION_SCHEMA).read_text("utf-8"))
    # The published schema names its base by a relative path; point it at the shipped sibling instead.
    schema["allOf"][0]["$ref"] = "urn:microcred:ebsi:vcdm2.0-attestation-schema"
    # referencing's default Registry retrieves nothing: an unknown $ref fails instead of being fetched.
    registry: Registry[Any] = Registry().with_resource(
        "urn:microcred:ebsi:vcdm2.0-attestation-schema", Resource.from_contents(attestation)
    )
    return Draft202012Validator(schema, registry=registry)


def validate_elm(document: Mapping[str, Any]) -> list[SchemaProblem]:
    """Problems under the EBSI Europass EDC JSON Schema (ELM 3.2, VC 2.0); an empty list means valid."""
    found: list[SchemaProblem] = []
    for error in sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path)):
        path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        found.append(SchemaProblem(path, error.message[:300]))
    return found
