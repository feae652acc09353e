"""IETF Token Status List (draft-ietf-oauth-status-list): the status an SD-JWT VC's ``status`` claim points at.

The register keeps one state per credential (valid, suspended, revoked) and already publishes it as W3C
Bitstring Status Lists; this is the same state in the form SD-JWT VC verifiers read: two bits per entry
(§7.1: 0x00 VALID, 0x01 INVALID, 0x02 SUSPENDED), index *i* in the least significant bits first (§4.1),
DEFLATE with the zlib wrapper, base64url, in a ``statuslist+jwt`` signed by the provider's key (§5.1).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from datetime import datetime, timedelta

from microcred.credentials.jose import b64url, b64url_decode, sign_jws
from microcred.credentials.keys import SigningKey

__all__ = ["INVALID", "STATUS_BITS", "SUSPENDED", "VALID", "decode_list", "encode_list", "status_list_token"]

VALID, INVALID, SUSPENDED = 0x00, 0x01, 0x02
STATUS_BITS = 2
_TTL = timedelta(minutes=5)


def encode_list(statuses: Mapping[int, int], size: int, *, bits: int = STATUS_BITS) -> str:
    """``lst``: ``size`` entries of ``bits`` bits (unset ones VALID), packed and compressed (§4.1)."""
    per_byte = 8 // bits
    packed = bytearray((size + per_byte - 1) // per_byte)
    for index, value in statuses.items():
        if not 0 <= index < size or not 0 <= value < 1 << bits:
            raise ValueError(f"status {value} at {index} does not fit a list of {size} {bits}-bit entries")
        packed[index // per_byte] |= value << (index % per_byte) * bits
    return b64url(zlib.compress(bytes(packed), 9))


def decode_list(lst: str, *, bits: int = STATUS_BITS) -> list[int]:
    """Every entry's status, in index order (for tests and our own verifier)."""
    packed = zlib.decompress(b64url_decode(lst))
    per_byte, mask = 8 // bits, (1 << bits) - 1
    return [byte >> shift * bits & mask for byte in packed for shift in range(per_byte)]


def status_list_token(
    statuses: Mapping[int, int],
    size: int,
    *,
    uri: str,
    issued_at: datetime,
    signing_key: SigningKey,
    verification_method: str,
) -> str:
    """The signed Status List Token (§5.1): ``sub`` is its own URI, fresh for ``ttl`` seconds."""
    payload = {
        "sub": uri,
        "iat": int(issued_at.timestamp()),
        "exp": int((issued_at + 2 * _TTL).timestamp()),
        "ttl": int(_TTL.total_seconds()),
        "status_list": {"bits": STATUS_BITS, "lst": encode_list(statuses, size)},
    }
    header = {"typ": "statuslist+jwt", "kid": verification_method}
    return sign_jws(header, json.dumps(payload, separators=(",", ":")).encode("utf-8"), signing_key)
