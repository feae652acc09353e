"""Verify a credential: one named check per question a verifier asks, each pass / fail / warn with a reason.

Never raises on a bad credential. What needs the outside world comes in as callables: DID resolution,
the trust question (was the issuer a quality-assured provider on that day?), fetching a status list
credential, and the clock. The register passes its own; nothing here touches the network. A callable that
was not allowed to look (offline, status checks turned off) raises :class:`NotFetched`, and the checks that
needed it are ``not-checked``; one that looked and failed raises :class:`FetchFailed`, and they fail.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, Literal, get_args

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from microcred.credentials.did_web import public_key_from_document
from microcred.credentials.loader import VC_V2_CONTEXT_URL
from microcred.credentials.ob3 import schema_problems
from microcred.credentials.proofs import proofs_of, verify_proof
from microcred.credentials.status_list import StatusList, StatusListError

__all__ = [
    "CHECK_NAMES",
    "OUTCOMES",
    "TRUST_DATES",
    "Check",
    "DidResolver",
    "FetchFailed",
    "NotFetched",
    "Outcome",
    "StatusListFetcher",
    "TrustCheck",
    "TrustDate",
    "VerificationResult",
    "verify_credential",
]

Outcome = Literal["pass", "fail", "warn", "not-checked"]
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
TrustDate = Literal["both", "created", "valid-from"]
"""Which day(s) the issuer must have been a trusted provider: the proofs' ``created``, ``validFrom``, or both."""
TRUST_DATES: tuple[TrustDate, ...] = get_args(TrustDate)
DidResolver = Callable[[str], Mapping[str, Any] | None]
"""A DID -> its DID document, or None when it cannot be resolved."""
TrustCheck = Callable[[str, date], bool | None]
"""(issuer DID, day) -> trusted that day; None when the issuer is not a provider we know."""
StatusListFetcher = Callable[[str], Mapping[str, Any] | None]
"""A status list credential URL -> the signed list credential, or None when it cannot be fetched."""


class NotFetched(LookupError):
    """A resolver or fetcher was not allowed to look (offline, or status checks turned off); says which."""


class FetchFailed(LookupError):
    """A resolver or fetcher looked and failed (refused address, timeout, HTTP error, too large); says why."""


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


