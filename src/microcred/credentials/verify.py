"""Verify a credential: one named check per question a verifier asks, each pass / fail / warn with a reason.

Never raises on a bad credential. What needs the outside world comes in as callables: DID resolution,
the trust question (was the issuer a quality-assured provider on that day?), fetching a status list
credential, and the clock. The register passes its own; nothing here touches the network. A callable that
was not allowed to look (offline, status checks turned off) raises :class:`NotFetched`, and the checks that
needed it are ``not-checked``; one that looked and failed raises :class:`FetchFailed`, and they fail.

Every reason is a code the catalogue words (``credential.check.<code>``, docs/decisions/0011); a reason that
names another (why a fetch failed, which proof broke) keeps it as a code too, worded in the same language.
The shape of the answer (checks, outcomes, reasons, the lookup callables) is :mod:`.verdict`; this module
asks the questions, and re-exports that vocabulary so callers import one place.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from microcred.credentials.canonical import javascript_double_hazards
from microcred.credentials.clr import clr_problems
from microcred.credentials.did_web import public_key_from_document
from microcred.credentials.loader import VC_V2_CONTEXT_URL
from microcred.credentials.ob3_schema import schema_problems
from microcred.credentials.proofs import verify_proof
from microcred.credentials.status_list import StatusList, StatusListError
from microcred.credentials.verdict import (
    CHECK_NAMES,
    OUTCOMES,
    Check,
    DidResolver,
    FetchFailed,
    Fragments,
    LookupFailed,
    NotFetched,
    Outcome,
    Reason,
    StatusListFetcher,
    TrustCheck,
    VerificationResult,
)
from microcred.credentials.verify_dates import EXPECTED_FAILURES, parse_time, trust_check, validity_check
from microcred.domain.credential import TRUST_DATES, TrustDate

__all__ = [
    "CHECK_NAMES",
    "OUTCOMES",
    "TRUST_DATES",
    "Check",
    "DidResolver",
    "FetchFailed",
    "LookupFailed",
    "NotFetched",
    "Outcome",
    "StatusListFetcher",
    "TrustCheck",
    "TrustDate",
    "VerificationResult",
    "verify_credential",
]


_check = Check.of


def _issuer_id(document: Mapping[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _as_the_schema_reads_it(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """The credential with ``proof`` as a list: VC-DI §2.1 allows one proof object or a set, and the
    1EdTech schema types the set only, so a single proof (what Digital Bazaar's ``vc.issue`` emits) is
    read as the one-element set it means. Nothing else is changed: every field meets the schema as sent."""
    if "proof" not in document or isinstance(document["proof"], list):
        return document
    return {**document, "proof": [document["proof"]]}


def _well_formed(document: Any) -> Check:
    if not isinstance(document, Mapping):
        return _check("well-formed", "fail", "not-json-object")
    context = document.get("@context")
    types = document.get("type")
    if not isinstance(context, list) or not context or context[0] != VC_V2_CONTEXT_URL:
        return _check("well-formed", "fail", "not-vc2")
    if isinstance(types, list) and "ClrCredential" in types:
        found = clr_problems(document)
        if found:
            return _check("well-formed", "fail", "clr-shape", problems="; ".join(p.describe("en") for p in found))
        return _check("well-formed", "pass", "well-formed-clr")
    if not isinstance(types, list) or ("OpenBadgeCredential" not in types and "AchievementCredential" not in types):
        return _check("well-formed", "fail", "not-ob3")
    problems = schema_problems(_as_the_schema_reads_it(document))
    if problems:
        listed = "; ".join(str(problem) for problem in problems[:3])
        return _check("well-formed", "fail", "schema", problems=listed)
    return _check("well-formed", "pass", "well-formed")


def _not_checked(name: str) -> Check:
    return _check(name, "fail", "not-checked")


@dataclass(frozen=True, slots=True)
class _Resolved:
    """The issuer check and what it found: the DID document, or why there is none."""

    check: Check
    document: Mapping[str, Any] | None


def _issuer_check(issuer: str | None, resolve_did: DidResolver) -> _Resolved:
    if issuer is None:
        return _Resolved(_check("issuer", "fail", "no-issuer"), None)
    try:
        document = resolve_did(issuer)
    except NotFetched as skipped:
        return _Resolved(_check("issuer", "not-checked", "issuer-not-fetched", issuer=issuer, why=skipped), None)
    except FetchFailed as failure:
        return _Resolved(_check("issuer", "fail", "issuer-fetch-failed", issuer=issuer, failure=failure), None)
    except EXPECTED_FAILURES:
        document = None
    if document is None or document.get("id") != issuer:
        return _Resolved(_check("issuer", "fail", "issuer-unresolved", issuer=issuer), None)
    return _Resolved(_check("issuer", "pass", "issuer-resolved", issuer=issuer), document)


def _signature_check(document: Mapping[str, Any], issuer: str | None, resolved: _Resolved) -> Check:
    """Every proof must verify with a key of the issuer's DID document (VC-DI §4.5; a set is all or nothing)."""
    if resolved.check.outcome == "not-checked":
        return _check("signature", "not-checked", "keys-not-fetched")
    did_document = resolved.document

    def resolve_key(method_id: str) -> Ed25519PublicKey:
        if did_document is None or method_id.split("#", 1)[0] != issuer:
            raise LookupFailed("not-issuers-key", issuer=issuer)
        return public_key_from_document(did_document, method_id)

    result = verify_proof(document, resolve_key=resolve_key)
    if result.verified:
        count = len(result.proofs)
        if count == 1:
            return _check("signature", "pass", "signature-valid")
        return _check("signature", "pass", "signatures-valid", count=count)
    hazards = javascript_double_hazards(document)
    if hazards:  # not the holder's doing: a known jsonld.js bug made the issuer sign other data (decision 0015)
        return _check("signature", "fail", "signature-javascript-double", detail=result, where=", ".join(hazards[:3]))
    return _check("signature", "fail", "signature-invalid", detail=result)


def _status_entries(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    status = document.get("credentialStatus")
    entries = status if isinstance(status, list) else [status] if status is not None else []
    return [entry for entry in entries if isinstance(entry, Mapping)]


_EntryOutcome = tuple[Outcome, Reason]


def _fetch_list(url: str, fetch: StatusListFetcher) -> Mapping[str, Any] | _EntryOutcome:
    """The status list credential, or the entry's outcome when it could not be had.

    Bitstring Status List v1.0 §3.2 raises STATUS_RETRIEVAL_ERROR when the list cannot be retrieved: a
    list that is missing fails the credential, as in Digital Bazaar's verifier. Not looking is not-checked."""
    try:
        listed = fetch(url)
    except NotFetched as skipped:
        return "not-checked", ("list-not-fetched", {"url": url, "why": skipped})
    except FetchFailed as failure:
        return "fail", ("list-fetch-failed", {"url": url, "failure": failure})
    except EXPECTED_FAILURES:
        listed = None
    if listed is None:
        return "fail", ("list-unfetched", {"url": url})
    return listed


def _entry_status(
    entry: Mapping[str, Any], issuer: str | None, fetch: StatusListFetcher, resolve_did: DidResolver, now: datetime
) -> _EntryOutcome:
    purpose, url, index_text = (
        entry.get("statusPurpose"),
        entry.get("statusListCredential"),
        entry.get("statusListIndex"),
    )
    if entry.get("type") != "BitstringStatusListEntry" or not isinstance(url, str):
        return "not-checked", ("entry-unknown-kind", {"kind": entry.get("type")})
    if not isinstance(index_text, str) or not index_text.isdigit():
        return "fail", ("entry-no-index", {})
    listed = _fetch_list(url, fetch)
    if isinstance(listed, tuple):
        return listed
    not_signed: _EntryOutcome = "fail", ("list-unsigned", {"url": url})
    if _issuer_id(listed) != issuer:
        return not_signed
    resolved = _issuer_check(issuer, resolve_did)
    if resolved.check.outcome == "not-checked":
        return "not-checked", ("list-key-not-fetched", {"url": url})
    if not _list_signed_by(issuer, _exact(listed), _exact(resolved.document)):
        return not_signed
    until = parse_time(listed.get("validUntil"))
    if until is not None and now > until:
        return "fail", ("list-expired", {"url": url, "until": until.isoformat()})
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
    resolved = _Resolved(_check("issuer", "pass", "issuer-resolved", issuer=issuer), json.loads(did_document))
    return _signature_check(json.loads(listed), issuer, resolved).outcome == "pass"


def _status_check(
    document: Mapping[str, Any], issuer: str | None, fetch: StatusListFetcher, resolve_did: DidResolver, now: datetime
) -> Check:
    entries = _status_entries(document)
    if not entries:
        return _check("status", "warn", "no-status")
    results = [_entry_status(entry, issuer, fetch, resolve_did, now) for entry in entries]
    worst: tuple[Outcome, ...] = ("fail", "not-checked", "warn")
    for wanted in worst:
        chosen = tuple(reason for outcome, reason in results if outcome == wanted)
        if not chosen:
            continue
        if wanted == "not-checked":
            return _check("status", "not-checked", "status-not-checked", entries=Fragments(chosen))
        return Check("status", wanted, chosen, fragments=True)
    return _check("status", "pass", "status-ok")


def verify_credential(
    document: Any,
    *,
    resolve_did: DidResolver,
    is_trusted: TrustCheck,
    fetch_status_list: StatusListFetcher,
    now: datetime,
    trust_date: TrustDate | date = "both",
) -> VerificationResult:
    """Run every check on ``document`` (parsed JSON); the result lists them in :data:`CHECK_NAMES` order."""
    well_formed = _well_formed(document)
    if not isinstance(document, Mapping):
        return VerificationResult((well_formed, *(_not_checked(name) for name in CHECK_NAMES[1:])))
    issuer = _issuer_id(document)
    try:
        resolved = _issuer_check(issuer, resolve_did)
        checks = (
            well_formed,
            _signature_check(document, issuer, resolved),
            resolved.check,
            trust_check(document, issuer, is_trusted, trust_date),
            _status_check(document, issuer, fetch_status_list, resolve_did, now),
            validity_check(document, now),
        )
    except EXPECTED_FAILURES as error:  # a malformed document must still give an answer
        reason = f"{type(error).__name__}: {error}"
        return VerificationResult(
            (
                well_formed,
                *(_check(name, "fail", "not-checkable", detail=reason) for name in CHECK_NAMES[1:]),
            )
        )
    return VerificationResult(checks)
