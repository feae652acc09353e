"""Verification wired to the register: DIDs from its key table, trust from its QA records, its status lists.

Other issuers' did:web documents and status lists are fetched over HTTPS by :mod:`microcred.services.remote`
(bounded, cached), before the transaction opens, so no database transaction waits on the network. Offline
(``MICROCRED_VERIFIER_OFFLINE`` or ``offline=True``), nothing is fetched and the checks that needed it are
reported ``not-checked``, by name.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, Literal
from urllib.parse import urlsplit

from microcred.credentials.did_web import did_web_url
from microcred.credentials.verify import (
    TRUST_DATES,
    FetchFailed,
    NotFetched,
    TrustDate,
    VerificationResult,
    verify_credential,
)
from microcred.domain import StatusPurpose, any_covers
from microcred.errors import Invalid, NotFound
from microcred.services import contexts
from microcred.services.dependencies import Dependencies
from microcred.services.keys import KeyStore
from microcred.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from microcred.services.remote import RemoteDocuments

__all__ = [
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "MAX_NODES",
    "MAX_PROOFS",
    "TRUST_DATES",
    "TrustDate",
    "Verification",
    "check_bounds",
    "did_document",
    "is_own_url",
    "own_document",
    "parse_trust_date",
    "read_document",
    "verify_document",
    "verify_documents",
]


# Bounds on what anyone may ask us to verify (issue 15, finding 6): a credential of this register is a few
# KB, about 10 levels deep, with one proof. Past these, canonicalisation and signature checks would cost
# seconds of CPU or overflow the stack, so the document is refused before any of that work starts.
MAX_DOCUMENT_BYTES = 512 * 1024
MAX_DEPTH = 32
MAX_NODES = 20_000
MAX_PROOFS = 4


def _too_deep(text: str) -> bool:
    """True when the JSON text nests arrays or objects past MAX_DEPTH (one linear pass, no recursion)."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif char in "]}":
            depth -= 1
    return False