def _as_the_schema_reads_it(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """The credential with ``proof`` as a list: VC-DI §2.1 allows one proof object or a set, and the
    1EdTech schema types the set only, so a single proof (what Digital Bazaar's ``vc.issue`` emits) is
    read as the one-element set it means. Nothing else is changed: every field meets the schema as sent."""
    if "proof" not in document or isinstance(document["proof"], list):
        return document
    return {**document, "proof": [document["proof"]]}


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
    problems = schema_problems(_as_the_schema_reads_it(document))
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


@dataclass(frozen=True, slots=True)
class _Resolved:
    """The issuer check and what it found: the DID document, or why there is none."""

    check: Check
    document: Mapping[str, Any] | None


def _issuer_check(issuer: str | None, resolve_did: DidResolver) -> _Resolved:
    if issuer is None:
        return _Resolved(
            Check("issuer", "fail", "The credential names no issuer.", "De credential noemt geen uitgever."), None
        )
    try:
        document = resolve_did(issuer)
    except NotFetched as skipped:
        return _Resolved(
            Check(
                "issuer",
                "not-checked",
                f"Not checked: the DID document of {issuer} was not fetched ({skipped}).",
                f"Niet gecontroleerd: het DID-document van {issuer} werd niet opgehaald ({skipped}).",
            ),
            None,
        )
    except FetchFailed as failure:
        return _Resolved(
            Check(
                "issuer",
                "fail",
                f"The issuer {issuer} could not be resolved: {failure}.",
                f"De uitgever {issuer} kon niet worden opgezocht: {failure}.",
            ),
            None,
        )
    except _EXPECTED_FAILURES:
        document = None
    if document is None or document.get("id") != issuer:
        return _Resolved(
            Check(
                "issuer",
                "fail",
                f"The issuer {issuer} could not be resolved (did:key and did:web are looked up).",
                f"De uitgever {issuer} kon niet worden opgezocht (did:key en did:web worden opgezocht).",
            ),
            None,
        )
    return _Resolved(
        Check("issuer", "pass", f"The issuer {issuer} was resolved.", f"De uitgever {issuer} is gevonden."), document
    )


def _signature_check(document: Mapping[str, Any], issuer: str | None, resolved: _Resolved) -> Check:
    """Every proof must verify with a key of the issuer's DID document (VC-DI §4.5; a set is all or nothing)."""
    if resolved.check.outcome == "not-checked":
        return Check(
            "signature",
            "not-checked",
            "Not checked: the issuer's keys were not fetched.",
            "Niet gecontroleerd: de sleutels van de uitgever werden niet opgehaald.",
        )
    did_document = resolved.document

    def resolve_key(method_id: str) -> Ed25519PublicKey:
        if did_document is None or method_id.split("#", 1)[0] != issuer:
            raise LookupError(f"{method_id} is not a key of the issuer {issuer}")
        return public_key_from_document(did_document, method_id)

    result = verify_proof(document, resolve_key=resolve_key)
    if result.verified:
        count = len(result.proofs)
        en = "The signature is valid" if count == 1 else f"All {count} signatures are valid"
        nl = "De handtekening is geldig" if count == 1 else f"Alle {count} handtekeningen zijn geldig"
        return Check(
            "signature",
            "pass",
            f"{en}: the content is exactly what the issuer signed.",
            f"{nl}: de inhoud is precies wat de uitgever ondertekende.",
        )
    return Check(
        "signature",
        "fail",
        f"The signature is not valid: the credential was changed or not signed by its issuer ({result.reason}).",
        f"De handtekening is ongeldig: de credential werd gewijzigd of niet door de uitgever ondertekend "
        f"({result.reason}).",
    )


def _trust_days(document: Mapping[str, Any], trust_date: TrustDate | date) -> tuple[list[date], str, str]:
    """The days the issuer must have been trusted, and in words which dates they are (en, nl)."""
    if isinstance(trust_date, date):
        return [trust_date], "the date asked for", "de gevraagde datum"
    valid_from = _parse_time(document.get("validFrom"))
    created = [
        moment.date()
        for proof in proofs_of(document)
        if isinstance(proof, Mapping) and (moment := _parse_time(proof.get("created"))) is not None
    ]
    days: list[date] = []
    if trust_date in ("both", "valid-from") and valid_from is not None:
        days.append(valid_from.date())
    if trust_date in ("both", "created"):
        days.extend(created)
    words = {
        "both": ("the proof's created date and validFrom", "de aanmaakdatum van het bewijs en validFrom"),
        "created": ("the proof's created date", "de aanmaakdatum van het bewijs"),
        "valid-from": ("validFrom", "validFrom"),
    }[trust_date]
    if trust_date == "both" and not created:
        words = ("validFrom (the proof carries no created date)", "validFrom (het bewijs heeft geen aanmaakdatum)")
    missing = (trust_date == "created" and not created) or (trust_date == "valid-from" and valid_from is None)
    return ([] if missing else sorted(set(days))), *words


def _trust_check(
    document: Mapping[str, Any], issuer: str | None, is_trusted: TrustCheck, trust_date: TrustDate | date
) -> Check:
    """Was the issuer a quality-assured provider on the day(s) it signed? Judged by default on both the
    proof's ``created`` and ``validFrom``: each is asserted by the issuer, and a back-dated ``validFrom``
    alone must not carry a credential signed after the provider's quality assurance lapsed."""
    days, en_dates, nl_dates = _trust_days(document, trust_date)
    if issuer is None or not days:
        return Check(
            "trusted-provider",
            "fail",
            f"The issuer or the date to judge trust on ({en_dates}) is missing.",
            f"De uitgever of de datum om vertrouwen op te beoordelen ({nl_dates}) ontbreekt.",
        )
    answers: list[bool | None] = []
    for day in days:
        try:
            answers.append(is_trusted(issuer, day))
        except _EXPECTED_FAILURES:
            answers.append(None)
    if any(answer is None for answer in answers):
        return Check(
            "trusted-provider",
            "warn",
            "The issuer is not a provider this register knows, so the register cannot vouch for its quality "
            "assurance; the other checks say whether the credential is authentic.",
            "De uitgever is geen aanbieder die dit register kent, dus het register kan niet instaan voor "
            "de kwaliteitszorg; de andere controles zeggen of de credential echt is.",
        )
    shown = ", ".join(day.isoformat() for day in days)
    lapsed = [day.isoformat() for day, answer in zip(days, answers, strict=True) if not answer]
    if lapsed:
        return Check(
            "trusted-provider",
            "fail",
            f"On {', '.join(lapsed)} ({en_dates}) the issuer had no valid quality assurance in the register.",
            f"Op {', '.join(lapsed)} ({nl_dates}) had de uitgever geen geldige kwaliteitszorg in het register.",
        )
    return Check(
        "trusted-provider",
        "pass",
        f"On {shown} ({en_dates}) the issuer was a quality-assured provider.",
        f"Op {shown} ({nl_dates}) was de uitgever een aanbieder met erkende kwaliteitszorg.",
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


_EntryOutcome = tuple[Outcome, str, str]


def _fetch_list(url: str, fetch: StatusListFetcher) -> Mapping[str, Any] | _EntryOutcome:
    """The status list credential, or the entry's outcome when it could not be had.

    Bitstring Status List v1.0 §3.2 raises STATUS_RETRIEVAL_ERROR when the list cannot be retrieved: a
    list that is missing fails the credential, as in Digital Bazaar's verifier. Not looking is not-checked."""
    try:
        listed = fetch(url)
    except NotFetched as skipped:
        return (
            "not-checked",
            f"the status list {url} was not fetched ({skipped})",
            f"de statuslijst {url} werd niet opgehaald ({skipped})",
        )
    except FetchFailed as failure:
        return (
            "fail",
            f"the status list {url} could not be fetched: {failure}",
            f"de statuslijst {url} kon niet worden opgehaald: {failure}",
        )
    except _EXPECTED_FAILURES:
        listed = None
    if listed is None:
        return "fail", f"the status list {url} could not be fetched", f"de statuslijst {url} kon niet worden opgehaald"
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
        return (
            "not-checked",
            f"a status entry of a kind this verifier does not know ({entry.get('type')!r}) was not checked",
            f"een statusvermelding van een onbekend soort ({entry.get('type')!r}) werd niet gecontroleerd",
        )
    if not isinstance(index_text, str) or not index_text.isdigit():
        return "fail", "a status entry has no valid index", "een statusvermelding heeft geen geldige index"
    listed = _fetch_list(url, fetch)
    if isinstance(listed, tuple):
        return listed
    not_signed: _EntryOutcome = (
        "fail",
        f"the status list {url} is not signed by the issuer",
        f"de statuslijst {url} is niet door de uitgever ondertekend",
    )
    if _issuer_id(listed) != issuer:
        return not_signed
    resolved = _issuer_check(issuer, resolve_did)
    if resolved.check.outcome == "not-checked":
        return (
            "not-checked",
            f"the key that signed the status list {url} was not fetched",
            f"de sleutel die de statuslijst {url} ondertekende werd niet opgehaald",
        )
    if not _list_signed_by(issuer, _exact(listed), _exact(resolved.document)):
        return not_signed
    until = _parse_time(listed.get("validUntil"))
    if until is not None and now > until:
        return (
            "fail",
            f"the status list {url} expired on {until.isoformat()}",
            f"de statuslijst {url} is verlopen op {until.isoformat()}",
        )
    subject = listed.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("statusPurpose") != purpose:
        return "fail", f"the status list {url} is not a {purpose} list", f"de statuslijst {url} is geen {purpose}-lijst"
    try:
        bit = StatusList.decode(str(subject.get("encodedList"))).get(int(index_text))
    except StatusListError:
        return "fail", f"the status list {url} cannot be read", f"de statuslijst {url} is onleesbaar"
    if not bit:
        return "pass", f"not {purpose}", f"geen {purpose}"
    if purpose == "revocation":
        return "fail", "the issuer has revoked this credential", "de uitgever heeft deze credential ingetrokken"
    if purpose == "suspension":
        return "fail", "the issuer has suspended this credential", "de uitgever heeft deze credential geschorst"
    return "warn", f"status bit '{purpose}' is set", f"statusbit '{purpose}' staat aan"


def _exact(value: Mapping[str, Any] | None) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@lru_cache(maxsize=512)
def _list_signed_by(issuer: str | None, listed: str, did_document: str) -> bool:
    """Whether a status list (as exact JSON) carries a valid proof by ``issuer``'s key in ``did_document``.

    Every credential of a provider points at the same two lists: checking each list's signature once per
    version, not once per credential, makes verification about a third faster. Keyed on the exact JSON of
    the list and of the DID document, so any change to either is checked afresh."""
    document = json.loads(did_document)
    resolved = _Resolved(Check("issuer", "pass", "", ""), document)
    return _signature_check(json.loads(listed), issuer, resolved).outcome == "pass"


def _status_check(
    document: Mapping[str, Any], issuer: str | None, fetch: StatusListFetcher, resolve_did: DidResolver, now: datetime
) -> Check:
    entries = _status_entries(document)
    if not entries:
        return Check(
            "status",
            "warn",
            "The credential has no status entry, so its issuer cannot revoke it.",
            "De credential heeft geen status, dus de uitgever kan ze niet intrekken.",
        )
    results = [_entry_status(entry, issuer, fetch, resolve_did, now) for entry in entries]
    for wanted in ("fail", "not-checked", "warn"):
        chosen = [result for result in results if result[0] == wanted]
        if chosen:
            en = "; ".join(result[1] for result in chosen)
            nl = "; ".join(result[2] for result in chosen)
            prefix = ("Not checked: ", "Niet gecontroleerd: ") if wanted == "not-checked" else ("", "")
            return Check(
                "status",
                chosen[0][0],
                prefix[0] + (en if prefix[0] else en[0].upper() + en[1:]) + ".",
                prefix[1] + (nl if prefix[1] else nl[0].upper() + nl[1:]) + ".",
            )
    return Check("status", "pass", "Neither revoked nor suspended.", "Niet ingetrokken en niet geschorst.")


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
            _trust_check(document, issuer, is_trusted, trust_date),
            _status_check(document, issuer, fetch_status_list, resolve_did, now),
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
