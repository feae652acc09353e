"""Check an Open Badges 3.0 credential against the official JSON Schema, and sign one that passes.

Kept apart from :mod:`.ob3`, which builds the document from domain objects: verifying reads a document
someone else built, so the schema check must not depend on how the register writes its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from microcred.credentials.cryptosuites import EDDSA_RDFC_2022
from microcred.credentials.keys import SigningKey
from microcred.credentials.proofs import add_proof, new_proof
from microcred.credentials.schema import SchemaProblem, validate_definition, validate_open_badge_credential
from microcred.errors import FieldProblem, Invalid

__all__ = ["open_badge_proof", "schema_problems", "sign_open_badge"]


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
    _refuse_invalid(document)
    # add_proof neither changes ``document`` nor shares it with its answer: no defensive deep copy, which
    # cost as much as a sixth of bulk issuing (decision 0025).
    return add_proof(
        document,
        suite=EDDSA_RDFC_2022,
        signing_key=signing_key,
        verification_method=verification_method,
        created=created,
    )


def open_badge_proof(
    document: Mapping[str, Any], *, signing_key: SigningKey, verification_method: str, created: datetime
) -> dict[str, Any]:
    """The proof :func:`sign_open_badge` adds, alone, after the same check: ``{**document, "proof": [proof]}``
    is its answer, without copying ``document`` (a bulk issue writes each document as JSON at once; issue 21)."""
    _refuse_invalid(document)
    return new_proof(
        document,
        suite=EDDSA_RDFC_2022,
        signing_key=signing_key,
        verification_method=verification_method,
        created=created,
    )


def _refuse_invalid(document: Mapping[str, Any]) -> None:
    problems = validate_open_badge_credential(document)
    if problems:
        raise Invalid(
            "ob3-schema",
            problems=[
                FieldProblem(problem.path, "schema", params={"message": problem.message}) for problem in problems
            ],
        )
