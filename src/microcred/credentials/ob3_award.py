"""What one issued Open Badges 3.0 credential says, gathered by the issuing service (:class:`Award`).

Plain values, apart from :mod:`.ob3` which writes them as a document, so that module stays one job long.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from microcred.domain import Edition, Enrolment, Offering, Provider, StatusPurpose

__all__ = ["Award", "LearnerIdentity", "StatusEntry"]


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
