"""The values the OpenID4VCI modules share: lifetimes, the refusal in the specs' words, what the wallet page
shows of an offer and what the token endpoint grants, and the secrets derived from an offer's id.

Kept apart from the flows (``oid4vci``, ``oid4vci_authorization``, ``oid4vci_deferred``) so each of them can
use these without importing the others; ``services.oid4vci`` still exports every name here.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from microcred.errors import MicrocredError
from microcred.services.oid4vci_metadata import TX_CODE_LENGTH
from microcred.services.ports import OfferRecord

__all__ = [
    "DEFERRED_INTERVAL",
    "MAX_TX_CODE_ATTEMPTS",
    "NONCE_LIFETIME",
    "OFFER_LIFETIME",
    "TOKEN_LIFETIME",
    "AccessGrant",
    "Offer",
    "Oid4vciError",
    "credential_identifier",
    "offered_ids",
    "pre_authorized_code",
    "sha256_hex",
    "tx_code",
]

OFFER_LIFETIME = timedelta(minutes=10)
TOKEN_LIFETIME = timedelta(minutes=5)
NONCE_LIFETIME = timedelta(minutes=5)
DEFERRED_INTERVAL = 3600
"""Seconds a wallet waits before asking again for a credential not issued yet (OID4VCI 1.0 §8.3): hours, not
seconds, for a provider issues an edition in one go, often days after the outcomes (decision 0035)."""
MAX_TX_CODE_ATTEMPTS = 5
"""PINs an offer lets a wallet try, the right one included: after five wrong ones it is closed for good (the
learner makes a new offer). Counted before the PIN is compared, so parallel guesses get no more tries."""


class Oid4vciError(MicrocredError):
    """A refusal in OAuth's or OID4VCI's own words: ``error`` is the spec's code (``invalid_grant``, …),
    the reason code says why in the catalogue's words (the ``error_description``)."""

    code = "oid4vci"

    def __init__(self, reason: str, /, *, error: str, status: int = 400, **params: Any) -> None:
        super().__init__(reason, **params)
        self.error = error
        self.status = status


@dataclass(frozen=True, slots=True)
class Offer:
    """An open offer of one credential, as the wallet page shows it: by-reference URI, PIN and deadline."""

    public_id: str
    credential_uuid: str
    uri: str  # openid-credential-offer://?credential_offer_uri=…
    tx_code: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class AccessGrant:
    access_token: str
    expires_in: int
    authorization_details: list[dict[str, Any]] | None = None  # the authorization code flow's, when asked so


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _derived(secret: str, purpose: str, public_id: str) -> bytes:
    return hmac.new(secret.encode("utf-8"), f"oid4vci-{purpose}:{public_id}".encode(), hashlib.sha256).digest()


def credential_identifier(configuration: str, credential_uuid: str) -> str:
    """The ``credential_identifiers`` value of an approved credential in one configuration (OID4VCI 1.0 §6.2)."""
    return f"{configuration}/{credential_uuid}"


def offered_ids(record: OfferRecord) -> tuple[str, ...]:
    """What a credential identifier names an offer's credential by: its id, or the offer's (a pending one's)."""
    return (record.public_id,) if record.credential_uuid is None else (record.credential_uuid, record.public_id)


def pre_authorized_code(secret: str, public_id: str) -> str:
    return _derived(secret, "code", public_id).hex()


def tx_code(secret: str, public_id: str) -> str:
    """The offer's PIN: six digits, derived, never stored (a 1-in-a-million guess, five tries per offer)."""
    digits = str(int.from_bytes(_derived(secret, "pin", public_id)[:8], "big")).zfill(TX_CODE_LENGTH)
    return digits[-TX_CODE_LENGTH:]  # the last six decimal digits of 64 random bits: as good as uniform
