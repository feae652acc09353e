"""Learners are known to the register only by a pseudonym.

The pseudonym is a keyed hash (HMAC-SHA-256 with a secret pepper) of the identifier the provider knows,
in the scope of the identifier's scheme (decision 0018): an INSZ, a European Student Identifier (ESI) or an
id the register's providers agreed to share is hashed without the provider, so one person is one learner
across providers; a provider's own student number is scoped to the provider that issued it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from microcred.domain.codes import LearnerScheme
from microcred.errors import Invalid

__all__ = ["ESI_PREFIX", "Learner", "identify", "is_esi", "is_insz", "pseudonymise", "pseudonyms"]

_SEPARATORS = re.compile(r"[\s.\-/]")
PSEUDONYM_LENGTH = 64
#: The ESI's fixed start (GÉANT, European Student Identifier specification 1.0); a SCHAC personal unique code
#: compares without regard to case (``caseIgnoreMatch``), so the register folds it.
ESI_PREFIX = "urn:schac:personaluniquecode:int:esi:"
_ESI = re.compile(re.escape(ESI_PREFIX) + r"[^:\s]+:\S+", re.IGNORECASE)


def is_insz(identifier: str) -> bool:
    """True for a valid Belgian national register number (11 digits, mod-97 check, both centuries)."""
    digits = _SEPARATORS.sub("", identifier)
    if len(digits) != 11 or not digits.isdigit():
        return False
    body, check = int(digits[:9]), int(digits[9:])
    return check in (97 - body % 97, 97 - int("2" + digits[:9]) % 97)


def is_esi(identifier: str) -> bool:
    """True for a European Student Identifier: ``urn:schac:personalUniqueCode:int:esi:<country or sHO>:<code>``."""
    return _ESI.fullmatch(identifier.strip()) is not None


def identify(identifier: str, scheme: LearnerScheme | None = None) -> LearnerScheme:
    """The scheme ``identifier`` belongs to: ``scheme`` when given (checked where it can be), else detected.

    Detection is only where it is unambiguous: a valid INSZ, an ESI URN; anything else is a provider's own
    number, the one reading that never merges two people.
    """
    if scheme is LearnerScheme.INSZ and not is_insz(identifier):
        raise Invalid.field("learner_scheme", "not-insz")
    if scheme is LearnerScheme.ESI and not is_esi(identifier):
        raise Invalid.field("learner_scheme", "not-esi")
    if scheme is not None:
        return scheme
    if is_insz(identifier):
        return LearnerScheme.INSZ
    return LearnerScheme.ESI if is_esi(identifier) else LearnerScheme.LOCAL


def pseudonymise(identifier: str, *, provider: str, pepper: str, scheme: LearnerScheme | None = None) -> str:
    """The learner's pseudonym: same input, scheme and pepper, same pseudonym; the identifier is not recoverable.

    The hashed scopes are ``insz`` (separators removed), ``esi`` (case folded), ``register`` and
    ``provider:<slug>``; the first and the last are what the register used before schemes were named, so
    existing pseudonyms stay as they are.
    """
    cleaned = identifier.strip() if isinstance(identifier, str) else ""
    if not cleaned:
        raise Invalid.field("learner_id", "learner-id-required")
    if len(cleaned) > 128:
        raise Invalid.field("learner_id", "too-long", limit=128)
    if not pepper:
        raise Invalid.field("pseudonym_pepper", "pepper-required")
    return pseudonyms([(cleaned, provider, identify(cleaned, scheme))], pepper=pepper)[0]


def pseudonyms(learners: Iterable[tuple[str, str, LearnerScheme]], *, pepper: str) -> list[str]:
    """The pseudonyms of many ``(identifier, provider, scheme)``, each already checked as :func:`pseudonymise`
    checks it (stripped, at most 128 characters, its scheme from :func:`identify`): an import's many learners
    without repeating the checks it made per column."""
    scoped: dict[str, hmac.HMAC] = {}  # the HMAC after "<scope>\x1f", the same for every learner of a scope
    found: list[str] = []
    for identifier, provider, kind in learners:
        if kind is LearnerScheme.INSZ:
            scope, subject = "insz", _SEPARATORS.sub("", identifier)
        elif kind is LearnerScheme.ESI:
            scope, subject = "esi", identifier.casefold()
        elif kind is LearnerScheme.REGISTER:
            scope, subject = "register", identifier
        else:
            scope, subject = f"provider:{provider}", identifier
        base = scoped.get(scope)
        if base is None:
            base = scoped[scope] = _keyed(pepper).copy()
            base.update(f"{scope}\x1f".encode())
        keyed = base.copy()
        keyed.update(subject.encode())
        found.append(keyed.hexdigest())
    return found


@lru_cache(maxsize=4)
def _keyed(pepper: str) -> hmac.HMAC:
    """HMAC-SHA-256 with the pepper as key, before any message: copied per pseudonym, which saves a third of
    the work of a million-row import (the key is hashed once, not per learner)."""
    return hmac.new(pepper.encode(), digestmod=hashlib.sha256)


@dataclass(frozen=True, slots=True)
class Learner:
    """A learner: a pseudonym, and apart from it an optional e-mail address for credential delivery."""

    pseudonym: str
    email: str | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        if len(self.pseudonym) != PSEUDONYM_LENGTH or not all(c in "0123456789abcdef" for c in self.pseudonym):
            raise Invalid.field("pseudonym", "pseudonym-format")
        if self.email is not None and ("@" not in self.email or len(self.email) > 254):
            raise Invalid.field("email", "email-format")
