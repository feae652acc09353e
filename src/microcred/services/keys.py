"""Providers' signing keys: created on first use, sealed at rest, rotated on request, published as did:web.

The private half is opened only in this process, for the moment of signing; it never leaves as text, in a
log line or in an error message.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from microcred.credentials.did_web import did_web, did_web_document, public_key_from_document, verification_method_id
from microcred.credentials.key_vault import KeyVault
from microcred.credentials.keys import SigningKey, did_key_document, resolve_did_key
from microcred.domain import IssuerKey
from microcred.errors import NotFound
from microcred.services.ports import UnitOfWork

__all__ = ["KeyStore"]


class KeyStore:
    """Opens and creates providers' keys inside a caller's unit of work; knows the register's DIDs."""

    def __init__(self, vault: KeyVault, public_base_url: str) -> None:
        self._vault = vault
        self.public_base_url = public_base_url

    def __repr__(self) -> str:
        return f"KeyStore({self.public_base_url!r})"

    def did(self, provider: str) -> str:
        return did_web(self.public_base_url, provider)

    def provider_of(self, did: str) -> str | None:
        """The slug of the provider whose did:web this is, when it is one of this register's."""
        prefix = did_web(self.public_base_url, "")
        if not did.startswith(prefix):
            return None
        slug = did[len(prefix) :]
        return slug if slug and ":" not in slug else None

    def create(self, work: UnitOfWork, provider: str, at: datetime) -> IssuerKey:
        """A new current key for ``provider`` (call :meth:`retire` first when rotating)."""
        work.providers.id_of(provider)
        key = SigningKey.generate()
        record = IssuerKey(provider=provider, public_key_multibase=key.public_key_multibase, created_at=at)
        work.signing_keys.add(record, self._vault.seal(key, provider=provider))
        return record

    def signing_key(self, work: UnitOfWork, provider: str, at: datetime) -> tuple[SigningKey, str]:
        """The provider's current key and its verification method id; a first key is made when none exists."""
        current = work.signing_keys.current(provider) or self.create(work, provider, at)
        sealed = work.signing_keys.sealed(current.public_key_multibase)
        key = self._vault.open(sealed, provider=provider, public_key_multibase=current.public_key_multibase)
        return key, verification_method_id(self.did(provider), current.public_key_multibase)

    def rotate(self, work: UnitOfWork, provider: str, at: datetime) -> IssuerKey:
        """Retire the current key (it stays published) and make a new one."""
        work.signing_keys.retire(provider, at)
        return self.create(work, provider, at)

    def did_document(self, work: UnitOfWork, provider: str) -> dict[str, Any]:
        keys = work.signing_keys.all(provider)
        if not keys:
            raise NotFound("no-signing-keys", provider=provider)
        return did_web_document(self.did(provider), keys)

    def resolve_did(self, work: UnitOfWork, did: str) -> Mapping[str, Any] | None:
        """A DID document without the network: did:key locally, this register's did:web from its key table."""
        if did.startswith("did:key:"):
            try:
                return did_key_document(did)
            except ValueError:
                return None
        provider = self.provider_of(did)
        if provider is None:
            return None
        try:
            return self.did_document(work, provider)
        except NotFound:
            return None

    def public_key(self, work: UnitOfWork, method_id: str) -> Ed25519PublicKey:
        """The key behind a verification method id; LookupError when it cannot be resolved here."""
        if method_id.startswith("did:key:"):
            return resolve_did_key(method_id)
        document = self.resolve_did(work, method_id.split("#", 1)[0])
        if document is None:
            raise LookupError(f"{method_id} cannot be resolved by this register (no network look-ups)")
        return public_key_from_document(document, method_id)
