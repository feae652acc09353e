"""The Deferred Credential Endpoint of OpenID4VCI 1.0 (§9): a wallet collects a credential that was offered
before the provider issued it (decision 0035).

A passed enrolment without a credential can be offered like a credential (the desk mails such offers). The
wallet's credential request then gets a *transaction* (202, ``transaction_id`` and ``interval``) instead of a
credential, kept with the access token's hash, the configuration asked and the public key the request's key
proof proved. Whenever the provider issues the edition (desk, API, CLI or bulk job: all write the enrolment's
credential), the next deferred request returns that credential bound to that key, in that format, once. Until
then it answers 202 again; an enrolment no longer passed is ``credential_request_denied``; a transaction
delivered, expired, unknown or not the bearer's is ``invalid_transaction_id``.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from microcred.credentials.jose import KeyProof, holder_did
from microcred.domain import CredentialState, Outcome
from microcred.domain.records import DeferredRecord
from microcred.services.dependencies import Dependencies
from microcred.services.oid4vci_values import DEFERRED_INTERVAL, Oid4vciError, sha256_hex
from microcred.services.ports import OfferRecord, UnitOfWork

if TYPE_CHECKING:
    from microcred.services.oid4vci import Oid4vci  # which imports this module for open_transaction

__all__ = ["DeferredCredentials", "open_transaction"]


def open_transaction(
    deps: Dependencies,
    record: OfferRecord,
    access_token: str,
    configuration: str,
    holder_jwk: Mapping[str, str],
    now: datetime,
) -> dict[str, Any]:
    """The credential endpoint's answer for an offer whose credential is not issued yet (§8.3, sent with 202):
    a new transaction, kept with the token's hash, the configuration and the proved key, for :meth:`collect`."""
    assert record.enrolment_id is not None
    transaction_id = secrets.token_urlsafe(32)
    with deps.uow() as work:
        enrolment = work.deferred.enrolment(record.enrolment_id)
        if enrolment is None or enrolment.outcome != Outcome.PASSED.value:
            raise Oid4vciError("deferred-not-issued", error="credential_request_denied")
        work.deferred.add(
            transaction_hash=sha256_hex(transaction_id),
            token_hash=sha256_hex(access_token),
            enrolment_id=record.enrolment_id,
            configuration=configuration,
            holder_jwk=json.dumps(dict(holder_jwk), sort_keys=True),
            created_at=now,
            expires_at=now + timedelta(days=deps.settings.deferred_transaction_days),
        )
        work.commit()
    return {"transaction_id": transaction_id, "interval": DEFERRED_INTERVAL}


def _use_mailed_offer(work: UnitOfWork, transaction: DeferredRecord, now: datetime) -> None:
    """The mailed offer the transaction's approval came from is used now that its credential went out."""
    offer = work.oid4vci.offer_of_token(transaction.token_hash, transaction.created_at)
    if offer is not None and offer.via_offer_id is not None:
        work.oid4vci.use_mailed_offer(offer.via_offer_id, now)


class DeferredCredentials:
    """The deferred credential endpoint, bound to one register's issuer."""

    def __init__(self, deps: Dependencies, issuance: Oid4vci) -> None:
        self._deps = deps
        self._issuance = issuance

    def collect(self, access_token: str, request: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        """The Deferred Credential Response (§9.2) and its HTTP status: 200 with the credential, or 202 with
        the same ``transaction_id`` and an ``interval`` while the provider has not issued it."""
        transaction_id = request.get("transaction_id")
        given = isinstance(transaction_id, str) and bool(transaction_id)
        now = self._deps.clock()
        with self._deps.uow() as work:  # one transaction per poll: a waiting wallet asks every hour
            transaction = work.deferred.get(sha256_hex(str(transaction_id))) if given else None
            _check_bearer(work, transaction, access_token, now)  # first: a stranger hears its token is no token
            if not given:
                raise Oid4vciError("transaction-id-missing", error="invalid_credential_request")
            if transaction is None or transaction.delivered_at is not None or transaction.expires_at <= now:
                raise Oid4vciError("transaction-id-invalid", error="invalid_transaction_id")
            enrolment = work.deferred.enrolment(transaction.enrolment_id)
            if enrolment is None or enrolment.outcome != Outcome.PASSED.value:  # withdrawn, failed: not issued
                raise Oid4vciError("deferred-not-issued", error="credential_request_denied")
            if enrolment.credential_uuid is None:
                return 202, {"transaction_id": transaction_id, "interval": DEFERRED_INTERVAL}
            credential = work.credentials.get(enrolment.credential_uuid)
            if credential.state is not CredentialState.ACTIVE:
                raise Oid4vciError("offer-credential-not-active", error="credential_request_denied")
            if not work.deferred.deliver(transaction.id, now):  # a second request raced this one and won
                raise Oid4vciError("transaction-id-invalid", error="invalid_transaction_id")
            jwk = json.loads(transaction.holder_jwk)
            proof = KeyProof(jwk, holder_did(jwk), "")  # the key the original credential request proved
            issued = self._issuance.render(work, credential, transaction.configuration, proof, now)
            _use_mailed_offer(work, transaction, now)
            work.commit()
        return 200, {"credentials": [{"credential": issued}]}


def _check_bearer(work: UnitOfWork, transaction: DeferredRecord | None, access_token: str, now: datetime) -> None:
    """The bearer must be the access token the transaction was given to (it stays good here, for this
    transaction, after its five minutes, unless it was ended: a reused authorization code ends it), or a live
    token of an offer of the same enrolment that covers the configuration. A token of another learner,
    enrolment or provider hears ``invalid_transaction_id``, as for an unknown id: it learns nothing."""
    token_hash = sha256_hex(access_token)
    if transaction is not None and token_hash == transaction.token_hash:
        if work.oid4vci.offer_of_token(token_hash, transaction.created_at) is None:
            raise Oid4vciError("access-token-invalid", error="invalid_token", status=401)
        return
    offer = work.oid4vci.offer_of_token(token_hash, now)
    if offer is None:
        raise Oid4vciError("access-token-invalid", error="invalid_token", status=401)
    binding = offer.authorization
    if transaction is not None and (
        offer.enrolment_id != transaction.enrolment_id
        or (binding is not None and transaction.configuration not in binding.configurations)
    ):
        raise Oid4vciError("transaction-id-invalid", error="invalid_transaction_id")
