"""A representative, unsigned OB 3.0 micro-credential as a plain document, for tests, docs and benchmarks.

It exercises what the register issues: an issuer Profile, an AchievementSubject identified by a salted
IdentityObject, an Achievement with criteria, alignments, ECTS in ``creditsAvailable``, our extension
terms (``https://microcred.eu/ns/v1``) and a Bitstring Status List entry. It is not the issuance code:
mapping the domain model to documents belongs to the services that issue.
"""

from __future__ import annotations

import hashlib
from typing import Any

from microcred.credentials.loader import MICROCRED_CONTEXT_URL, OB3_CONTEXT_URL, VC_V2_CONTEXT_URL
from microcred.credentials.status_list import status_list_entry

__all__ = ["sample_micro_credential"]

_REGISTER = "https://register.microcred.example"


def sample_micro_credential(
    *,
    issuer_did: str,
    learner_number: int = 1,
    learner_email: str = "an.peeters@student.example.be",
    valid_from: str = "2025-02-01T00:00:00Z",
) -> dict[str, Any]:
    """One learner's credential for the sample offering; ``learner_number`` varies ids, salt and index."""
    salt = f"salt-{learner_number:06d}"
    identity_hash = "sha256$" + hashlib.sha256((learner_email + salt).encode("utf-8")).hexdigest()
    return {
        "@context": [VC_V2_CONTEXT_URL, OB3_CONTEXT_URL, MICROCRED_CONTEXT_URL],
        "id": f"{_REGISTER}/credentials/{learner_number}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Microcredential Data Literacy for Teachers",
        "description": "Awarded on completion of the micro-credential Data Literacy for Teachers.",
        "issuer": _issuer(issuer_did),
        "validFrom": valid_from,
        "awardedDate": "2025-01-31T10:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": identity_hash,
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": salt,
                }
            ],
            "activityEndDate": "2025-01-24T17:00:00Z",
            "achievement": _achievement(issuer_did),
            "result": [
                {
                    "type": ["Result"],
                    "resultDescription": f"{_REGISTER}/offerings/dlt/result",
                    "status": "Completed",
                    "value": "16/20",
                }
            ],
        },
        "credentialStatus": status_list_entry(
            list_credential_url=f"{_REGISTER}/status/2025/1", index=1000 + learner_number
        ),
    }


def _issuer(issuer_did: str) -> dict[str, Any]:
    return {
        "id": issuer_did,
        "type": ["Profile"],
        "name": "Hogeschool Voorbeeld",
        "url": "https://www.hogeschool-voorbeeld.example.be",
        "email": "microcredentials@hogeschool-voorbeeld.example.be",
        "issuerCountry": "BE",
        "otherIdentifier": [{"type": "IdentifierEntry", "identifier": "0123.456.789", "identifierType": "sourcedId"}],
    }


def _achievement(issuer_did: str) -> dict[str, Any]:
    return {
        "id": f"{_REGISTER}/offerings/dlt-2024",
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": "Data Literacy for Teachers",
        "description": "Reading, questioning and presenting educational data in school practice.",
        "criteria": {"narrative": "Pass the written assessment and the portfolio (at least 10/20)."},
        "creditsAvailable": 4,
        "fieldOfStudy": "Teacher training",
        "humanCode": "DLT-2024",
        "inLanguage": "nl",
        "tag": ["data literacy", "onderwijs", "lerarenopleiding"],
        "alignment": [
            {
                "type": ["Alignment"],
                "targetName": "EQF level 5",
                "targetUrl": "http://data.europa.eu/snb/eqf/5",
                "targetFramework": "European Qualifications Framework",
                "targetType": "ext:EQF",
            },
            {
                "type": ["Alignment"],
                "targetName": "Teacher training with subject specialisation",
                "targetUrl": "http://data.europa.eu/snb/isced-f/0114",
                "targetCode": "0114",
                "targetFramework": "ISCED-F 2013",
                "targetType": "ext:ISCED-F",
            },
        ],
        "eqfLevel": 5,
        "vksLevel": 5,
        "iscedField": "0114",
        "workloadHours": 100,
        "assessmentType": "written-exam",
        "participationForm": "blended",
        "identityCheck": "in-person",
        "prerequisites": "A bachelor's degree in education or two years of teaching experience.",
        "gradingScheme": "Flemish 0-20 scale; pass mark 10",
        "offerKind": "micro-credential",
        "stackability": "stackable",
        "countsTowards": [f"{_REGISTER}/programmes/postgraduate-data-in-education"],
        "awardingBody": [issuer_did],
        "qualityAssurance": [
            {
                "type": "QualityAssurance",
                "name": "NVAO institutional review",
                "agency": "https://www.nvao.net",
                "qaKind": "institutional-review",
                "qaDecision": "https://www.nvao.net/nl/besluiten/hogeschool-voorbeeld",
                "accreditedFrom": "2021-09-01",
                "accreditedUntil": "2027-08-31",
            }
        ],
    }
