"""What the register stores about its own machinery: API tokens, staff accounts, sign-in attempts,
idempotency keys, access and share links, wallet offers and requests, and jobs.

Each is declared once, here: storage builds these values from its rows and the services' ports hand
them out, so a field is added in one place (before, a Protocol in ``services.ports`` and a dataclass in
``storage`` said the same thing twice). Plain values; no rule of the register lives here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "AccessLinkRecord",
    "AuthorizationBinding",
    "DeferredRecord",
    "IdempotencyRecord",
    "JobRecord",
    "LoginAttemptRecord",
    "OfferRecord",
    "PendingEnrolmentRecord",
    "PresentationRequestRecord",
    "ShareLinkRecord",
    "StaffRecord",
    "TokenRecord",
]


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """A stored API token: never the token itself, only its lookup prefix and SHA-256 hash."""

    id: int
    prefix: str
    secret_hash: str
    provider: str | None
    is_admin: bool
    scopes: tuple[str, ...]
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class StaffRecord:
    """A staff account of one provider; its sessions end when ``session_epoch`` moves on."""

    id: int
    email: str
    provider: str
    password_hash: str
    active: bool
    session_epoch: int


@dataclass(frozen=True, slots=True)
class LoginAttemptRecord:
    failures: int
    last_failure_at: datetime
    locked_until: datetime | None


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    request_hash: str
    state: str  # "in progress" while the reserved request runs, "done" with its response
    reserved_at: datetime
    status: int | None  # the response, once done
    content_type: str | None
    body: bytes | None


@dataclass(frozen=True, slots=True)
class AccessLinkRecord:
    """A learner's access link, stored only as the hash of its secret, and whether it was opened or ended."""

    id: int
    address_key: str
    grants: tuple[str, ...]
    created_at: datetime
    expires_at: datetime
    opened_at: datetime | None
    ended_at: datetime | None


@dataclass(frozen=True, slots=True)
class ShareLinkRecord:
    """A learner's share link to one credential; the URL carries ``public_id`` signed."""

    public_id: str
    credential_uuid: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class OfferRecord:
    """An OpenID4VCI credential offer of one credential; its pre-authorized code is kept only as a hash. An
    offer of a passed enrolment has no ``credential_uuid`` until the provider issues it (decision 0035)."""

    id: int
    public_id: str
    credential_uuid: str | None
    created_at: datetime
    expires_at: datetime
    tx_code_attempts: int
    redeemed_at: datetime | None
    authorization: AuthorizationBinding | None = None  # set when a learner approved it (authorization code flow)
    mailed_at: datetime | None = None  # set when the desk e-mailed it: no pre-authorized grant (decision 0034)
    enrolment_id: int | None = None  # the enrolment whose credential is offered (the issued one's, or a pending)
    via_offer_id: int | None = None  # an approved request's: the offer whose issuer_state it came with


@dataclass(frozen=True, slots=True)
class AuthorizationBinding:
    """What an authorization code is bound to (OID4VCI 1.0 §5.1, RFC 6749 §4.1.3, RFC 7636): the client, its
    redirect URI and PKCE challenge, and the credential configurations the learner approved."""

    client_id: str
    redirect_uri: str
    code_challenge: str
    configurations: tuple[str, ...]
    with_details: bool  # asked by authorization_details: the credential request names a credential_identifier


@dataclass(frozen=True, slots=True)
class PendingEnrolmentRecord:
    """The enrolment an offer is of, as the deferred flow needs it: whose, of which edition, its outcome now,
    and its credential once the provider issued it (None before)."""

    enrolment_id: int
    provider: str
    reference: str
    learner: str  # the pseudonym
    edition_code: str
    offering_code: str
    outcome: str
    credential_uuid: str | None


@dataclass(frozen=True, slots=True)
class DeferredRecord:
    """A deferred issuance transaction of OpenID4VCI (decision 0035): the access token it was given to (hash),
    the configuration asked, and the wallet's public key from the original key proof."""

    id: int
    token_hash: str
    enrolment_id: int
    configuration: str
    holder_jwk: str  # JSON
    created_at: datetime
    expires_at: datetime
    delivered_at: datetime | None


@dataclass(frozen=True, slots=True)
class PresentationRequestRecord:
    """An OpenID4VP request of the verify page: its state and nonce, and the wallet's answer once given."""

    state: str
    nonce: str
    created_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    result: str | None


@dataclass(frozen=True, slots=True)
class JobRecord:
    """One stored job (``storage/jobs.py``): what it is, who may see it, how far it got and how it ended."""

    id: str
    kind: str
    owner: str | None
    state: str
    params: str  # JSON
    done: int
    total: int
    result: str | None  # JSON
    error: str | None  # JSON
    attempts: int
    created_at: datetime
    finished_at: datetime | None
    has_input: bool
