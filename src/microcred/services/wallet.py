"""The learner wallet: a learner's own credentials, and share links that open one credential's verification.

A learner is known only by the *grants* their signed access link carries (services/auth.py): a grant is one
pseudonym as one provider recorded it, with the contact address that provider gave. Every look-up here is
limited to those, so another learner's credential -- or another provider's credential of the same learner,
mailed to an address that provider never gave -- is simply not found. A share link's
URL carries a random id signed with the session secret; the row behind it can be revoked and expires.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

from microcred.credentials.urls import credential_url, linkedin_add_to_profile_url, verify_page_url
from microcred.domain import Credential, LangText, credential_urn
from microcred.errors import Conflict, Invalid, NotFound
from microcred.services import certificates
from microcred.services.dependencies import Dependencies
from microcred.services.ports import Clock, ShareLinkRecord, UnitOfWorkFactory

__all__ = [
    "SHARE_LINK_DAYS",
    "ShareLink",
    "ShareLinkClosed",
    "Wallet",
    "WalletEntry",
    "create_share_link",
    "credential_of_learner",
    "credentials_of_learner",
    "credentials_of_learners",
    "grant",
    "grants_of",
    "linkedin_url",
    "open_share_link",
    "revoke_share_link",
]

SHARE_LINK_DAYS = (7, 30, 90, 365)
_SHARE_SALT = "microcred.share-link"


class ShareLinkClosed(Conflict):
    """The share link exists but no longer opens its credential; ``state`` is "revoked" or "expired"."""

    code = "share-link-closed"

    def __init__(self, state: str) -> None:
        super().__init__("share-link-revoked" if state == "revoked" else "share-link-expired")
        self.state = state


@dataclass(frozen=True, slots=True)
class ShareLink:
    token: str  # what goes in the URL: /s/{token}
    credential_uuid: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"


@dataclass(frozen=True, slots=True)
class WalletEntry:
    """One credential as the wallet lists it: what it is, who issued it, and its share links."""

    credential: Credential
    title: LangText
    provider_name: LangText
    share_links: list[ShareLink] = field(default_factory=list)

    @property
    def choice(self) -> str:
        """The value a form sends to name this credential (the wallet app's approval page)."""
        return self.credential.uuid

    def status(self, now: datetime) -> str:
        """One of valid, expired, revoked or suspended."""
        if self.credential.state.value != "active":
            return self.credential.state.value
        until = self.credential.valid_until
        return "expired" if until is not None and until < now else "valid"


def grant(pseudonym: str, provider: str) -> str:
    """One grant as an access link and a session carry it: ``provider:pseudonym``."""
    return f"{provider}:{pseudonym}"


def grants_of(values: Sequence[str]) -> frozenset[tuple[str, str]]:
    """The (pseudonym, provider) pairs of ``grant`` strings; anything else (a bare pseudonym) opens nothing."""
    found = set()
    for value in values:
        provider, _, pseudonym = value.rpartition(":")
        if provider and pseudonym:
            found.add((pseudonym, provider))
    return frozenset(found)


def _granted(credential: Credential, grants: frozenset[tuple[str, str]]) -> bool:
    return (credential.learner, credential.provider) in grants


def _signer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=_SHARE_SALT)


def _link(record: ShareLinkRecord, secret: str) -> ShareLink:
    token = str(_signer(secret).dumps(record.public_id))
    return ShareLink(token, record.credential_uuid, record.created_at, record.expires_at, record.revoked_at)


def linkedin_url(entry: WalletEntry, *, lang: str, base_url: str) -> str:
    """The learner's "add to LinkedIn" link for one credential: its title and issuer in ``lang``, its issue
    (and end) month, its id, and its permanent public verification page as the credential URL -- not a
    share link, which the learner may revoke or let run out while the profile entry stays."""
    credential = entry.credential
    json_url = credential_url(base_url, credential.uuid)
    return linkedin_add_to_profile_url(
        name=entry.title.get(lang),
        organization=entry.provider_name.get(lang),
        issued=credential.issued_at.date(),
        expires=credential.valid_until.date() if credential.valid_until else None,
        credential_id=credential.uuid.removeprefix("urn:uuid:"),
        verify_url=verify_page_url(base_url, json_url),
    )


def credentials_of_learners(pseudonyms: Sequence[str], uow: UnitOfWorkFactory, *, secret: str) -> list[WalletEntry]:
    """The credentials the grants open, newest first, each with its title, provider and share links."""
    grants = grants_of(pseudonyms)
    with uow() as work:
        learners = sorted({pseudonym for pseudonym, _ in grants})
        found = [c for c in work.wallet.credentials_of_learners(learners) if _granted(c, grants)]
        links = work.wallet.share_links_of([c.uuid for c in found])
        # titles in one query and the providers' names in another: a wallet of 50 credentials read 100 records
        # one by one, and each whole provider with its quality-assurance records
        offerings = work.stacking.component_offerings([f"{c.provider}/{c.offering_code}" for c in found])
        names = work.providers.names({c.provider for c in found})
        entries = []
        for credential in found:
            title = offerings[f"{credential.provider}/{credential.offering_code}"].title
            own = [_link(r, secret) for r in links if r.credential_uuid == credential.uuid]
            entries.append(WalletEntry(credential, title, names[credential.provider], own))
    return entries


