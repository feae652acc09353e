"""Ed25519 keys as Multikey values and ``did:key`` identifiers, resolved locally without a network.

A Multikey public key is ``z`` + base58btc(0xed 0x01 ‖ 32-byte key); a secret key uses the multicodec
0x8026 (``ed25519-priv``) before the 32-byte seed (Controlled Identifiers v1.0 §2.2.2, did:key v0.7).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from nacl.bindings import crypto_sign, crypto_sign_BYTES, crypto_sign_seed_keypair

from microcred.credentials import multibase
from microcred.credentials.loader import DID_V1_CONTEXT_URL, MULTIKEY_V1_CONTEXT_URL

__all__ = [
    "KeyFormatError",
    "SigningKey",
    "decode_public_key_multibase",
    "did_key_document",
    "encode_public_key_multibase",
    "resolve_did_key",
]

_ED25519_PUB = b"\xed\x01"
_ED25519_PRIV = b"\x80\x26"
_DID_KEY = "did:key:"


class KeyFormatError(ValueError):
    """A key, Multikey string or did:key identifier is malformed or not Ed25519."""


def encode_public_key_multibase(public_key: Ed25519PublicKey) -> str:
    """The ``publicKeyMultibase`` (``z6Mk…``) of an Ed25519 public key."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return multibase.encode_base58btc(_ED25519_PUB + raw)


@lru_cache(maxsize=1024)
def decode_public_key_multibase(value: str) -> Ed25519PublicKey:
    """Parse a ``z6Mk…`` Multikey; anything but an Ed25519 public key is refused.

    Kept for the last 1,024 keys: a verification decodes its issuer's key twice (issuer check and proof),
    and a batch of credentials shares one issuer; 9 µs a decoding (load 5), a public key is immutable."""
    try:
        decoded = multibase.decode(value)
    except multibase.MultibaseError as error:
        raise KeyFormatError(f"publicKeyMultibase {value!r}: {error}") from error
    if not decoded.startswith(_ED25519_PUB) or len(decoded) != 34:
        raise KeyFormatError(f"publicKeyMultibase {value!r} is not an Ed25519 public key (0xed01 + 32 bytes)")
    return Ed25519PublicKey.from_public_bytes(decoded[2:])


@dataclass(frozen=True, slots=True)
class SigningKey:
    """An Ed25519 private key with its Multikey and did:key names."""

    private_key: Ed25519PrivateKey
    # The public names are asked for once per proof; encoding them is worth doing only once per key.
    _public_multibase: str = field(init=False, repr=False, compare=False)
    # libsodium signs in about half OpenSSL 3.0's time (24 µs against 43 µs a signature, load 0.8), the
    # largest part of a JCS issue; it wants seed ‖ public key, derived here once by libsodium itself so the
    # two halves always belong together. Ed25519 is deterministic (RFC 8032): the signature is the same bytes.
    _sodium_secret_key: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_public_multibase", encode_public_key_multibase(self.private_key.public_key()))
        _, secret_key = crypto_sign_seed_keypair(self.private_key.private_bytes_raw())
        object.__setattr__(self, "_sodium_secret_key", secret_key)

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> SigningKey:
        """From the 32-byte RFC 8032 seed (the part a secret Multikey carries)."""
        if len(seed) != 32:
            raise KeyFormatError(f"an Ed25519 seed is 32 bytes, not {len(seed)}")
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @classmethod
    def from_secret_key_multibase(cls, value: str) -> SigningKey:
        """From ``secretKeyMultibase`` (0x8026 + seed, or + seed ‖ public key as some tools write)."""
        try:
            decoded = multibase.decode(value)
        except multibase.MultibaseError as error:
            raise KeyFormatError(f"secretKeyMultibase: {error}") from error
        if not decoded.startswith(_ED25519_PRIV) or len(decoded) not in (34, 66):
            raise KeyFormatError("secretKeyMultibase is not an Ed25519 secret key (0x8026 + 32 or 64 bytes)")
        key = cls.from_seed(decoded[2:34])
        if len(decoded) == 66 and decoded[34:] != key.public_key_bytes:
            raise KeyFormatError("secretKeyMultibase carries a public key that does not match its seed")
        return key

    @property
    def seed(self) -> bytes:
        return self.private_key.private_bytes_raw()

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def public_key_bytes(self) -> bytes:
        return self.public_key.public_bytes_raw()

    @property
    def public_key_multibase(self) -> str:
        return self._public_multibase

    @property
    def secret_key_multibase(self) -> str:
        return multibase.encode_base58btc(_ED25519_PRIV + self.seed)

    @property
    def did(self) -> str:
        return _DID_KEY + self.public_key_multibase

    @property
    def verification_method(self) -> str:
        """``did:key:<key>#<key>``, the id a proof names in ``verificationMethod``."""
        return f"{self.did}#{self.public_key_multibase}"

    def sign(self, message: bytes) -> bytes:
        # crypto_sign answers signature ‖ message; the message is 64 bytes of hashes, so the copy is nothing.
        signed: bytes = crypto_sign(message, self._sodium_secret_key)
        return signed[:crypto_sign_BYTES]


def _split_did_key(identifier: str) -> tuple[str, str]:
    if not identifier.startswith(_DID_KEY):
        raise KeyFormatError(f"{identifier!r} is not a did:key identifier")
    did, _, fragment = identifier.partition("#")
    key = did[len(_DID_KEY) :]
    if fragment and fragment != key:
        raise KeyFormatError(f"{identifier!r}: a did:key Ed25519 fragment must repeat the key")
    return did, key


def resolve_did_key(verification_method: str) -> Ed25519PublicKey:
    """The public key of ``did:key:z6Mk…`` or ``did:key:z6Mk…#z6Mk…``, derived from the id itself."""
    _, key = _split_did_key(verification_method)
    return decode_public_key_multibase(key)


def did_key_document(did: str) -> dict[str, Any]:
    """The DID document a did:key resolves to, with its single Multikey verification method."""
    did, key = _split_did_key(did)
    decode_public_key_multibase(key)
    method_id = f"{did}#{key}"
    return {
        "@context": [DID_V1_CONTEXT_URL, MULTIKEY_V1_CONTEXT_URL],
        "id": did,
        "verificationMethod": [{"id": method_id, "type": "Multikey", "controller": did, "publicKeyMultibase": key}],
        "authentication": [method_id],
        "assertionMethod": [method_id],
        "capabilityDelegation": [method_id],
        "capabilityInvocation": [method_id],
    }
