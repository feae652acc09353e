"""Learners are known to the register only by a pseudonym.

The pseudonym is a keyed hash (HMAC-SHA-256 with a secret pepper) of the identifier the provider knows.
A Belgian national register number (INSZ) is hashed without the provider, so one person is one learner
across providers; any other identifier (a student number) is scoped to the provider that issued it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from microcred.errors import Invalid

__all__ = ["Learner", "is_insz", "pseudonymise"]

_SEPARATORS = re.compile(r"[\s.\-/]")
PSEUDONYM_LENGTH = 64


def is_insz(identifier: str) -> bool:
    """True for a valid Belgian national register number (11 digits, mod-97 check, both centuries)."""
    digits = _SEPARATORS.sub("", identifier)
    if len(digits) != 11 or not digits.isdigit():
        return False
    body, check = int(digits[:9]), int(digits[9:])
    return check in (97 - body % 97, 97 - int("2" + digits[:9]) % 97)


def pseudonymise(identifier: str, *, provider: str, pepper: str) -> str:
    """The learner's pseudonym: same input and pepper, same pseudonym; the identifier is not recoverable."""
    cleaned = identifier.strip() if isinstance(identifier, str) else ""
    if not cleaned:
        raise Invalid.field("learner_id", "learner-id-required")
    if len(cleaned) > 128:
        raise Invalid.field("learner_id", "too-long", limit=128)
    if not pepper:
        raise Invalid.field("pseudonym_pepper", "pepper-required")
    scope = "insz" if is_insz(cleaned) else f"provider:{provider}"
    subject = _SEPARATORS.sub("", cleaned) if scope == "insz" else cleaned
    message = f"{scope}\x1f{subject}".encode()
    return hmac.new(pepper.encode(), message, hashlib.sha256).hexdigest()


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
