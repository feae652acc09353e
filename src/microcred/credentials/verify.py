"""Verify a credential: one named check per question a verifier asks, each pass / fail / warn with a reason.

Never raises on a bad credential. What needs the outside world comes in as callables: DID resolution,
the trust question (was the issuer a quality-assured provider on that day?), fetching a status list
credential, and the clock. The register passes its own; nothing here touches the network.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from microcred.credentials.canonical import javascript_double_hazards
from microcred.credentials.did_web import public_key_from_document
from microcred.credentials.loader import VC_V2_CONTEXT_URL
from microcred.credentials.ob3 import schema_problems
from microcred.credentials.proofs import verify_proof
from microcred.credentials.status_list import StatusList, StatusListError
from microcred.i18n import translate

__all__ = [
    "CHECK_NAMES",
    "Check",
    "DidResolver",
    "Outcome",
    "StatusListFetcher",
    "TrustCheck",
    "VerificationResult",
    "verify_credential",
]

Outcome = Literal["pass", "fail", "warn"]
DidResolver = Callable[[str], Mapping[str, Any] | None]
"""A DID -> its DID document, or None when it cannot be resolved."""
TrustCheck = Callable[[str, date], bool | None]
"""(issuer DID, day) -> trusted that day; None when the issuer is not a provider we know."""
StatusListFetcher = Callable[[str], Mapping[str, Any] | None]
"""A status list credential URL -> the signed list credential, or None when it cannot be fetched."""

CHECK_NAMES = ("well-formed", "signature", "issuer", "trusted-provider", "status", "validity-period")
_EXPECTED_FAILURES = (ValueError, TypeError, LookupError, AttributeError, RecursionError)


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
        texts = [translate(f"credential.check.{code}", lang, **params) for code, params in self.reasons]
        if not self.fragments:
            return " ".join(texts)
        joined = "; ".join(texts)
        return joined[0].upper() + joined[1:] + "."

    @property
    def passed(self) -> bool:
        return self.outcome == "pass"


@dataclass(frozen=True, slots=True)
class VerificationResult:
    checks: tuple[Check, ...]

    @property
    def verified(self) -> bool:
        """True when no check failed (warnings do not fail a credential)."""
        return all(check.outcome != "fail" for check in self.checks)

    def check(self, name: str) -> Check:
        return next(check for check in self.checks if check.name == name)

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "verified": self.verified,
            "checks": [{"name": c.name, "outcome": c.outcome, "reason": c.reason(lang)} for c in self.checks],
        }


def _check(name: str, outcome: Outcome, code: str, **params: Any) -> Check:
    return Check(name, outcome, ((code, params),))


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _issuer_id(document: Mapping[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _well_formed(document: Any) -> Check:
    if not isinstance(document, Mapping):
        return _check("well-formed", "fail", "not-json-object")
    context = document.get("@context")
    types = document.get("type")
    if not isinstance(context, list) or not context or context[0] != VC_V2_CONTEXT_URL:
        return _check("well-formed", "fail", "not-vc2")
    if not isinstance(types, list) or ("OpenBadgeCredential" not in types and "AchievementCredential" not in types):
        return _check("well-formed", "fail", "not-ob3")
    problems = schema_problems(document)
    if problems:
        listed = "; ".join(str(problem) for problem in problems[:3])
        return _check("well-formed", "fail", "schema", problems=listed)
    return _check("well-formed", "pass", "well-formed")


def _not_checked(name: str) -> Check:
    return _check(name, "fail", "not-checked")


def _issuer_check(issuer: str | None, resolve_did: DidResolver) -> tuple[Check, Mapping[str, Any] | None]:
    if issuer is None:
        return _check("issuer", "fail", "no-issuer"), None
    try:
        document = resolve_did(issuer)
    except _EXPECTED_FAILURES:
        document = None
    if document is None or document.get("id") != issuer:
        return _check("issuer", "fail", "issuer-unresolved", issuer=issuer), None
    return _check("issuer", "pass", "issuer-resolved", issuer=issuer), document


def _signature_check(document: Mapping[str, Any], issuer: str | None, did_document: Mapping[str, Any] | None) -> Check:
    def resolve_key(method_id: str) -> Ed25519PublicKey:
        if did_document is None or method_id.split("#", 1)[0] != issuer:
            raise LookupError(f"{method_id} is not a key of the issuer {issuer}")
        return public_key_from_document(did_document, method_id)

    result = verify_proof(document, resolve_key=resolve_key)
    if result.verified:
        return _check("signature", "pass", "signature-valid")
    hazards = javascript_double_hazards(document)
    if hazards:  # not the holder's doing: a known jsonld.js bug made the issuer sign other data (decision 0015)
        return _check(
            "signature", "fail", "signature-javascript-double", detail=result.reason, where=", ".join(hazards[:3])
        )
    return _check("signature", "fail", "signature-invalid", detail=result.reason)


def _trust_check(issuer: str | None, valid_from: datetime | None, is_trusted: TrustCheck) -> Check:
    if issuer is None or valid_from is None:
        return _check("trusted-provider", "fail", "trust-unknown-date")
    day = valid_from.date()
    try:
        trusted = is_trusted(issuer, day)
    except _EXPECTED_FAILURES:
        trusted = None
    if trusted is None:
        return _check("trusted-provider", "fail", "issuer-unknown")
    if not trusted:
        return _check("trusted-provider", "fail", "issuer-untrusted", day=day.isoformat())
    return _check("trusted-provider", "pass", "issuer-trusted", day=day.isoformat())


def _validity_check(document: Mapping[str, Any], now: datetime) -> Check:
    valid_from = _parse_time(document.get("validFrom"))
    valid_until = _parse_time(document.get("validUntil")) if "validUntil" in document else None
    if valid_from is None or ("validUntil" in document and valid_until is None):
        return _check("validity-period", "fail", "dates-unreadable")
    if now < valid_from:
        return _check("validity-period", "fail", "not-yet-valid", valid_from=valid_from.isoformat())
    if valid_until is not None and now > valid_until:
        return _check("validity-period", "fail", "expired", valid_until=valid_until.isoformat())
    return _check("validity-period", "pass", "valid-now")


def _status_entries(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    status = document.get("credentialStatus")
    entries = status if isinstance(status, list) else [status] if status is not None else []
    return [entry for entry in entries if isinstance(entry, Mapping)]


def _entry_status(
    entry: Mapping[str, Any], issuer: str | None, fetch: StatusListFetcher, resolve_did: DidResolver
) -> tuple[Outcome, Reason]:
    purpose, url, index_text = (
        entry.get("statusPurpose"),
        entry.get("statusListCredential"),
        entry.get("statusListIndex"),
    )
    if entry.get("type") != "BitstringStatusListEntry" or not isinstance(url, str):
        return "warn", ("entry-unknown-kind", {})
    if not isinstance(index_text, str) or not index_text.isdigit():
        return "fail", ("entry-no-index", {})
    try:
        listed = fetch(url)
    except _EXPECTED_FAILURES:
        listed = None
    if listed is None:
        return "warn", ("list-unfetched", {"url": url})
    _, did_document = _issuer_check(_issuer_id(listed), resolve_did)
    if _issuer_id(listed) != issuer or not _list_signed_by(issuer, _exact(listed), _exact(did_document)):
        return "fail", ("list-unsigned", {"url": url})
    subject = listed.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("statusPurpose") != purpose:
        return "fail", ("list-wrong-purpose", {"url": url, "purpose": purpose})
    size = entry.get("statusSize", 1)
    try:
        if type(size) is not int:
            raise StatusListError("statusSize is not an integer")
        bit = StatusList.decode(str(subject.get("encodedList"))).value(int(index_text), size)
    except StatusListError:
        return "fail", ("list-unreadable", {"url": url})
    if purpose == "message":
        return _message_status(entry, bit)
    if not bit:
        return "pass", ("bit-clear", {"purpose": purpose})
    if purpose == "revocation":
        return "fail", ("revoked", {})
    if purpose == "suspension":
        return "fail", ("suspended", {})
    return "warn", ("bit-set", {"purpose": purpose})


def _message_status(entry: Mapping[str, Any], value: int) -> tuple[Outcome, Reason]:
    """A ``message`` entry (Bitstring Status List §2.1): the issuer's message for the value decides."""
    status = f"0x{value:x}"
    messages = entry.get("statusMessage")
    listed = [item for item in messages if isinstance(item, Mapping)] if isinstance(messages, list) else []
    message = next((str(item.get("message")) for item in listed if item.get("status") == status), None)
    if value == 0 or message == "valid":
        return "pass", ("message-valid", {})
    if message == "revoked":
        return "fail", ("revoked", {})
    if message == "suspended":
        return "fail", ("suspended", {})
    return "warn", ("message-other", {"status": status, "message": message})


