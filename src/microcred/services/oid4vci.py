"""OpenID for Verifiable Credential Issuance 1.0: a learner's credential into their own wallet app.

The pre-authorized code flow (§3.5): the wallet page makes an *offer* for one of the learner's own
credentials; the wallet exchanges the offer's pre-authorized code, with the transaction code (PIN) the page
shows, for a short-lived access token (§6), fetches a nonce (§7), and asks for the credential with a key
proof over that nonce (§8). Every secret is single-use or short-lived and stored only as its SHA-256. The
pre-authorized code and the PIN are HMACs of the offer's id under the session secret, so the page can show
them again while the offer is open without either being stored. Errors are OAuth's and OID4VCI's own codes
(:class:`Oid4vciError`), which the API answers with the spec's JSON bodies, not RFC 9457.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from microcred.credentials.jose import KeyProof, KeyProofError, verify_key_proof
from microcred.credentials.token_status_list import INVALID, SUSPENDED, status_list_token
from microcred.credentials.wallet_formats import holder_bound_open_badge, sd_jwt_vc, sd_jwt_vc_claims
from microcred.domain import Credential, CredentialState
from microcred.errors import Conflict, NotFound
from microcred.services import wallet
from microcred.services.dependencies import Dependencies
from microcred.services.oid4vci_deferred import open_transaction
from microcred.services.oid4vci_metadata import (
    AUTHORIZATION_CODE_GRANT,
    CONFIGURATIONS,
    LDP_VC,
    PRE_AUTHORIZED_GRANT,
    SD_JWT_VC,
    TX_CODE_LENGTH,
    token_status_list_url,
)
from microcred.services.oid4vci_values import (
    DEFERRED_INTERVAL,
    MAX_TX_CODE_ATTEMPTS,
    NONCE_LIFETIME,
    OFFER_LIFETIME,
    TOKEN_LIFETIME,
    AccessGrant,
    Offer,
    Oid4vciError,
    credential_identifier,
    offered_ids,
    pre_authorized_code,
    sha256_hex,
    tx_code,
)
from microcred.services.ports import OfferRecord, UnitOfWork

__all__ = [
    "DEFERRED_INTERVAL",
    "MAX_TX_CODE_ATTEMPTS",
    "NONCE_LIFETIME",
    "OFFER_LIFETIME",
    "TOKEN_LIFETIME",
    "AccessGrant",
    "Offer",
    "Oid4vci",
    "Oid4vciError",
    "credential_identifier",
    "offered_ids",
    "pre_authorized_code",
    "sha256_hex",
    "tx_code",
]


class Oid4vci:
    """The issuer side of OpenID4VCI, bound to one register."""

    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps

    @property
    def issuer(self) -> str:
        """The Credential Issuer Identifier: the register's public base URL."""
        return self._deps.public_base_url

    def _secret(self) -> str:
        return self._deps.session_secret

    def offer_uri(self, public_id: str) -> str:
        """The offer by reference (OID4VCI 1.0 §4.1.3), as a same-device link a wallet app opens."""
        reference = f"{self.issuer}/oid4vci/offers/{public_id}"
        return "openid-credential-offer://?credential_offer_uri=" + quote(reference, safe="")

    def _view(self, record: OfferRecord) -> Offer:
        assert record.credential_uuid is not None  # the wallet page offers issued credentials only
        uri = self.offer_uri(record.public_id)
        pin = tx_code(self._secret(), record.public_id)
        return Offer(record.public_id, record.credential_uuid, uri, pin, record.expires_at)

    # The wallet page ------------------------------------------------------------------------------------

    def create_offer(self, credential_id: str, pseudonyms: Sequence[str]) -> Offer:
        """A new offer of one of the learner's own, active credentials (another learner's is not found)."""
        credential = wallet.credential_of_learner(credential_id, pseudonyms, self._deps.uow)
        if credential.state is not CredentialState.ACTIVE:
            raise Conflict("offer-credential-not-active", state=credential.state.value)
        now = self._deps.clock()
        public_id = secrets.token_urlsafe(18)
        with self._deps.uow() as work:
            work.oid4vci.add_offer(
                credential.uuid,
                public_id=public_id,
                code_hash=sha256_hex(pre_authorized_code(self._secret(), public_id)),
                created_at=now,
                expires_at=now + OFFER_LIFETIME,
            )
            work.commit()
            record = work.oid4vci.offer(public_id)
        assert record is not None
        return self._view(record)

    def add_mailed_offer(
        self, work: UnitOfWork, credential_uuid: str | None, *, lifetime: timedelta, enrolment_id: int | None = None
    ) -> str:
        """In ``work``'s transaction: an offer of the credential (or of a passed ``enrolment_id``'s, not issued
        yet) to be e-mailed, with only the authorization code grant, and its URI. Its pre-authorized code is a
        random value nobody is told, so no code redeems it without the learner signing in (decision 0034)."""
        now = self._deps.clock()
        public_id = secrets.token_urlsafe(18)
        work.oid4vci.add_offer(
            credential_uuid,
            public_id=public_id,
            code_hash=sha256_hex(secrets.token_urlsafe(32)),
            created_at=now,
            expires_at=now + lifetime,
            mailed_at=now,
            enrolment_id=enrolment_id,
        )
        return self.offer_uri(public_id)

    def open_offers(self, credential_uuids: Sequence[str]) -> dict[str, Offer]:
        """The newest open offer of each of these credentials (the caller has checked they are the learner's)."""
        with self._deps.uow() as work:
            records = work.oid4vci.latest_offers(list(credential_uuids), self._deps.clock())
        found: dict[str, Offer] = {}
        for record in records:
            offer = self._view(record)
            found.setdefault(offer.credential_uuid, offer)
        return found

    # The wallet's requests -------------------------------------------------------------------------------

    def credential_offer(self, public_id: str) -> dict[str, Any]:
        """The Credential Offer object (§4.1.1) behind an offer's ``credential_offer_uri``, while it is open."""
        with self._deps.uow() as work:
            record = work.oid4vci.offer(public_id)
        if record is None or record.authorization is not None:
            raise NotFound("offer-unknown")  # an approved authorization request is no offer
        if record.redeemed_at is not None or record.expires_at <= self._deps.clock():
            raise NotFound("offer-unknown")
        grants: dict[str, Any] = {}
        if record.mailed_at is None:  # a mailed offer has no PIN to go with a code (decision 0034)
            grants[PRE_AUTHORIZED_GRANT] = {
                "pre-authorized_code": pre_authorized_code(self._secret(), public_id),
                "tx_code": {"input_mode": "numeric", "length": TX_CODE_LENGTH},
            }
        # or the learner signs in and approves (services/oid4vci_authorization.py): the offer's id ties the
        # wallet's authorization request to this credential (OID4VCI 1.0 §4.1.1)
        grants[AUTHORIZATION_CODE_GRANT] = {"issuer_state": public_id}
        return {
            "credential_issuer": self.issuer,
            "credential_configuration_ids": list(CONFIGURATIONS),
            "grants": grants,
        }

    def exchange_code(self, form: Mapping[str, str]) -> AccessGrant:
        """The token endpoint (§6) for the pre-authorized code grant: every PIN tried counts against the offer."""
        if form.get("grant_type") != PRE_AUTHORIZED_GRANT:
            raise Oid4vciError("grant-type-unsupported", error="unsupported_grant_type")
        code, pin = form.get("pre-authorized_code") or "", form.get("tx_code")
        if not code:
            raise Oid4vciError("pre-authorized-code-missing", error="invalid_request")
        if not pin:
            raise Oid4vciError("tx-code-missing", error="invalid_request")
        now = self._deps.clock()
        with self._deps.uow() as work:  # the attempt is counted, and kept, before the PIN is compared
            record = work.oid4vci.offer_by_code(sha256_hex(code))
            if record is None or record.authorization is not None or record.mailed_at is not None:
                raise Oid4vciError("pre-authorized-code-invalid", error="invalid_grant")
            if not work.oid4vci.take_attempt(record.id, now, max_attempts=MAX_TX_CODE_ATTEMPTS):
                raise Oid4vciError("pre-authorized-code-invalid", error="invalid_grant")
            work.commit()
        if not hmac.compare_digest(pin, tx_code(self._secret(), record.public_id)):
            raise Oid4vciError("tx-code-wrong", error="invalid_grant")
        with self._deps.uow() as work:
            if not work.oid4vci.redeem_offer(record.id, now):
                raise Oid4vciError("pre-authorized-code-invalid", error="invalid_grant")  # lost a race
            token = secrets.token_urlsafe(32)
            work.oid4vci.add_token(record.id, token_hash=sha256_hex(token), expires_at=now + TOKEN_LIFETIME)
            work.commit()
        return AccessGrant(token, int(TOKEN_LIFETIME.total_seconds()))

    def new_nonce(self) -> str:
        """A fresh ``c_nonce`` (§7): single-use, good for NONCE_LIFETIME."""
        nonce = secrets.token_urlsafe(24)
        now = self._deps.clock()
        with self._deps.uow() as work:
            work.oid4vci.add_nonce(sha256_hex(nonce), expires_at=now + NONCE_LIFETIME, now=now)
            work.commit()
        return nonce

    def issue(self, access_token: str, request: Mapping[str, Any]) -> dict[str, Any]:
        """The credential endpoint (§8): check the token, the request and the key proof, then sign."""
        now = self._deps.clock()
        with self._deps.uow() as work:
            record = work.oid4vci.offer_of_token(sha256_hex(access_token), now)
        if record is None:
            raise Oid4vciError("access-token-invalid", error="invalid_token", status=401)
        configuration = _requested_configuration(record, request)
        proof = self._key_proof(request, now)
        if record.credential_uuid is None:  # a passed enrolment's credential the provider has not issued yet
            return open_transaction(self._deps, record, access_token, configuration, proof.jwk, now)
        with self._deps.uow() as work:
            credential = work.credentials.get(record.credential_uuid)
            if credential.state is not CredentialState.ACTIVE:
                raise Oid4vciError("offer-credential-not-active", error="credential_request_denied")
            issued = self.render(work, credential, configuration, proof, now)
            if record.via_offer_id is not None:  # a mailed offer is used once its credential went out
                work.oid4vci.use_mailed_offer(record.via_offer_id, now)
                work.commit()
        return {"credentials": [{"credential": issued}]}

    def _key_proof(self, request: Mapping[str, Any], now: datetime) -> KeyProof:
        proofs = request.get("proofs")
        if isinstance(proofs, Mapping) and set(proofs) == {"jwt"} and isinstance(proofs["jwt"], list):
            jwts = proofs["jwt"]
        elif isinstance(request.get("proof"), Mapping) and request["proof"].get("proof_type") == "jwt":
            jwts = [request["proof"].get("jwt")]  # the draft-13 form some wallets still send
        else:
            raise Oid4vciError("proof-missing", error="invalid_proof")
        if len(jwts) != 1 or not isinstance(jwts[0], str):
            raise Oid4vciError("proof-one-only", error="invalid_proof")  # no batch issuance advertised
        try:
            proof = verify_key_proof(jwts[0], audience=self.issuer, now=now, max_age=NONCE_LIFETIME)
        except KeyProofError as error:
            raise Oid4vciError(
                "proof-refused", error="invalid_nonce" if error.nonce else "invalid_proof", why=error.reason
            ) from None
        with self._deps.uow() as work:
            spent = work.oid4vci.spend_nonce(sha256_hex(proof.nonce), now)
            work.commit()
        if not spent:
            raise Oid4vciError("nonce-invalid", error="invalid_nonce")
        return proof

    def render(
        self, work: UnitOfWork, credential: Credential, configuration: str, proof: KeyProof, now: datetime
    ) -> Any:
        """The credential in ``configuration``'s format, bound to the proof's key and signed now."""
        provider = credential.provider
        document = json.loads(credential.document_json)
        signing_key, method = self._deps.keys.signing_key(work, provider, now)
        if configuration == LDP_VC:
            return holder_bound_open_badge(
                document, proof.did, signing_key=signing_key, verification_method=method, created=now
            )
        assert configuration == SD_JWT_VC
        status = document.get("credentialStatus")
        entry = status[0] if isinstance(status, list) else status
        claims = sd_jwt_vc_claims(
            document,
            issuer=self._deps.keys.did(provider),
            status_list_uri=token_status_list_url(self.issuer, provider),
            # the Token Status List is one per provider: the credential's provider-wide position (decision 0021)
            index=work.credentials.list_position(provider, credential.status_list, int(entry["statusListIndex"])),
        )
        return sd_jwt_vc(
            claims, holder_jwk=proof.jwk, signing_key=signing_key, verification_method=method, issued_at=now
        )

    def token_status_list(self, provider: str) -> str:
        """The provider's Token Status List, from the credentials' states (the message list's bits)."""
        now = self._deps.clock()
        # One token list per provider over every bitstring list's block (decision 0021): a flagged
        # credential's provider-wide position is its list's first position plus its revocation index.
        statuses: dict[int, int] = {}
        with self._deps.uow() as work:
            numbers = work.credentials.status_list_numbers(provider)
            size = self._deps.settings.status_list_size
            for number in numbers:
                first = work.credentials.list_position(provider, number, 0)  # one look-up per list, not per bit
                for flag in work.credentials.status_flags(provider, number):
                    statuses[first + flag.revocation_index] = INVALID if flag.revoked else SUSPENDED
            if numbers:
                last = numbers[-1]
                size = work.credentials.list_position(provider, last, 0) + work.credentials.status_list_size(
                    provider, last
                )
            signing_key, method = self._deps.keys.signing_key(work, provider, now)
        return status_list_token(
            statuses,
            size,
            uri=token_status_list_url(self.issuer, provider),
            issued_at=now,
            signing_key=signing_key,
            verification_method=method,
        )


def _requested_configuration(record: OfferRecord, request: Mapping[str, Any]) -> str:
    """The configuration a credential request asks for, within what its access token allows: by
    ``credential_identifier`` when the token response listed identifiers, else ``credential_configuration_id``
    (OID4VCI 1.0 §8.2); an authorization code's token covers only the configurations the learner approved."""
    binding = record.authorization
    if binding is not None and binding.with_details:
        identifier = request.get("credential_identifier")
        if "credential_configuration_id" in request or not isinstance(identifier, str):
            raise Oid4vciError("credential-identifier-required", error="invalid_credential_request")
        for approved in binding.configurations:
            if identifier in {credential_identifier(approved, offered) for offered in offered_ids(record)}:
                return approved
        raise Oid4vciError("credential-identifier-unknown", error="unknown_credential_identifier")
    configuration = request.get("credential_configuration_id")
    if not isinstance(configuration, str) or configuration not in CONFIGURATIONS:
        raise Oid4vciError("configuration-unknown", error="unknown_credential_configuration")
    if binding is not None and configuration not in binding.configurations:
        raise Oid4vciError("configuration-not-approved", error="insufficient_scope", status=403)
    return configuration
