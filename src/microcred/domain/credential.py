"""Awarded credentials: what the register issued to whom, where its status bits are, and its state.

A credential is issued once per enrolment; it can be suspended (and unsuspended) or revoked (for good).
Each state change carries a reason a person wrote and the time it happened; the signed document itself
never changes — the provider's status lists say whether it still stands.
"""

from __future__ import annotations

import json
import uuid as uuid_module
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal, get_args

from microcred.errors import Conflict, Invalid

__all__ = [
    "MAX_REASON_LENGTH",
    "TRUST_DATES",
    "Credential",
    "CredentialState",
    "IssuerKey",
    "StatusFlag",
    "StatusPurpose",
    "TrustDate",
    "credential_urn",
]

TrustDate = Literal["both", "created", "valid-from"]
"""Which day(s) the issuer must have been a trusted provider: the proofs' ``created``, ``validFrom``, or both."""
TRUST_DATES: tuple[TrustDate, ...] = get_args(TrustDate)

MAX_REASON_LENGTH = 500


class StatusPurpose(StrEnum):
    """The Bitstring Status Lists every provider keeps (W3C Bitstring Status List v1.0 §2.1).

    A credential has one index in the revocation list and one in the suspension list. The message list
    holds two bits per credential at its revocation index (0x0 valid, 0x1 suspended, 0x2 revoked), so one
    ``credentialStatus`` entry carries both states, as the OB 3.0 schema wants (decision 0015).
    """

    REVOCATION = "revocation"
    SUSPENSION = "suspension"
    MESSAGE = "message"

    @property
    def indexed(self) -> bool:
        """Whether each credential takes its own index in this list (the message list reuses revocation's)."""
        return self is not StatusPurpose.MESSAGE


class CredentialState(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


def credential_urn(value: str | None = None) -> str:
    """``urn:uuid:<uuid4>``: a fresh credential id, or the canonical form of a given uuid / urn."""
    if value is None:
        return f"urn:uuid:{uuid_module.uuid4()}"
    text = value.strip().removeprefix("urn:uuid:")
    try:
        return f"urn:uuid:{uuid_module.UUID(text)}"
    except ValueError:
        raise Invalid.field("credential", "credential-id-format", value) from None


def _reason(reason: str) -> str:
    cleaned = reason.strip() if isinstance(reason, str) else ""
    if not cleaned:
        raise Invalid.field("reason", "reason-required")
    if len(cleaned) > MAX_REASON_LENGTH:
        raise Invalid.field("reason", "too-long", limit=MAX_REASON_LENGTH)
    return cleaned


@dataclass(slots=True)
class Credential:
    """One issued credential and its signed document (kept exactly as signed, as JSON text)."""

    uuid: str  # urn:uuid:…
    provider: str
    enrolment_reference: str
    offering_code: str
    edition_code: str
    learner: str  # pseudonym
    status_indexes: Mapping[StatusPurpose, int]
    issued_at: datetime
    valid_from: datetime
    valid_until: datetime | None
    public_key_multibase: str  # the signing key (its verification method is in the proof)
    document_json: str
    state: CredentialState = CredentialState.ACTIVE
    state_reason: str | None = None
    state_changed_at: datetime | None = None
    id: int | None = None
    status_list: int = 1  # which of the provider's lists ``status_indexes`` point into (1, 2, …)

    @property
    def document(self) -> dict[str, Any]:
        """A fresh parse of the signed document (``document_json`` is the byte-exact original)."""
        parsed: dict[str, Any] = json.loads(self.document_json)
        return parsed

    def is_valid_on(self, moment: datetime) -> bool:
        return self.valid_from <= moment and (self.valid_until is None or moment <= self.valid_until)

    def revoke(self, reason: str, at: datetime) -> None:
        """Revocation is final; a suspended credential may be revoked."""
        if self.state is CredentialState.REVOKED:
            raise Conflict("already-revoked", uuid=self.uuid)
        self.state, self.state_reason, self.state_changed_at = CredentialState.REVOKED, _reason(reason), at

    def suspend(self, reason: str, at: datetime) -> None:
        if self.state is not CredentialState.ACTIVE:
            raise Conflict("suspend-not-active", uuid=self.uuid, state=self.state.value)
        self.state, self.state_reason, self.state_changed_at = CredentialState.SUSPENDED, _reason(reason), at

    def unsuspend(self, reason: str, at: datetime) -> None:
        if self.state is not CredentialState.SUSPENDED:
            raise Conflict("not-suspended", uuid=self.uuid, state=self.state.value)
        self.state, self.state_reason, self.state_changed_at = CredentialState.ACTIVE, _reason(reason), at

    def status_bit(self, purpose: StatusPurpose) -> bool:
        """The bit this credential sets in the provider's list for ``purpose`` (message: any bit)."""
        if purpose is StatusPurpose.REVOCATION:
            return self.state is CredentialState.REVOKED
        if purpose is StatusPurpose.SUSPENSION:
            return self.state is CredentialState.SUSPENDED
        return self.state is not CredentialState.ACTIVE


@dataclass(frozen=True, slots=True)
class StatusFlag:
    """A credential whose bits are set in its status list: revoked, or else suspended (a stacked credential
    under review reads as suspended). Its indexes are within the list. A list's flags, read once, give the
    bits of every purpose, so re-signing a list costs what its flagged credentials cost, not its size."""

    revocation_index: int
    suspension_index: int
    revoked: bool

    def bit(self, purpose: StatusPurpose) -> int | None:
        """The bit it sets in the list for ``purpose``, if any. The message list has two bits per credential
        at its revocation index ``i``: ``2i`` says revoked, ``2i + 1`` suspended (decision 0015)."""
        if purpose is StatusPurpose.MESSAGE:
            return 2 * self.revocation_index + (not self.revoked)
        if purpose is StatusPurpose.REVOCATION:
            return self.revocation_index if self.revoked else None
        return None if self.revoked else self.suspension_index


@dataclass(frozen=True, slots=True)
class IssuerKey:
    """A provider's public signing key as published in its DID document; the private half stays sealed."""

    provider: str
    public_key_multibase: str  # z6Mk…; also the fragment of its verification method id
    created_at: datetime
    retired_at: datetime | None = None

    @property
    def is_current(self) -> bool:
        return self.retired_at is None