def read_document(text: str) -> Any:
    """The JSON document in ``text``; Invalid when it is too large, nested too deep or not JSON."""
    if len(text.encode("utf-8", errors="replace")) > MAX_DOCUMENT_BYTES:
        raise Invalid.field("document", "document-too-large-kb", limit=MAX_DOCUMENT_BYTES // 1024)
    if _too_deep(text):
        raise Invalid.field("document", "nested-too-deep", levels=MAX_DEPTH)
    try:
        return json.loads(text)
    except ValueError:
        raise Invalid.field("document", "not-json-document") from None


def check_bounds(document: Any) -> None:
    """Invalid when a parsed document is deeper, larger or carries more proofs than a credential can."""
    proofs = document.get("proof") if isinstance(document, dict) else None
    if isinstance(proofs, list) and len(proofs) > MAX_PROOFS:
        raise Invalid.field("proof", "too-many-proofs", len(proofs), most=MAX_PROOFS)
    # Level by level, no pair per value: a walk with a (value, depth) pair each was a fifth of a verification.
    level, depth, nodes = [document], 1, 0
    while level:
        if depth > MAX_DEPTH:
            raise Invalid.field("document", "nested-too-deep", levels=MAX_DEPTH)
        nodes += len(level)
        if nodes > MAX_NODES:
            raise Invalid.field("document", "too-many-values", most=MAX_NODES)
        below: list[Any] = []
        for value in level:
            if isinstance(value, dict):
                below.extend(value.values())
            elif isinstance(value, list):
                below.extend(value)
        level, depth = below, depth + 1


def _status_list(work: UnitOfWork, keys: KeyStore, url: str) -> Mapping[str, Any] | None:
    base = keys.public_base_url.rstrip("/") + "/providers/"
    if not url.startswith(base):
        return None
    provider, _, rest = url[len(base) :].partition("/status/")
    purpose, _, number = rest.partition("/")  # ``message`` is list 1, ``message/2`` list 2 (decision 0021)
    if purpose not in {purpose.value for purpose in StatusPurpose}:
        return None
    if number and not (number.isascii() and number.isdigit() and number[0] != "0"):
        return None
    try:
        stored = work.credentials.status_list_document(provider, StatusPurpose(purpose), int(number or 1))
    except NotFound:
        return None
    found: Mapping[str, Any] | None = None if stored is None else json.loads(stored)
    return found


def _trusted(work: UnitOfWork, keys: KeyStore, did: str, day: date) -> bool | None:
    provider = keys.provider_of(did)
    if provider is None:
        return None
    try:
        return any_covers(work.providers.quality_assurances(provider), day)
    except NotFound:
        return None


def parse_trust_date(text: str) -> TrustDate | date:
    """``both``, ``created``, ``valid-from`` or a day (``2025-06-30``); Invalid naming ``trust_date`` otherwise."""
    for choice in TRUST_DATES:
        if text == choice:
            return choice
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid.field("trust_date", "trust-date-choice", text, choices=", ".join(TRUST_DATES)) from None


_Fetched = Mapping[str, Any] | LookupError


class _Foreign:
    """Other issuers' documents for one verification: fetched once each, failures kept as reasons."""

    def __init__(self, keys: KeyStore, remote: RemoteDocuments | None) -> None:
        self._keys = keys
        self._remote = remote  # None: offline
        self._found: dict[str, _Fetched] = {}

    def is_foreign_did(self, did: str) -> bool:
        return did.startswith("did:web:") and self._keys.provider_of(did) is None

    def is_foreign_url(self, url: str) -> bool:
        return not is_own_url(url, self._keys)

    def did_document(self, did: str) -> Mapping[str, Any]:
        return self._get(did, lambda remote: _fetch_did_web(remote, did))

    def status_list(self, url: str) -> Mapping[str, Any]:
        return self._get(url, lambda remote: _fetch_json(remote, url, what="status-list"))

    def _get(self, key: str, fetch: Callable[[RemoteDocuments], Mapping[str, Any]]) -> Mapping[str, Any]:
        if self._remote is None:
            raise NotFetched("offline")
        if key not in self._found:
            try:
                self._found[key] = fetch(self._remote)
            except FetchFailed as failure:
                self._found[key] = failure
        found = self._found[key]
        if isinstance(found, LookupError):
            raise found
        return found

    def prefetch(self, document: Any, *, status: bool) -> None:
        """Fetch what verifying ``document`` will ask for, so none of it happens inside a transaction."""
        if self._remote is None or not isinstance(document, Mapping):
            return
        issuer = document.get("issuer")
        issuer = issuer.get("id") if isinstance(issuer, Mapping) else issuer
        if isinstance(issuer, str) and self.is_foreign_did(issuer):
            _quietly(self.did_document, issuer)
        entries = document.get("credentialStatus") if status else None
        for entry in entries if isinstance(entries, list) else [entries]:
            url = entry.get("statusListCredential") if isinstance(entry, Mapping) else None
            if isinstance(url, str) and self.is_foreign_url(url):
                _quietly(self.status_list, url)


def _quietly(fetch: Callable[[str], object], key: str) -> None:
    with contextlib.suppress(LookupError):  # kept by _Foreign and reported by the check that asks for it
        fetch(key)


def _is_loopback_host(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _fetch_did_web(remote: RemoteDocuments, did: str) -> Mapping[str, Any]:
    """did:web §3.2 (Read): the DID document at its https URL; plain http only to loopback, in tests."""
    url = did_web_url(did)
    if remote.allows_local and _is_loopback_host(urlsplit(url).hostname):
        url = did_web_url(did, scheme="http")
    found = _fetch_json(remote, url, what="did-document")
    if found.get("id") != did:
        raise FetchFailed("did-document-for-another", url=url, found=found.get("id"), did=did)
    return found


def _fetch_json(
    remote: RemoteDocuments, url: str, *, what: Literal["did-document", "status-list"]
) -> Mapping[str, Any]:
    """The JSON object at ``url``, within the verifier's bounds; FetchFailed saying which rule it broke."""
    text = remote.fetch(url)
    try:
        found = read_document(text)
        check_bounds(found)
    except Invalid as refused:  # the problem is worded in the language of the check that reports it
        problem = refused.problems[0] if refused.problems else refused
        if what == "did-document":
            raise FetchFailed("did-document-refused", url=url, problem=problem) from None
        raise FetchFailed("status-list-refused", url=url, problem=problem) from None
    if not isinstance(found, dict):
        if what == "did-document":
            raise FetchFailed("did-document-not-object", url=url)
        raise FetchFailed("status-list-not-object", url=url)
    return found


def verify_document(
    document: Any,
    *,
    uow: UnitOfWorkFactory,
    keys: KeyStore,
    clock: Clock,
    remote: RemoteDocuments | None,
    check_status: bool = True,
    trust_date: TrustDate | date = "both",
) -> VerificationResult:
    """Every check of :func:`microcred.credentials.verify.verify_credential`, answered from this register
    and, unless ``remote`` is None (offline), from other issuers' published documents; Invalid, before any
    work, for a document past the bounds of :func:`check_bounds`."""
    return verify_documents(
        [document], uow=uow, keys=keys, clock=clock, remote=remote, check_status=check_status, trust_date=trust_date
    )[0]


def verify_documents(
    documents: Sequence[Any],
    *,
    uow: UnitOfWorkFactory,
    keys: KeyStore,
    clock: Clock,
    remote: RemoteDocuments | None,
    check_status: bool = True,
    trust_date: TrustDate | date = "both",
) -> list[VerificationResult]:
    """:func:`verify_document` for each of ``documents`` in one transaction, each status list, DID document
    and trust answer read once for all: six queries a credential were most of the evaluation job's time."""
    for document in documents:
        check_bounds(document)
    foreign = _Foreign(keys, remote)
    for document in documents:
        foreign.prefetch(document, status=check_status)
    own_lists: dict[str, Mapping[str, Any] | None] = {}
    own_dids: dict[str, Mapping[str, Any] | None] = {}

    def fetch_status_list(url: str) -> Mapping[str, Any] | None:
        if not check_status:
            raise NotFetched("status-off")
        if foreign.is_foreign_url(url):
            return foreign.status_list(url)
        if url not in own_lists:
            own_lists[url] = _status_list(work, keys, url)
        return own_lists[url]

    def resolve_did(did: str) -> Mapping[str, Any] | None:
        """The issuer's DID is asked for its proof and again for each status list it signed: read it once."""
        if foreign.is_foreign_did(did):
            return foreign.did_document(did)
        if did not in own_dids:
            own_dids[did] = keys.resolve_did(work, did)
        return own_dids[did]

    @functools.cache
    def is_trusted(did: str, day: date) -> bool | None:
        return _trusted(work, keys, did, day)

    with uow() as work:
        now = clock()
        return [
            verify_credential(
                document,
                resolve_did=resolve_did,
                is_trusted=is_trusted,
                fetch_status_list=fetch_status_list,
                now=now,
                trust_date=trust_date,
            )
            for document in documents
        ]


def did_document(provider: str, *, uow: UnitOfWorkFactory, keys: KeyStore) -> dict[str, Any]:
    """The provider's DID document (served at ``/providers/{slug}/did.json``); NotFound before its first key."""
    with uow() as work:
        work.providers.id_of(provider)
        return keys.did_document(work, provider)


def is_own_url(url: str, keys: KeyStore) -> bool:
    return url.startswith(keys.public_base_url.rstrip("/") + "/")


def own_document(url: str, *, uow: UnitOfWorkFactory, keys: KeyStore) -> dict[str, Any]:
    """A credential or status list this register serves, read from storage instead of over HTTP."""
    base = keys.public_base_url.rstrip("/")
    if url.startswith(base + "/credentials/"):
        uuid = url[len(base + "/credentials/") :].removesuffix(".json")
        with uow() as work:
            return work.credentials.get(f"urn:uuid:{uuid}").document
    with uow() as work:
        found = _status_list(work, keys, url)
    if found is None:
        raise NotFound("not-of-this-register", url=url)
    return dict(found)


class Verification:
    """Verifying credentials and publishing DIDs, bound to one register's keys and clock."""

    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps

    def read_document(self, text: str) -> Any:
        """The pasted or uploaded JSON text as a document, within the verifier's bounds."""
        return read_document(text)

    def verify_document(
        self,
        document: Any,
        *,
        offline: bool = False,
        check_status: bool = True,
        trust_date: TrustDate | date = "both",
    ) -> VerificationResult:
        """Every check; ``offline`` (or ``MICROCRED_VERIFIER_OFFLINE``) fetches nothing from other sites."""
        deps = self._deps
        return verify_document(
            document,
            uow=deps.uow,
            keys=deps.keys,
            clock=deps.clock,
            remote=None if offline or deps.settings.verifier_offline else deps.remote,
            check_status=check_status,
            trust_date=trust_date,
        )

    def did_document(self, provider: str) -> dict[str, Any]:
        return did_document(provider, uow=self._deps.uow, keys=self._deps.keys)

    def contexts(self) -> dict[str, str]:
        """Every JSON-LD context URL the register ships -> where the register serves its copy."""
        return contexts.context_index(self._deps.keys.public_base_url)

    def context_file(self, name: str) -> bytes:
        return contexts.context_file(name)

    def context_at(self, path: str) -> bytes:
        return contexts.context_at(path)

    def is_own_url(self, url: str) -> bool:
        return is_own_url(url, self._deps.keys)

    def own_document(self, url: str) -> dict[str, Any]:
        return own_document(url, uow=self._deps.uow, keys=self._deps.keys)
