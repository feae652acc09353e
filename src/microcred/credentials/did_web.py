"""``did:web`` identifiers and DID documents for providers, served by the register itself.

did:web Method Specification §3.1/§3.2: the DID is the host (a port percent-encoded as ``%3A``) followed
by the path segments joined with ``:``; ``did:web:example.org:providers:ugent`` resolves to
``https://example.org/providers/ugent/did.json``. Keys are Multikey verification methods (Controlled
Identifiers v1.0 §2.2.2) whose fragment is the public key itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from microcred.credentials.keys import KeyFormatError, decode_public_key_multibase
from microcred.credentials.loader import DID_V1_CONTEXT_URL, MULTIKEY_V1_CONTEXT_URL
from microcred.domain import IssuerKey

__all__ = [
    "did_document_url",
    "did_web",
    "did_web_document",
    "did_web_url",
    "public_key_from_document",
    "verification_method_id",
]

_PREFIX = "did:web:"


def did_web(public_base_url: str, provider: str) -> str:
    """``did:web:<host>[%3A<port>][:<base path>]:providers:<slug>`` for a provider of this register."""
    parts = urlsplit(public_base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"public_base_url {public_base_url!r} is not an http(s) URL")
    host = parts.hostname if parts.port is None else f"{parts.hostname}%3A{parts.port}"
    segments = [quote(segment, safe="") for segment in parts.path.split("/") if segment]
    return ":".join([_PREFIX + host, *segments, "providers", provider])


def did_web_url(did: str, *, scheme: str = "https") -> str:
    """The URL a ``did:web`` resolves to (§3.2: ``/.well-known/did.json`` when there is no path)."""
    if not did.startswith(_PREFIX):
        raise ValueError(f"{did!r} is not a did:web identifier")
    host, *path = did[len(_PREFIX) :].split("#", maxsplit=1)[0].split(":")
    base = f"{scheme}://{unquote(host)}"
    if not path:
        return f"{base}/.well-known/did.json"
    return base + "/" + "/".join(unquote(segment) for segment in path) + "/did.json"


def did_document_url(public_base_url: str, provider: str) -> str:
    """Where this register serves a provider's DID document (same path as :func:`did_web_url`)."""
    return f"{public_base_url.rstrip('/')}/providers/{provider}/did.json"


def verification_method_id(did: str, public_key_multibase: str) -> str:
    return f"{did}#{public_key_multibase}"


def did_web_document(did: str, keys: Iterable[IssuerKey]) -> dict[str, Any]:
    """The DID document: every key as a Multikey, current first; retired keys stay for older credentials.

    A retired key keeps ``assertionMethod`` (credentials it signed still verify) but leaves
    ``authentication``, which lists the current key only. Neither Multikey ``expires`` nor ``revoked``
    is set: both tell verifiers to reject proofs by the key, also older ones (Controlled Identifiers v1.0
    §2.2), which is the opposite of retiring it.
    """
    methods: list[dict[str, Any]] = []
    current: list[str] = []
    for key in keys:
        method_id = verification_method_id(did, key.public_key_multibase)
        method: dict[str, Any] = {
            "id": method_id,
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.public_key_multibase,
        }
        if key.retired_at is None:
            current.append(method_id)
        methods.append(method)
    return {
        "@context": [DID_V1_CONTEXT_URL, MULTIKEY_V1_CONTEXT_URL],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
        "authentication": current,
    }


def public_key_from_document(document: Mapping[str, Any], method_id: str) -> Ed25519PublicKey:
    """The Ed25519 key of ``method_id`` if the DID document lists it for assertions; LookupError otherwise."""
    if method_id not in document.get("assertionMethod", []):
        raise LookupError(f"{method_id} is not an assertion method of {document.get('id')}")
    for method in document.get("verificationMethod", []):
        if isinstance(method, Mapping) and method.get("id") == method_id:
            value = method.get("publicKeyMultibase")
            if not isinstance(value, str):
                raise LookupError(f"{method_id} has no publicKeyMultibase")
            try:
                return decode_public_key_multibase(value)
            except KeyFormatError as error:
                raise LookupError(str(error)) from error
    raise LookupError(f"{method_id} is not in the DID document of {document.get('id')}")
