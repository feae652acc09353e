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


@dataclass(frozen=True, slots=True)
class Check:
    """One check: its name, the outcome and the reason in English and Dutch."""

    name: str
    outcome: Outcome
    en: str
    nl: str

    def reason(self, lang: str = "en") -> str:
        return self.nl if lang == "nl" else self.en

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
        return Check("well-formed", "fail", "The file is not a JSON object.", "Het bestand is geen JSON-object.")
    context = document.get("@context")
    types = document.get("type")
    if not isinstance(context, list) or not context or context[0] != VC_V2_CONTEXT_URL:
        return Check(
            "well-formed",
            "fail",
            "It is not a Verifiable Credential 2.0 (the @context must start with the VC 2.0 context).",
            "Het is geen Verifiable Credential 2.0 (de @context moet met de VC 2.0-context beginnen).",
        )
    if not isinstance(types, list) or ("OpenBadgeCredential" not in types and "AchievementCredential" not in types):
        return Check(
            "well-formed", "fail", "It is not an Open Badges 3.0 credential.", "Het is geen Open Badges 3.0-credential."
        )
    problems = schema_problems(document)
    if problems:
        listed = "; ".join(str(problem) for problem in problems[:3])
        return Check(
            "well-formed",
            "fail",
            f"It does not meet the Open Badges 3.0 schema: {listed}",
            f"Het voldoet niet aan het Open Badges 3.0-schema: {listed}",
        )
    return Check(
        "well-formed",
        "pass",
        "A well-formed Open Badges 3.0 credential that meets the official schema.",
        "Een correct opgebouwde Open Badges 3.0-credential die aan het officiële schema voldoet.",
    )


def _not_checked(name: str) -> Check:
    return Check(
        name,
        "fail",
        "Not checked: the document is not a credential.",
        "Niet gecontroleerd: het document is geen credential.",
    )


def _issuer_check(issuer: str | None, resolve_did: DidResolver) -> tuple[Check, Mapping[str, Any] | None]:
    if issuer is None:
        return Check("issuer", "fail", "The credential names no issuer.", "De credential noemt geen uitgever."), None
    try:
        document = resolve_did(issuer)
    except _EXPECTED_FAILURES:
        document = None
    if document is None or document.get("id") != issuer:
        return (
            Check(
                "issuer",
                "fail",
                f"The issuer {issuer} could not be resolved (only did:key and this register's did:web are looked up).",
                f"De uitgever {issuer} kon niet worden opgezocht (enkel did:key en did:web van dit register).",
            ),
            None,
        )
    return Check("issuer", "pass", f"The issuer {issuer} was resolved.", f"De uitgever {issuer} is gevonden."), document


def _signature_check(document: Mapping[str, Any], issuer: str | None, did_document: Mapping[str, Any] | None) -> Check:
    def resolve_key(method_id: str) -> Ed25519PublicKey:
        if did_document is None or method_id.split("#", 1)[0] != issuer:
            raise LookupError(f"{method_id} is not a key of the issuer {issuer}")
        return public_key_from_document(did_document, method_id)

    result = verify_proof(document, resolve_key=resolve_key)
    if result.verified:
        return Check(
            "signature",
            "pass",
            "The signature is valid: the content is exactly what the issuer signed.",
            "De handtekening is geldig: de inhoud is precies wat de uitgever ondertekende.",
        )
    hazards = javascript_double_hazards(document)
    if hazards:  # not the holder's doing: a known jsonld.js bug made the issuer sign other data (decision 0015)
        where = ", ".join(hazards[:3])
        return Check(
            "signature",
            "fail",
            f"The signature is not valid ({result.reason}). The credential holds a small number at {where}: "
            "JavaScript JSON-LD (jsonld.js, used by Digital Bazaar's libraries) signs it as 0, while JSON-LD 1.1 "
            "and this verifier read it as a double. An issuer using those libraries signed other data; "
            "ask them to write such numbers as strings.",
            f"De handtekening is ongeldig ({result.reason}). De credential bevat een klein getal op {where}: "
            "JavaScript-JSON-LD (jsonld.js, gebruikt door de bibliotheken van Digital Bazaar) ondertekent het als "
            "0, terwijl JSON-LD 1.1 en deze verificatie het als double lezen. Een uitgever met die bibliotheken "
            "ondertekende dus andere gegevens; vraag hem zulke getallen als tekst te schrijven.",
        )
    return Check(
        "signature",
        "fail",
        f"The signature is not valid: the credential was changed or not signed by its issuer ({result.reason}).",
        f"De handtekening is ongeldig: de credential werd gewijzigd of niet door de uitgever ondertekend "
        f"({result.reason}).",
    )


def _trust_check(issuer: str | None, valid_from: datetime | None, is_trusted: TrustCheck) -> Check:
    if issuer is None or valid_from is None:
        return Check(
            "trusted-provider",
            "fail",
            "The issuer or the issuance date is missing.",
            "De uitgever of de uitgiftedatum ontbreekt.",
        )
    day = valid_from.date()
    try:
        trusted = is_trusted(issuer, day)
    except _EXPECTED_FAILURES:
        trusted = None
    if trusted is None:
        return Check(
            "trusted-provider",
            "fail",
            "The issuer is not a provider known to this register.",
            "De uitgever is geen aanbieder die dit register kent.",
        )
    if not trusted:
        return Check(
            "trusted-provider",
            "fail",
            f"On {day.isoformat()} the issuer had no valid quality assurance in the register.",
            f"Op {day.isoformat()} had de uitgever geen geldige kwaliteitszorg in het register.",
        )
    return Check(
        "trusted-provider",
        "pass",
        f"On {day.isoformat()} the issuer was a quality-assured provider.",
        f"Op {day.isoformat()} was de uitgever een aanbieder met erkende kwaliteitszorg.",
    )


