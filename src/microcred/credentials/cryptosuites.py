"""The EdDSA Data Integrity cryptosuites as small values: a name, a canonicaliser, a hash, sign/verify.

W3C VC-DI-EdDSA v1.0 §3.2 (``eddsa-rdfc-2022``, RDFC-1.0) and §3.3 (``eddsa-jcs-2022``, RFC 8785).
Both hash with SHA-256 and sign with Ed25519 (RFC 8032, deterministic).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from nacl.bindings import crypto_sign_open
from nacl.exceptions import BadSignatureError

from microcred.credentials import canonical, jcs
from microcred.credentials.keys import SigningKey

__all__ = [
    "EDDSA_JCS_2022",
    "EDDSA_RDFC_2022",
    "EDDSA_RDFC_2022_REFERENCE",
    "SUITES",
    "Cryptosuite",
]

Canonicalizer = Callable[[Mapping[str, Any]], bytes]


@dataclass(frozen=True, slots=True)
class Cryptosuite:
    """One Data Integrity cryptosuite; :mod:`microcred.credentials.proofs` works over any of them."""

    name: str
    canonicalize: Canonicalizer
    proof_carries_context: bool
    """eddsa-jcs-2022 signs the proof with ``@context`` and keeps it in the emitted proof (§3.3.1)."""

    @staticmethod
    def hash(data: bytes) -> bytes:
        return hashlib.sha256(data).digest()

    @staticmethod
    def sign(signing_key: SigningKey, data: bytes) -> bytes:
        return signing_key.sign(data)

    @staticmethod
    def verify(public_key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
        # libsodium checks an Ed25519 signature in half OpenSSL 3.0's time (61 µs against 124 µs at load 5,
        # the largest part of a JCS verification); it is also the stricter of the two, refusing small-order
        # keys and non-canonical points as RFC 8032 §5.1.7 permits (docs/decisions/0040).
        try:
            crypto_sign_open(signature + data, public_key.public_bytes_raw())
        except (BadSignatureError, ValueError):
            return False
        return True

    def hash_data(self, document: Mapping[str, Any], proof_config: Mapping[str, Any]) -> bytes:
        """hash(canonical proof config) ‖ hash(canonical document), VC-DI-EdDSA §3.2.4 / §3.3.4."""
        return self.hash_proof_config(proof_config) + self.hash(self.canonicalize(document))

    def hash_proof_config(self, proof_config: Mapping[str, Any]) -> bytes:
        # A batch signs many documents under one proof configuration (same key, time, contexts): its hash is
        # memoised on bytes that identify the configuration exactly, its plain JSON bytes (2.7 µs a look-up
        # against 4.0 µs for its items sorted into a tuple, CPU time, load 1.8), or else its JCS bytes.
        key = jcs.plain_json_key(proof_config)
        if key is not None:
            return _config_hash(self, key)
        return _config_hash(self, jcs.canonicalize(proof_config))


@lru_cache(maxsize=256)
def _config_hash(suite: Cryptosuite, config_json: bytes) -> bytes:
    """Keyed on the configuration's JSON bytes (plain or JCS), which parse back to the value it signs."""
    return suite.hash(suite.canonicalize(json.loads(config_json)))


def _rdfc(document: Mapping[str, Any]) -> bytes:
    return canonical.canonicalize(document).encode("utf-8")


def _rdfc_reference(document: Mapping[str, Any]) -> bytes:
    return canonical.canonicalize_reference(document).encode("utf-8")


EDDSA_RDFC_2022 = Cryptosuite("eddsa-rdfc-2022", _rdfc, proof_carries_context=False)
"""eddsa-rdfc-2022 on :func:`canonical.canonicalize`: compiled when the route allows, byte-identical always."""
EDDSA_RDFC_2022_REFERENCE = Cryptosuite("eddsa-rdfc-2022", _rdfc_reference, proof_carries_context=False)
"""eddsa-rdfc-2022 on pyld's documented ``jsonld.expand`` + ``jsonld.normalize``; for cross-checks and benchmarks."""
EDDSA_JCS_2022 = Cryptosuite("eddsa-jcs-2022", jcs.canonicalize, proof_carries_context=True)

SUITES: Mapping[str, Cryptosuite] = {suite.name: suite for suite in (EDDSA_RDFC_2022, EDDSA_JCS_2022)}
"""The suites a verifier accepts, by ``cryptosuite`` name."""
