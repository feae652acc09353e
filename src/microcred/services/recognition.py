"""Recognition decisions: a provider verifies a credential it received and records what it accepts.

The credential may be this register's or anyone's; it is verified as the public verifier does (other
issuers' DID documents and status lists fetched unless offline). A decision to recognise needs a credential
whose signature, issuer and status pass; a refusal can be recorded for any credential and needs a reason.
Recording the same decision twice returns the first (idempotent); a different decision on the same
credential for the same unit is a conflict. A provider acts only for learners who enrolled with it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from microcred.credentials.jcs import JcsError, canonicalize
from microcred.credentials.ob3 import LearnerIdentity, sign_open_badge
from microcred.credentials.recognition_doc import RecognitionAward, recognition_document
from microcred.credentials.verify import VerificationResult
from microcred.domain import LearnerScheme
from microcred.domain.fields.stacking import RECOGNITION_DECISION
from microcred.domain.recognition import RecognitionDecision, RecognitionOutcome
from microcred.errors import Conflict, Invalid
from microcred.services.dependencies import Dependencies
from microcred.services.enrolments import Enrolments
from microcred.services.verification import Verification, check_bounds

__all__ = ["Recognition", "document_digest"]

# What must pass before a credential can be recognised; trust is the institution's own judgement
# (its ``basis`` names quality assurance), and an expired credential may still be recognised. A credential
# without a status entry (a warning) cannot be revoked, so it may be; one whose status is unknown may not.
_MUST_PASS = ("well-formed", "signature", "issuer")


def _recognisable(result: VerificationResult) -> bool:
    return all(result.check(name).passed for name in _MUST_PASS) and result.check("status").outcome in (
        "pass",
        "warn",
    )


def document_digest(document: Any) -> str:
    """``sha256-<base64>`` of the document's JSON Canonicalization (RFC 8785): the same however it was spaced."""
    try:
        canonical = canonicalize(document)
    except (JcsError, TypeError, ValueError):
        raise Invalid.field("document", "not-json-document") from None
    return "sha256-" + base64.b64encode(hashlib.sha256(canonical).digest()).decode()


def _issuer(document: Mapping[str, Any]) -> str:
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) and issuer else "-"


def _same(a: RecognitionDecision, b: RecognitionDecision) -> bool:
    fields = ("outcome", "kind", "ects", "basis", "decided_on", "decided_by", "reason")
    return all(getattr(a, name) == getattr(b, name) for name in fields)


class Recognition:
    """Recording and reading recognition decisions, bound to one register (decision 0024)."""

    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps

    def verify(self, document: Any) -> VerificationResult:
        """Every check, as the register's verifier runs it (other issuers' documents fetched unless offline)."""
        return Verification(self._deps).verify_document(document)

    def record(
        self,
        provider: str,
        learner_id: str,
        document: Any,
        values: Mapping[str, Any],
        *,
        learner_scheme: LearnerScheme | str | None = None,
    ) -> tuple[RecognitionDecision, bool]:
        """Verify ``document`` and record the provider's decision on it; True when the decision is new.
        ``learner_scheme`` is the identifier's scheme as at enrolment (detected when not given)."""
        if not isinstance(document, dict):
            raise Invalid.field("document", "not-json-document")
        check_bounds(document)
        deps = self._deps
        pseudonym = Enrolments(deps).learner_of_provider(provider, learner_id, learner_scheme)
        result = self.verify(document)
        credential_id = document.get("id")
        try:
            given = {name: values.get(name) for name in RECOGNITION_DECISION.names}
            decision = RecognitionDecision(
                provider=provider,
                learner=pseudonym,
                credential_id=credential_id if isinstance(credential_id, str) and credential_id else "-",
                credential_digest=document_digest(document),
                issuer=_issuer(document),
                verified=_recognisable(result),
                public_id=secrets.token_hex(16),
                **{
                    name: RECOGNITION_DECISION.coerce(name, value) for name, value in given.items() if value is not None
                },
            )
        except (TypeError, ValueError) as error:
            raise Invalid.field("decision", "recognition-shape", str(error)) from None
        decision.validate()
        with self._deps.uow() as work:
            found = work.recognition.find_same(provider, pseudonym, decision.credential_digest, decision.recognised_for)
            if found is not None:
                if _same(found, decision):
                    return found, False
                raise Conflict("recognition-exists", decision=found.public_id)
            work.recognition.add(decision)
            work.commit()
        return decision, True

    def get(self, provider: str, public_id: str) -> RecognitionDecision:
        with self._deps.uow() as work:
            return work.recognition.get(provider, public_id)

    def signed(self, provider: str, public_id: str, *, lang: str = "nl") -> dict[str, Any]:
        """A recognised decision as an OpenBadgeCredential signed by the deciding provider (made on request)."""
        deps = self._deps
        with deps.uow() as work:
            decision = work.recognition.get(provider, public_id)
            if decision.outcome is not RecognitionOutcome.RECOGNISED:
                raise Conflict("recognition-refused-no-credential")
            now = deps.clock()
            signing_key, method = deps.keys.signing_key(work, provider, now)
            award = RecognitionAward(
                decision=decision,
                provider_name=work.providers.get(provider).name,
                issuer_did=deps.keys.did(provider),
                public_base_url=deps.public_base_url,
                learner=LearnerIdentity(
                    salt=secrets.token_hex(16),
                    email=work.learners.email_of(decision.learner, provider),
                    pseudonym=decision.learner,
                ),
                issued_at=now,
                lang=lang,
            )
            work.commit()  # a provider's first key is made and kept here
        return sign_open_badge(recognition_document(award), signing_key=signing_key, verification_method=method,
                               created=now)  # fmt: skip

    def decisions(self, provider: str) -> list[RecognitionDecision]:
        with self._deps.uow() as work:
            work.providers.id_of(provider)
            return work.recognition.of_provider(provider)

    def decisions_of_grants(self, grants: frozenset[tuple[str, str]]) -> list[RecognitionDecision]:
        """The decisions a learner's wallet grants open: made by a provider on the pseudonym it knows."""
        with self._deps.uow() as work:
            found = work.recognition.of_learners(sorted({pseudonym for pseudonym, _ in grants}))
        return [decision for decision in found if (decision.learner, decision.provider) in grants]
