"""Learners' access links: one e-mailed link opens the wallet once, for a short while, and can be ended.

A learner proves control of an address by opening a link mailed to it (issue 15, finding 7):

- **short-lived**: a link must be opened within ``ACCESS_LINK_MAX_AGE``; the wallet session it starts lasts
  at most ``LEARNER_SESSION_MAX_AGE``;
- **single-use**: opening marks the row opened in one conditional UPDATE; a second open is refused with
  :class:`AccessLinkClosed` ("used"), so a link found later in a mailbox, a proxy log or a browser history
  opens nothing;
- **revocable**: a new link ends the address's links that were not opened yet, and the learner can end
  every link and session of their address at once (:func:`end_learner_sessions`).

The URL carries a random secret; the database holds only its SHA-256, the grants it opens (services/wallet.py
``grant``) and the SHA-256 of the address, never the address itself.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from microcred.errors import Unauthenticated
from microcred.i18n import DEFAULT_LANGUAGE
from microcred.services.auth import Principal, normal_email
from microcred.services.dependencies import Dependencies
from microcred.services.mail import Mailer, compose_in
from microcred.services.ports import AccessLinkRecord, Clock, UnitOfWorkFactory
from microcred.services.wallet import grant

__all__ = [
    "ACCESS_LINK_MAX_AGE",
    "ACCESS_LINK_PATH",
    "LEARNER_SESSION_MAX_AGE",
    "AccessLinkClosed",
    "LearnerAccess",
    "LearnerSession",
    "check_access_link",
    "end_learner_sessions",
    "learner_session",
    "open_access_link",
    "request_access_link",
]

ACCESS_LINK_PATH = "/wallet/open"
"""Where an e-mailed access link opens the learner's wallet (the web app serves it; the API mails it too)."""
ACCESS_LINK_MAX_AGE = timedelta(minutes=30)
LEARNER_SESSION_MAX_AGE = timedelta(hours=8)

_log = logging.getLogger("microcred.access")


class AccessLinkClosed(Unauthenticated):
    """The link opens nothing; its reason is ``access-link-`` and ``why``: invalid, expired, used or ended."""

    @property
    def why(self) -> str:
        return self.reason.removeprefix("access-link-")


@dataclass(frozen=True, slots=True)
class LearnerSession:
    """An opened link: its row id (what a wallet session holds) and the grants it opens."""

    link_id: int
    grants: tuple[str, ...]


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _address_key(address: str) -> str:
    return _digest(f"learner:{address}")


def request_access_link(
    email: str,
    *,
    uow: UnitOfWorkFactory,
    mailer: Mailer,
    clock: Clock,
    base_url: str,
    link_path: str,
    lang: str = DEFAULT_LANGUAGE,
) -> None:
    """Mail a new single-use link to ``email`` if a learner has it; silent either way (no enumeration).

    The mail is in ``lang``, the language the learner asked in, as text and HTML (``mail.compose_in``).

    The new link ends the address's earlier links that were never opened. A mail server that cannot be
    reached is logged (without the address), not raised: this runs after the requester has had the answer.
    """
    address = normal_email(email)
    now = clock()
    secret = secrets.token_urlsafe(24)  # 192 bits, and a link short enough to stay on one line
    with uow() as work:
        found = work.learner_access.grants_for_email(address)
        if not found:
            return
        # Only what the providers that recorded *this* address issued (issue 15, finding 1).
        grants = [grant(pseudonym, provider) for pseudonym, provider in found]
        work.access_links.end_unopened(_address_key(address), now)
        work.access_links.add(
            secret_hash=_digest(secret),
            address_key=_address_key(address),
            grants=grants,
            created_at=now,
            expires_at=now + ACCESS_LINK_MAX_AGE,
        )
        work.commit()
    minutes = int(ACCESS_LINK_MAX_AGE.total_seconds() // 60)
    link = f"{base_url.rstrip('/')}{link_path}?access={secret}"
    message = compose_in(lang, to=address, message="access_link", minutes=minutes, link=link)
    try:
        mailer.send(message)
    except OSError as error:
        _log.warning("an access link could not be mailed: %s", type(error).__name__)


def _usable(record: AccessLinkRecord | None, now: datetime) -> AccessLinkRecord:
    if record is None:
        raise AccessLinkClosed("access-link-invalid")
    if record.ended_at is not None:
        raise AccessLinkClosed("access-link-ended")
    if record.opened_at is not None:
        raise AccessLinkClosed("access-link-used")
    if record.expires_at <= now:
        raise AccessLinkClosed("access-link-expired")
    return record


def _find(access: str, uow: UnitOfWorkFactory) -> AccessLinkRecord | None:
    """The row of a link's ``access`` value (its secret), found by the secret's SHA-256."""
    if not 20 <= len(access) <= 100:
        return None
    with uow() as work:
        return work.access_links.by_secret_hash(_digest(access))


def check_access_link(access: str, *, uow: UnitOfWorkFactory, clock: Clock) -> Principal:
    """The learner a link would open, without opening it; AccessLinkClosed when it opens nothing."""
    record = _usable(_find(access, uow), clock())
    return Principal("learner", learners=record.grants, subject="learner-link")


def open_access_link(access: str, *, uow: UnitOfWorkFactory, clock: Clock) -> LearnerSession:
    """Open a link, once: of any number of requests with the same link exactly one gets the session."""
    now = clock()
    record = _usable(_find(access, uow), now)
    with uow() as work:
        if not work.access_links.open(record.id, now):
            raise AccessLinkClosed("access-link-used")
        work.commit()
    return LearnerSession(record.id, record.grants)


def learner_session(link_id: int, *, uow: UnitOfWorkFactory, clock: Clock) -> LearnerSession | None:
    """The session an opened link started, while it has not ended or run out; None otherwise."""
    with uow() as work:
        record = work.access_links.by_id(link_id)
    if record is None or record.opened_at is None or record.ended_at is not None:
        return None
    if record.opened_at + LEARNER_SESSION_MAX_AGE <= clock():
        return None
    return LearnerSession(record.id, record.grants)


def end_learner_sessions(link_id: int, *, uow: UnitOfWorkFactory, clock: Clock) -> int:
    """End every link and wallet session of the address this session's link went to; how many ended."""
    with uow() as work:
        record = work.access_links.by_id(link_id)
        if record is None:
            return 0
        ended = work.access_links.end_all(record.address_key, clock())
        work.commit()
    return ended


class LearnerAccess:
    """Learners' access links and the wallet sessions they open, bound to one register."""

    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps

    @staticmethod
    def address(email: str) -> str:
        """The address as links are keyed (trimmed, lower case); Invalid naming the field when it is not one."""
        return normal_email(email)

    def request_access_link(self, email: str, *, lang: str = DEFAULT_LANGUAGE) -> None:
        d = self._deps
        request_access_link(
            email,
            uow=d.uow,
            mailer=d.mailer,
            clock=d.clock,
            base_url=d.public_base_url,
            link_path=ACCESS_LINK_PATH,
            lang=lang,
        )

    def check_access_link(self, access: str) -> Principal:
        return check_access_link(access, uow=self._deps.uow, clock=self._deps.clock)

    def open_access_link(self, access: str) -> LearnerSession:
        return open_access_link(access, uow=self._deps.uow, clock=self._deps.clock)

    def learner_session(self, link_id: int) -> LearnerSession | None:
        return learner_session(link_id, uow=self._deps.uow, clock=self._deps.clock)

    def end_learner_sessions(self, link_id: int) -> int:
        return end_learner_sessions(link_id, uow=self._deps.uow, clock=self._deps.clock)
