"""What a verification says: the named checks, their outcomes and reasons, and the lookups it needs.

The vocabulary :mod:`microcred.credentials.verify` answers in, kept apart from the checks themselves so that
a reader (the services, the pages, the API) finds the shape of an answer in one short module. Every reason is
a code the catalogue words (``credential.check.<code>``, docs/decisions/0011).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from types import MappingProxyType
from typing import Any, Literal, get_args

from microcred.credentials.wording import worded
from microcred.i18n import translate

__all__ = [
    "CHECK_NAMES",
    "NO_PARAMS",
    "OUTCOMES",
    "Check",
    "DidResolver",
    "FetchFailed",
    "Fragments",
    "LookupFailed",
    "NotFetched",
    "Outcome",
    "Reason",
    "StatusListFetcher",
    "TrustCheck",
    "VerificationResult",
]

Outcome = Literal["pass", "fail", "warn", "not-checked"]
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
DidResolver = Callable[[str], Mapping[str, Any] | None]
"""A DID -> its DID document, or None when it cannot be resolved."""
TrustCheck = Callable[[str, date], bool | None]
"""(issuer DID, day) -> trusted that day; None when the issuer is not a provider we know."""
StatusListFetcher = Callable[[str], Mapping[str, Any] | None]
"""A status list credential URL -> the signed list credential, or None when it cannot be fetched."""


class LookupFailed(LookupError):
    """A lookup the verifier needed came to nothing: a reason ``code`` (with ``params``) the catalogue words
    (``credential.lookup.<code>``) in the language of the check that reports it; ``str()`` is the English."""

    def __init__(self, code: str, /, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def text(self, lang: str) -> str:
        return translate(f"credential.lookup.{self.code}", lang, **worded(self.params, lang))

    def __str__(self) -> str:
        return self.text("en")


class NotFetched(LookupFailed):
    """A resolver or fetcher was not allowed to look (offline, or status checks turned off); says which."""


class FetchFailed(LookupFailed):
    """A resolver or fetcher looked and failed (refused address, timeout, HTTP error, too large); says why."""


CHECK_NAMES = ("well-formed", "signature", "issuer", "trusted-provider", "status", "validity-period")


Reason = tuple[str, Mapping[str, Any]]
"""A reason code (``credential.check.<code>`` in the i18n catalogue) and its parameters."""


@dataclass(frozen=True, slots=True)
class Check:
    """One check: its name, the outcome and why, as reason codes the catalogue words in either language.

    A check with ``fragments`` joins its reasons into one sentence (the status check's entries).
    """

    name: str
    outcome: Outcome
    reasons: tuple[Reason, ...]
    fragments: bool = False

    def reason(self, lang: str = "en") -> str:
        texts = [translate(f"credential.check.{code}", lang, **worded(params, lang)) for code, params in self.reasons]
        if not self.fragments:
            return " ".join(texts)
        return _sentence(texts)

    @property
    def passed(self) -> bool:
        return self.outcome == "pass"

    @staticmethod
    def of(name: str, outcome: Outcome, code: str, **params: Any) -> Check:
        """The check with one reason. One without parameters is a single shared value (its parameters
        read-only): a passing credential gets three (well-formed, signature, validity), 1-1.5 µs each to build."""
        if not params:
            return _settled(name, outcome, code)
        return Check(name, outcome, ((code, params),))


NO_PARAMS: Mapping[str, Any] = MappingProxyType({})
"""Read-only empty parameters, for reasons and phrases shared by every verification."""


@cache  # bounded: names, outcomes and codes are the checks' own literals
def _settled(name: str, outcome: Outcome, code: str) -> Check:
    return Check(name, outcome, ((code, NO_PARAMS),))


def _sentence(fragments: list[str]) -> str:
    joined = "; ".join(fragments)
    return joined[0].upper() + joined[1:] + "."


@dataclass(frozen=True, slots=True)
class Fragments:
    """Status entries' reasons, joined in the language of the sentence they are part of."""

    reasons: tuple[Reason, ...]

    def text(self, lang: str) -> str:
        return "; ".join(
            translate(f"credential.check.{code}", lang, **worded(params, lang)) for code, params in self.reasons
        )


@dataclass(frozen=True, slots=True)
class VerificationResult:
    checks: tuple[Check, ...]

    @property
    def verified(self) -> bool:
        """True when every check was done and none failed (warnings do not fail a credential)."""
        return self.complete and not self.failed

    @property
    def failed(self) -> bool:
        return any(check.outcome == "fail" for check in self.checks)

    @property
    def complete(self) -> bool:
        """False when a check could not be done (offline, or status checks turned off)."""
        return not self.not_checked

    @property
    def not_checked(self) -> tuple[str, ...]:
        return tuple(check.name for check in self.checks if check.outcome == "not-checked")

    def check(self, name: str) -> Check:
        return next(check for check in self.checks if check.name == name)

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "verified": self.verified,
            "complete": self.complete,
            "not_checked": list(self.not_checked),
            "checks": [{"name": c.name, "outcome": c.outcome, "reason": c.reason(lang)} for c in self.checks],
        }
