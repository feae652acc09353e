"""Providers' private signing keys sealed at rest: AES-256-GCM under a key derived with HKDF-SHA-256.

The data-encryption key is derived from the configured ``key_encryption_key`` secret (RFC 5869, fixed salt
and context label), so the secret itself never touches the database. Each sealed key is bound to its
provider and public key as associated data: a sealed blob copied onto another row does not open.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from microcred.credentials.keys import SigningKey
from microcred.errors import MicrocredError

__all__ = ["KeyVault", "SealedKeyError"]

_VERSION = b"\x01"
_SALT = b"microcred key vault"
_INFO = b"microcred/ed25519-signing-keys/aes-256-gcm/v1"
_NONCE_BYTES = 12


class SealedKeyError(MicrocredError):
    """A sealed key does not open: wrong key-encryption secret, or the stored bytes were altered."""

    code = "sealed-key"


class KeyVault:
    """Seals and opens Ed25519 seeds; holds only the derived key, and never shows it."""

    __slots__ = ("_aead",)

    def __init__(self, key_encryption_secret: str) -> None:
        if not key_encryption_secret:
            raise ValueError("a key-encryption secret is required")
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=_INFO).derive(
            key_encryption_secret.encode("utf-8")
        )
        self._aead = AESGCM(derived)

    def __repr__(self) -> str:
        return "KeyVault(<sealed>)"

    @staticmethod
    def _context(provider: str, public_key_multibase: str) -> bytes:
        return f"{provider}\x1f{public_key_multibase}".encode()

    def seal(self, key: SigningKey, *, provider: str) -> bytes:
        """version ‖ nonce ‖ AES-GCM(seed), bound to the provider and the key's public half."""
        nonce = os.urandom(_NONCE_BYTES)
        context = self._context(provider, key.public_key_multibase)
        return _VERSION + nonce + self._aead.encrypt(nonce, key.seed, context)

    def open(self, sealed: bytes, *, provider: str, public_key_multibase: str) -> SigningKey:
        if not sealed.startswith(_VERSION) or len(sealed) != 1 + _NONCE_BYTES + 32 + 16:
            raise SealedKeyError("sealed-key-format", provider=provider)
        nonce, body = sealed[1 : 1 + _NONCE_BYTES], sealed[1 + _NONCE_BYTES :]
        try:
            seed = self._aead.decrypt(nonce, body, self._context(provider, public_key_multibase))
        except InvalidTag:
            raise SealedKeyError("sealed-key-does-not-open", provider=provider) from None
        key = SigningKey.from_seed(seed)
        if key.public_key_multibase != public_key_multibase:
            raise SealedKeyError("sealed-key-mismatch", provider=provider)
        return key
