"""The authorization code flow of OpenID4VCI 1.0 (§3.4, §5.1): a signed-in learner approves a wallet's request.

A wallet sends the learner's browser to ``/oid4vci/authorize`` (RFC 6749 §4.1.1) with PKCE S256 (RFC 7636),
asking by ``scope`` or ``authorization_details`` for credential configurations, perhaps with the
``issuer_state`` of an offer. The learner, signed in the way the wallet page signs them in, sees what is asked
and picks one of their own active credentials; the approval makes a code that lives two minutes, works once,
and is bound to the client, its redirect URI, the PKCE challenge and the approved configurations. The token
endpoint then trades it, with the ``code_verifier``, for an access token like the pre-authorized code's.

The register keeps no client registry: any wallet is a public client (decision 0033). So the redirect URI
must be https, http on 127.0.0.1 (RFC 8252 §7.3; ``[::1]`` cannot be named in a CSP) or a private-use
scheme in reverse-domain form (RFC 8252 §7.1); until it has been checked, no refusal is sent to it
(RFC 6749 §4.1.2.1: no open redirect).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from microcred.domain import CredentialState, LangText, Outcome
from microcred.domain.records import AuthorizationBinding, OfferRecord
from microcred.errors import NotFound
from microcred.services import wallet
from microcred.services.dependencies import Dependencies
from microcred.services.oid4vci import (
    TOKEN_LIFETIME,
    AccessGrant,
    Oid4vci,
    Oid4vciError,
    credential_identifier,
    offered_ids,
    sha256_hex,
)
from microcred.services.oid4vci_metadata import AUTHORIZATION_CODE_GRANT, CONFIGURATIONS, SCOPES

__all__ = [
    "CODE_LIFETIME",
    "AuthorizationRedirect",
    "AuthorizationRequest",
    "Oid4vciAuthorization",
    "PendingEntry",
]

CODE_LIFETIME = timedelta(minutes=2)
_PRIVATE_SCHEME = re.compile(r"^[a-z][a-z0-9+\-]*\.[a-z0-9+\-.]+$")  # reverse domain: com.example.wallet
_PKCE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")  # RFC 7636 §4.1 code_verifier; an S256 challenge is 43
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$")  # no user info, nothing a CSP source could not hold
_CLIENT_ID = re.compile(r"^[\x21-\x7e]{1,255}$")


class AuthorizationRedirect(Oid4vciError):
    """A refusal the wallet hears at its redirect URI (RFC 6749 §4.1.2.1), which was checked first."""

    def __init__(self, reason: str, /, *, error: str, location: str, **params: Any) -> None:
        super().__init__(reason, error=error, status=303, **params)
        self.location = location


@dataclass(frozen=True, slots=True)
class PendingEntry:
    """An offered credential the provider has not issued yet (a passed enrolment, decision 0035), as the
    approval page lists it: the wallet's credential request will be deferred until it is issued."""

    offer_id: str
    enrolment_id: int
    title: LangText
    provider_name: LangText

    @property
    def choice(self) -> str:
        """The value the approval form sends for it."""
        return f"pending:{self.offer_id}"


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    """A checked authorization request, as the approval page shows it: who asks, for which configurations,
    and which of the learner's own active credentials it may approve (one, with an ``issuer_state``)."""

    client_id: str
    redirect_uri: str
    state: str | None
    code_challenge: str
    configurations: tuple[str, ...]
    with_details: bool
    choices: tuple[wallet.WalletEntry | PendingEntry, ...]

    @property
    def redirect_host(self) -> str:
        """Where the approval goes: the host (or the private-use scheme) the learner should recognise."""
        parts = urlsplit(self.redirect_uri)
        return parts.netloc or f"{parts.scheme}:"

    @property
    def redirect_origin(self) -> str:
        """The redirect URI's origin as a CSP source (``https://host:port`` or ``scheme:``), for the page's
        ``form-action``: the browser checks the approval's redirect against it."""
        parts = urlsplit(self.redirect_uri)
        return f"{parts.scheme}://{parts.netloc}" if parts.netloc else f"{parts.scheme}:"


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


def _checked_redirect_uri(value: str) -> str:
    """The redirect URI if a public client may use it (decision 0033); otherwise a refusal shown on the page."""
    parts = urlsplit(value)
    secure = parts.scheme == "https" and bool(_HOST.match(parts.netloc))
    loopback = parts.scheme == "http" and bool(_HOST.match(parts.netloc)) and parts.hostname == "127.0.0.1"
    private = bool(_PRIVATE_SCHEME.match(parts.scheme)) and not parts.netloc
    if len(value) > 2000 or parts.fragment or "#" in value or not (secure or loopback or private):
        raise Oid4vciError("redirect-uri-refused", error="invalid_request")
    return value


