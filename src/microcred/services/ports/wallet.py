"""The learner's side: access links, the wallet's share links, OpenID4VCI offers and OpenID4VP requests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from microcred.domain import (
    Credential,
)
from microcred.domain.records import (
    AccessLinkRecord,
    AuthorizationBinding,
    DeferredRecord,
    OfferRecord,
    PendingEnrolmentRecord,
    PresentationRequestRecord,
    ShareLinkRecord,
)

__all__ = [
    "AccessLinkRecord",
    "AccessLinkRepository",
    "DeferredIssuanceRepository",
    "DeferredRecord",
    "LearnerAccessRepository",
    "OfferRecord",
    "Oid4vciRepository",
    "PendingEnrolmentRecord",
    "PresentationRepository",
    "PresentationRequestRecord",
    "ShareLinkRecord",
    "WalletRepository",
]


class LearnerAccessRepository(Protocol):
    def grants_for_email(self, email: str) -> list[tuple[str, str]]: ...


class AccessLinkRepository(Protocol):
    """Learners' access links and the sessions they open (``storage/access_links.py``)."""

    def add(
        self, *, secret_hash: str, address_key: str, grants: Sequence[str], created_at: datetime, expires_at: datetime
    ) -> int: ...
    def by_secret_hash(self, secret_hash: str) -> AccessLinkRecord | None: ...
    def by_id(self, link_id: int) -> AccessLinkRecord | None: ...
    def open(self, link_id: int, at: datetime) -> bool: ...
    def end_unopened(self, address_key: str, at: datetime) -> int: ...
    def end_all(self, address_key: str, at: datetime) -> int: ...


class WalletRepository(Protocol):
    """A learner's credentials by pseudonym, and their share links (``storage/wallet.py``)."""

    def credentials_of_learners(self, pseudonyms: Sequence[str]) -> list[Credential]: ...
    def add_share_link(
        self, credential_uuid: str, *, public_id: str, created_at: datetime, expires_at: datetime
    ) -> None: ...
    def share_link(self, public_id: str) -> ShareLinkRecord | None: ...
    def share_links_of(self, credential_uuids: Sequence[str]) -> Sequence[ShareLinkRecord]: ...
    def revoke_share_link(self, public_id: str, at: datetime) -> bool: ...


class Oid4vciRepository(Protocol):
    """Credential offers, access tokens and nonces of OpenID4VCI (``storage/oid4vci.py``), all by hash."""

    def add_offer(
        self,
        credential_uuid: str | None,
        *,
        public_id: str,
        code_hash: str,
        created_at: datetime,
        expires_at: datetime,
        mailed_at: datetime | None = None,
        enrolment_id: int | None = None,
    ) -> None: ...
    def add_authorization(
        self,
        credential_uuid: str | None,
        binding: AuthorizationBinding,
        *,
        public_id: str,
        code_hash: str,
        created_at: datetime,
        expires_at: datetime,
        enrolment_id: int | None = None,
        via_offer: str | None = None,
    ) -> None: ...
    def offer(self, public_id: str) -> OfferRecord | None: ...
    def offer_by_code(self, code_hash: str) -> OfferRecord | None: ...
    def latest_offers(self, credential_uuids: list[str], now: datetime) -> Sequence[OfferRecord]: ...
    def mail_targets(self, provider: str, edition: str) -> list[tuple[str, str | None]]: ...
    def hold_for_mailing(self, *, credential_uuid: str | None = None, enrolment_id: int | None = None) -> None: ...
    def mailed_credentials(self, credential_uuids: list[str]) -> set[str]: ...
    def take_attempt(self, offer_id: int, at: datetime, *, max_attempts: int) -> bool: ...
    def redeem_offer(self, offer_id: int, at: datetime) -> bool: ...
    def use_mailed_offer(self, offer_id: int, at: datetime) -> None: ...
    def add_token(self, offer_id: int, *, token_hash: str, expires_at: datetime) -> None: ...
    def end_tokens(self, offer_id: int) -> None: ...
    def offer_of_token(self, token_hash: str, now: datetime) -> OfferRecord | None: ...
    def add_nonce(self, nonce_hash: str, *, expires_at: datetime, now: datetime) -> None: ...
    def spend_nonce(self, nonce_hash: str, now: datetime) -> bool: ...


class DeferredIssuanceRepository(Protocol):
    """Pending enrolments offered to wallets and their deferred transactions (``storage/oid4vci_deferred.py``)."""

    def enrolment(self, enrolment_id: int) -> PendingEnrolmentRecord | None: ...
    def pending_targets(self, provider: str, edition: str) -> list[tuple[int, str, str | None]]: ...
    def mailed_enrolments(self, enrolment_ids: list[int]) -> set[int]: ...
    def add(
        self,
        *,
        transaction_hash: str,
        token_hash: str,
        enrolment_id: int,
        configuration: str,
        holder_jwk: str,
        created_at: datetime,
        expires_at: datetime,
    ) -> None: ...
    def get(self, transaction_hash: str) -> DeferredRecord | None: ...
    def deliver(self, transaction_id: int, at: datetime) -> bool: ...


class PresentationRepository(Protocol):
    """OpenID4VP presentation requests and their single answers (``storage/oid4vp.py``)."""

    def add_request(self, *, state: str, nonce: str, created_at: datetime, expires_at: datetime) -> None: ...
    def request(self, state: str) -> PresentationRequestRecord | None: ...
    def answer(self, state: str, result: str, at: datetime) -> bool: ...