def _validity_check(document: Mapping[str, Any], now: datetime) -> Check:
    valid_from = _parse_time(document.get("validFrom"))
    valid_until = _parse_time(document.get("validUntil")) if "validUntil" in document else None
    if valid_from is None or ("validUntil" in document and valid_until is None):
        return Check(
            "validity-period", "fail", "The validity dates cannot be read.", "De geldigheidsdata zijn onleesbaar."
        )
    if now < valid_from:
        return Check(
            "validity-period",
            "fail",
            f"Not valid yet: valid from {valid_from.isoformat()}.",
            f"Nog niet geldig: geldig vanaf {valid_from.isoformat()}.",
        )
    if valid_until is not None and now > valid_until:
        return Check(
            "validity-period",
            "fail",
            f"Expired on {valid_until.isoformat()}.",
            f"Verlopen op {valid_until.isoformat()}.",
        )
    return Check("validity-period", "pass", "Inside its validity period.", "Binnen de geldigheidsperiode.")


def _status_entries(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    status = document.get("credentialStatus")
    entries = status if isinstance(status, list) else [status] if status is not None else []
    return [entry for entry in entries if isinstance(entry, Mapping)]


def _entry_status(
    entry: Mapping[str, Any], issuer: str | None, fetch: StatusListFetcher, resolve_did: DidResolver
) -> tuple[Outcome, str, str]:
    purpose, url, index_text = (
        entry.get("statusPurpose"),
        entry.get("statusListCredential"),
        entry.get("statusListIndex"),
    )
    if entry.get("type") != "BitstringStatusListEntry" or not isinstance(url, str):
        return (
            "warn",
            "a status entry of an unknown kind was not checked",
            "een onbekend soort status werd niet gecontroleerd",
        )
    if not isinstance(index_text, str) or not index_text.isdigit():
        return "fail", "a status entry has no valid index", "een statusvermelding heeft geen geldige index"
    try:
        listed = fetch(url)
    except _EXPECTED_FAILURES:
        listed = None
    if listed is None:
        return "warn", f"the status list {url} could not be fetched", f"de statuslijst {url} kon niet worden opgehaald"
    _, did_document = _issuer_check(_issuer_id(listed), resolve_did)
    if _issuer_id(listed) != issuer or not _list_signed_by(issuer, _exact(listed), _exact(did_document)):
        return (
            "fail",
            f"the status list {url} is not signed by the issuer",
            f"de statuslijst {url} is niet door de uitgever ondertekend",
        )
    subject = listed.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("statusPurpose") != purpose:
        return "fail", f"the status list {url} is not a {purpose} list", f"de statuslijst {url} is geen {purpose}-lijst"
    size = entry.get("statusSize", 1)
    try:
        if type(size) is not int:
            raise StatusListError("statusSize is not an integer")
        bit = StatusList.decode(str(subject.get("encodedList"))).value(int(index_text), size)
    except StatusListError:
        return "fail", f"the status list {url} cannot be read", f"de statuslijst {url} is onleesbaar"
    if purpose == "message":
        return _message_status(entry, bit)
    if not bit:
        return "pass", f"not {purpose}", f"geen {purpose}"
    if purpose == "revocation":
        return "fail", "the issuer has revoked this credential", "de uitgever heeft deze credential ingetrokken"
    if purpose == "suspension":
        return "fail", "the issuer has suspended this credential", "de uitgever heeft deze credential geschorst"
    return "warn", f"status bit '{purpose}' is set", f"statusbit '{purpose}' staat aan"


def _message_status(entry: Mapping[str, Any], value: int) -> tuple[Outcome, str, str]:
    """A ``message`` entry (Bitstring Status List §2.1): the issuer's message for the value decides."""
    status = f"0x{value:x}"
    messages = entry.get("statusMessage")
    listed = [item for item in messages if isinstance(item, Mapping)] if isinstance(messages, list) else []
    message = next((str(item.get("message")) for item in listed if item.get("status") == status), None)
    if value == 0 or message == "valid":
        return "pass", "not revoked or suspended", "niet ingetrokken of geschorst"
    if message == "revoked":
        return "fail", "the issuer has revoked this credential", "de uitgever heeft deze credential ingetrokken"
    if message == "suspended":
        return "fail", "the issuer has suspended this credential", "de uitgever heeft deze credential geschorst"
    return "warn", f"the issuer reports status {status}: {message}", f"de uitgever meldt status {status}: {message}"


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
        return Check(
            "status",
            "warn",
            "The credential has no status entry, so its issuer cannot revoke it.",
            "De credential heeft geen status, dus de uitgever kan ze niet intrekken.",
        )
    results = [_entry_status(entry, issuer, fetch, resolve_did) for entry in entries]
    for wanted in ("fail", "warn"):
        chosen = [result for result in results if result[0] == wanted]
        if chosen:
            en = "; ".join(result[1] for result in chosen)
            nl = "; ".join(result[2] for result in chosen)
            return Check("status", chosen[0][0], en[0].upper() + en[1:] + ".", nl[0].upper() + nl[1:] + ".")
    return Check("status", "pass", "Neither revoked nor suspended.", "Niet ingetrokken en niet geschorst.")


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
                *(
                    Check(name, "fail", f"Could not be checked: {reason}", f"Niet te controleren: {reason}")
                    for name in CHECK_NAMES[1:]
                ),
            )
        )
    return VerificationResult(checks)