class Oid4vciAuthorization:
    """The authorization endpoint's checks and approval, and the token endpoint for both grants."""

    def __init__(self, deps: Dependencies, issuance: Oid4vci) -> None:
        self._deps = deps
        self._issuance = issuance

    def _location(self, redirect_uri: str, state: str | None, **values: str) -> str:
        query = {**values, **({"state": state} if state is not None else {}), "iss": self._issuance.issuer}
        return redirect_uri + ("&" if urlsplit(redirect_uri).query else "?") + urlencode(query)

    def request(self, params: Mapping[str, str], pseudonyms: Sequence[str]) -> AuthorizationRequest:
        """Check an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OID4VCI 1.0 §5.1) for this learner."""
        client_id, redirect_uri = params.get("client_id") or "", params.get("redirect_uri") or ""
        if not _CLIENT_ID.match(client_id):
            raise Oid4vciError("client-id-missing", error="invalid_request")
        redirect_uri = _checked_redirect_uri(redirect_uri)
        state = params.get("state")

        def back(error: str) -> str:
            return self._location(redirect_uri, state, error=error)

        if params.get("response_type") != "code":
            raise AuthorizationRedirect(
                "response-type-unsupported",
                error="unsupported_response_type",
                location=back("unsupported_response_type"),
            )
        challenge = params.get("code_challenge") or ""
        if params.get("code_challenge_method") != "S256" or not _PKCE.match(challenge) or len(challenge) != 43:
            raise AuthorizationRedirect("pkce-required", error="invalid_request", location=back("invalid_request"))
        if params.get("resource") not in (None, self._issuance.issuer):
            raise AuthorizationRedirect("resource-unknown", error="invalid_target", location=back("invalid_target"))
        configurations, with_details = self._asked_configurations(params, back)
        choices = self._choices(params.get("issuer_state"), pseudonyms, back)
        return AuthorizationRequest(
            client_id, redirect_uri, state, challenge, configurations, with_details, tuple(choices)
        )

    def _asked_configurations(
        self, params: Mapping[str, str], back: Callable[[str], str]
    ) -> tuple[tuple[str, ...], bool]:
        """The configurations asked for, by ``authorization_details`` (RFC 9396) or else by ``scope``."""
        if params.get("authorization_details"):
            try:
                details = json.loads(params["authorization_details"])
            except ValueError:
                raise AuthorizationRedirect(
                    "authorization-details-invalid",
                    error="invalid_authorization_details",
                    location=back("invalid_authorization_details"),
                ) from None
            if not isinstance(details, list) or not details:
                raise AuthorizationRedirect(
                    "authorization-details-invalid",
                    error="invalid_authorization_details",
                    location=back("invalid_authorization_details"),
                )
            asked = []
            for detail in details:
                if not isinstance(detail, dict) or detail.get("type") != "openid_credential":
                    raise AuthorizationRedirect(
                        "authorization-details-invalid",
                        error="invalid_authorization_details",
                        location=back("invalid_authorization_details"),
                    )
                if detail.get("credential_configuration_id") not in CONFIGURATIONS:
                    raise AuthorizationRedirect(
                        "authorization-details-invalid",
                        error="invalid_authorization_details",
                        location=back("invalid_authorization_details"),
                    )
                asked.append(detail["credential_configuration_id"])
            return tuple(dict.fromkeys(asked)), True
        by_scope = {scope: configuration for configuration, scope in SCOPES.items()}
        scopes = (params.get("scope") or "").split()
        if not scopes or any(scope not in by_scope for scope in scopes):
            raise AuthorizationRedirect("oauth-scope-unknown", error="invalid_scope", location=back("invalid_scope"))
        return tuple(dict.fromkeys(by_scope[scope] for scope in scopes)), False

    def _choices(
        self, issuer_state: str | None, pseudonyms: Sequence[str], back: Callable[[str], str]
    ) -> Sequence[wallet.WalletEntry | PendingEntry]:
        """The learner's own active credentials; with an ``issuer_state``, only the one its offer is of, which
        may be a passed enrolment's credential not issued yet."""
        own = [
            entry
            for entry in wallet.credentials_of_learners(pseudonyms, self._deps.uow, secret=self._deps.session_secret)
            if entry.credential.state is CredentialState.ACTIVE
        ]
        if issuer_state is None:
            return own
        with self._deps.uow() as work:
            offer = work.oid4vci.offer(issuer_state)
        used = offer is not None and offer.mailed_at is not None and offer.redeemed_at is not None
        if offer is None or offer.authorization is not None or used or offer.expires_at <= self._deps.clock():
            raise AuthorizationRedirect(
                "issuer-state-invalid", error="invalid_request", location=back("invalid_request")
            )
        if offer.credential_uuid is None:
            pending = self._pending(offer.public_id, offer.enrolment_id, pseudonyms)
            if pending is None:  # another learner's, or no longer passed: the same answer as an unknown one
                raise AuthorizationRedirect(
                    "issuer-state-invalid", error="invalid_request", location=back("invalid_request")
                )
            return [pending]
        offered: list[wallet.WalletEntry | PendingEntry]
        offered = [entry for entry in own if entry.credential.uuid == offer.credential_uuid]
        if not offered:  # another learner's offer: the same answer as an unknown one
            raise AuthorizationRedirect(
                "issuer-state-invalid", error="invalid_request", location=back("invalid_request")
            )
        return offered

    def _pending(self, public_id: str, enrolment_id: int | None, pseudonyms: Sequence[str]) -> PendingEntry | None:
        """The offered passed enrolment as a choice, if it is this learner's (their grants) and still passed."""
        with self._deps.uow() as work:
            enrolment = None if enrolment_id is None else work.deferred.enrolment(enrolment_id)
            if enrolment is None or enrolment.outcome != Outcome.PASSED.value:
                return None
            if (enrolment.learner, enrolment.provider) not in wallet.grants_of(pseudonyms):
                return None
            title = work.offerings.get(enrolment.provider, enrolment.offering_code).title
            name = work.providers.get(enrolment.provider).name
        return PendingEntry(public_id, enrolment.enrolment_id, title, name)

    def approve(self, params: Mapping[str, str], pseudonyms: Sequence[str], credential_id: str) -> str:
        """The learner's approval of one of the request's choices: a new code, sent to the redirect URI."""
        asked = self.request(params, pseudonyms)
        chosen = [entry for entry in asked.choices if entry.choice == credential_id]
        if len(chosen) != 1:
            raise NotFound("credential-unknown")
        [entry] = chosen
        credential_uuid = entry.credential.uuid if isinstance(entry, wallet.WalletEntry) else None
        binding = AuthorizationBinding(
            asked.client_id, asked.redirect_uri, asked.code_challenge, asked.configurations, asked.with_details
        )
        code, now = secrets.token_urlsafe(32), self._deps.clock()
        with self._deps.uow() as work:
            work.oid4vci.add_authorization(
                credential_uuid,
                binding,
                public_id=secrets.token_urlsafe(18),
                code_hash=sha256_hex(code),
                created_at=now,
                expires_at=now + CODE_LIFETIME,
                enrolment_id=None if isinstance(entry, wallet.WalletEntry) else entry.enrolment_id,
                via_offer=params.get("issuer_state"),
            )
            work.commit()
        return self._location(asked.redirect_uri, asked.state, code=code)

    def deny(self, params: Mapping[str, str], pseudonyms: Sequence[str]) -> str:
        """The learner said no: ``access_denied`` at the (checked) redirect URI."""
        asked = self.request(params, pseudonyms)
        return self._location(asked.redirect_uri, asked.state, error="access_denied")

    # The token endpoint ------------------------------------------------------------------------------------

    def token(self, form: Mapping[str, str]) -> AccessGrant:
        """The token endpoint (OID4VCI 1.0 §6) for either grant the metadata names."""
        if form.get("grant_type") != AUTHORIZATION_CODE_GRANT:
            return self._issuance.exchange_code(form)
        code, verifier = form.get("code") or "", form.get("code_verifier") or ""
        if not code or not form.get("client_id") or not form.get("redirect_uri"):
            raise Oid4vciError("authorization-code-request-incomplete", error="invalid_request")
        if not verifier:
            raise Oid4vciError("code-verifier-missing", error="invalid_request")
        now = self._deps.clock()
        with self._deps.uow() as work:  # the code is spent before it is checked: a wrong guess uses it up
            record = work.oid4vci.offer_by_code(sha256_hex(code))
            if record is None or record.authorization is None:
                raise Oid4vciError("authorization-code-invalid", error="invalid_grant")
            if not work.oid4vci.redeem_offer(record.id, now):
                work.oid4vci.end_tokens(record.id)  # a reused code ends what it gave (RFC 6749 §4.1.2)
                work.commit()
                raise Oid4vciError("authorization-code-invalid", error="invalid_grant")
            work.commit()
        self._check_binding(record, form, verifier)
        token = secrets.token_urlsafe(32)
        with self._deps.uow() as work:
            work.oid4vci.add_token(record.id, token_hash=sha256_hex(token), expires_at=now + TOKEN_LIFETIME)
            work.commit()
        return AccessGrant(token, int(TOKEN_LIFETIME.total_seconds()), _token_details(record))

    @staticmethod
    def _check_binding(record: OfferRecord, form: Mapping[str, str], verifier: str) -> None:
        """RFC 6749 §4.1.3: the same client and redirect URI; RFC 7636 §4.6: the verifier matches."""
        binding = record.authorization
        assert binding is not None
        if form.get("client_id") != binding.client_id or form.get("redirect_uri") != binding.redirect_uri:
            raise Oid4vciError("authorization-code-not-yours", error="invalid_grant")
        if not _PKCE.match(verifier) or not hmac.compare_digest(_s256(verifier), binding.code_challenge):
            raise Oid4vciError("code-verifier-wrong", error="invalid_grant")


def _token_details(record: OfferRecord) -> list[dict[str, Any]] | None:
    """The token response's ``authorization_details`` (OID4VCI 1.0 §6.2), when the request used them."""
    binding = record.authorization
    if binding is None or not binding.with_details:
        return None
    return [
        {
            "type": "openid_credential",
            "credential_configuration_id": configuration,
            "credential_identifiers": [credential_identifier(configuration, offered_ids(record)[0])],
        }
        for configuration in binding.configurations
    ]