def credentials_of_learner(email: str, uow: UnitOfWorkFactory, *, secret: str) -> list[WalletEntry]:
    """The credentials recorded under this contact address, by the providers that recorded it."""
    with uow() as work:
        found = work.learner_access.grants_for_email(email.strip().lower())
    return credentials_of_learners([grant(p, provider) for p, provider in found], uow, secret=secret)


def credential_of_learner(credential_id: str, pseudonyms: Sequence[str], uow: UnitOfWorkFactory) -> Credential:
    """One of the learners' own credentials; another learner's is not found (the same answer as a wrong id)."""
    try:
        urn = credential_urn(credential_id)
        with uow() as work:
            credential = work.credentials.get(urn)
    except (Invalid, NotFound):
        raise NotFound("not-in-wallet") from None
    if not _granted(credential, grants_of(pseudonyms)):
        raise NotFound("not-in-wallet")
    return credential


def create_share_link(
    credential_id: str,
    pseudonyms: Sequence[str],
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
    secret: str,
    days: int = 30,
) -> ShareLink:
    """A new share link to one of the learner's own credentials, open for ``days`` days."""
    if days not in SHARE_LINK_DAYS:
        raise Invalid.field("days", "one-of", days, allowed=", ".join(map(str, SHARE_LINK_DAYS)))
    credential = credential_of_learner(credential_id, pseudonyms, uow)
    now = clock()
    public_id = secrets.token_urlsafe(18)
    with uow() as work:
        work.wallet.add_share_link(
            credential.uuid, public_id=public_id, created_at=now, expires_at=now + timedelta(days=days)
        )
        work.commit()
        record = work.wallet.share_link(public_id)
    assert record is not None
    return _link(record, secret)


def _record(token: str, uow: UnitOfWorkFactory, secret: str) -> ShareLinkRecord:
    try:
        public_id = _signer(secret).loads(token)
    except BadSignature:
        raise NotFound("share-link-unknown") from None
    with uow() as work:
        record = work.wallet.share_link(str(public_id))
    if record is None:
        raise NotFound("share-link-unknown")
    return record


def open_share_link(token: str, *, uow: UnitOfWorkFactory, clock: Clock, secret: str) -> Credential:
    """The credential a share link opens; ShareLinkClosed when revoked or expired, NotFound when forged."""
    record = _record(token, uow, secret)
    if record.revoked_at is not None:
        raise ShareLinkClosed("revoked")
    if record.expires_at <= clock():
        raise ShareLinkClosed("expired")
    with uow() as work:
        return work.credentials.get(record.credential_uuid)


def revoke_share_link(
    token: str, pseudonyms: Sequence[str], *, uow: UnitOfWorkFactory, clock: Clock, secret: str
) -> None:
    """Close one of the learner's share links for good; someone else's link is not found."""
    record = _record(token, uow, secret)
    credential_of_learner(record.credential_uuid, pseudonyms, uow)
    with uow() as work:
        if not work.wallet.revoke_share_link(record.public_id, clock()):
            raise Conflict("share-link-already-revoked")
        work.commit()


class Wallet:
    """A learner's credentials and share links, bound to one register's secret and clock."""

    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps

    def credentials_of_learners(self, pseudonyms: Sequence[str]) -> list[WalletEntry]:
        return credentials_of_learners(pseudonyms, self._deps.uow, secret=self._deps.session_secret)

    def credentials_of_learner(self, email: str) -> list[WalletEntry]:
        return credentials_of_learner(email, self._deps.uow, secret=self._deps.session_secret)

    def credential_of_learner(self, credential_id: str, pseudonyms: Sequence[str]) -> Credential:
        return credential_of_learner(credential_id, pseudonyms, self._deps.uow)

    def create_share_link(self, credential_id: str, pseudonyms: Sequence[str], *, days: int = 30) -> ShareLink:
        d = self._deps
        return create_share_link(
            credential_id, pseudonyms, uow=d.uow, clock=d.clock, secret=d.session_secret, days=days
        )

    def open_share_link(self, token: str) -> Credential:
        d = self._deps
        return open_share_link(token, uow=d.uow, clock=d.clock, secret=d.session_secret)

    def revoke_share_link(self, token: str, pseudonyms: Sequence[str]) -> None:
        d = self._deps
        revoke_share_link(token, pseudonyms, uow=d.uow, clock=d.clock, secret=d.session_secret)

    def linkedin_url(self, entry: WalletEntry, *, lang: str) -> str:
        return linkedin_url(entry, lang=lang, base_url=self._deps.public_base_url)

    def now(self) -> datetime:
        """The register's clock, for showing how long a share link still runs."""
        return self._deps.clock()

    def credential_pdf(self, credential_id: str, pseudonyms: Sequence[str], *, lang: str = "nl") -> bytes:
        """One of the learners' own credentials as its PDF certificate; another learner's is not found."""
        credential = self.credential_of_learner(credential_id, pseudonyms)
        d = self._deps
        return certificates.credential_pdf(credential.uuid, uow=d.uow, keys=d.keys, settings=d.settings, lang=lang)

    def elm_export(self, credential_id: str, pseudonyms: Sequence[str]) -> dict[str, Any]:
        """One of the learners' own credentials as a European Learning Model document."""
        credential = self.credential_of_learner(credential_id, pseudonyms)
        d = self._deps
        return certificates.elm_export(credential.uuid, uow=d.uow, keys=d.keys, settings=d.settings)
