"""Verification wired to the register: DIDs from its key table, trust from its QA records, its status lists.

Nothing is fetched from the network: a did:web or status list of another site cannot be resolved here,
and the result says so (the issuer check fails, the status check warns).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from microcred.credentials.verify import VerificationResult, verify_credential
from microcred.domain import StatusPurpose, is_trusted
from microcred.errors import Invalid, NotFound
from microcred.services import contexts
from microcred.services.dependencies import Dependencies
from microcred.services.keys import KeyStore
from microcred.services.ports import Clock, UnitOfWork, UnitOfWorkFactory

__all__ = [
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "MAX_NODES",
    "MAX_PROOFS",
    "Verification",
    "check_bounds",
    "did_document",
    "is_own_url",
    "own_document",
    "read_document",
    "verify_document",
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
    nodes = 0
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        nodes += 1
        if depth > MAX_DEPTH:
            raise Invalid.field("document", "nested-too-deep", levels=MAX_DEPTH)
        if nodes > MAX_NODES:
            raise Invalid.field("document", "too-many-values", most=MAX_NODES)
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        pending.extend((child, depth + 1) for child in children)


def _status_list(work: UnitOfWork, keys: KeyStore, url: str) -> Mapping[str, Any] | None:
    base = keys.public_base_url.rstrip("/") + "/providers/"
    if not url.startswith(base):
        return None
    provider, _, rest = url[len(base) :].partition("/status/")
    if rest not in {purpose.value for purpose in StatusPurpose}:
        return None
    try:
        stored = work.credentials.status_list_document(provider, StatusPurpose(rest))
    except NotFound:
        return None
    found: Mapping[str, Any] | None = None if stored is None else json.loads(stored)
    return found


def _trusted(work: UnitOfWork, keys: KeyStore, did: str, day: date) -> bool | None:
    provider = keys.provider_of(did)
    if provider is None:
        return None
    try:
        return is_trusted(work.providers.get(provider), day)
    except NotFound:
        return None


def verify_document(document: Any, *, uow: UnitOfWorkFactory, keys: KeyStore, clock: Clock) -> VerificationResult:
    """Every check of :func:`microcred.credentials.verify.verify_credential`, answered from this register.

    Invalid, before any work, for a document past the bounds of :func:`check_bounds`.
    """
    check_bounds(document)
    with uow() as work:
        return verify_credential(
            document,
            resolve_did=lambda did: keys.resolve_did(work, did),
            is_trusted=lambda did, day: _trusted(work, keys, did, day),
            fetch_status_list=lambda url: _status_list(work, keys, url),
            now=clock(),
        )


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

    def verify_document(self, document: Any) -> VerificationResult:
        return verify_document(document, uow=self._deps.uow, keys=self._deps.keys, clock=self._deps.clock)

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