def _exact(value: Mapping[str, Any] | None) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@lru_cache(maxsize=512)
def _list_signed_by(issuer: str | None, listed: str, did_document: str) -> bool:
    """Whether a status list (as exact JSON) carries a valid proof by ``issuer``'s key in ``did_document``.

    Every credential of a provider points at the same two lists: checking each list's signature once per
    version, not once per credential, makes verification about a third faster. Keyed on the exact JSON of
    the list and of the DID document, so any change to either is checked afresh."""
    return _signature_check(json.loads(listed), issuer, json.loads(did_document)).outcome == "pass"


def _status_check(
    document: Mapping[str, Any], issuer: str | None, fetch: StatusListFetcher, resolve_did: DidResolver
) -> Check:
    entries = _status_entries(document)
    if not entries:
        return _check("status", "warn", "no-status")
    results = [_entry_status(entry, issuer, fetch, resolve_did) for entry in entries]
    worst: tuple[Outcome, ...] = ("fail", "warn")
    for wanted in worst:
        chosen = tuple(reason for outcome, reason in results if outcome == wanted)
        if chosen:
            return Check("status", wanted, chosen, fragments=True)
    return _check("status", "pass", "status-ok")


def verify_credential(
    document: Any,
    *,
    resolve_did: DidResolver,
    is_trusted: TrustCheck,
    fetch_status_list: StatusListFetcher,
    now: datetime,
) -> VerificationResult:
    """Run every check on ``document`` (parsed JSON); the result lists them in :data:`CHECK_NAMES` order."""
    well_formed = _well_formed(document)
    if not isinstance(document, Mapping):
        return VerificationResult((well_formed, *(_not_checked(name) for name in CHECK_NAMES[1:])))
    issuer = _issuer_id(document)
    issuer_check, did_document = _issuer_check(issuer, resolve_did)
    try:
        checks = (
            well_formed,
            _signature_check(document, issuer, did_document),
            issuer_check,
            _trust_check(issuer, _parse_time(document.get("validFrom")), is_trusted),
            _status_check(document, issuer, fetch_status_list, resolve_did),
            _validity_check(document, now),
        )
    except _EXPECTED_FAILURES as error:  # a malformed document must still give an answer
        reason = f"{type(error).__name__}: {error}"
        return VerificationResult(
            (
                well_formed,
                *(_check(name, "fail", "not-checkable", detail=reason) for name in CHECK_NAMES[1:]),
            )
        )
    return VerificationResult(checks)
