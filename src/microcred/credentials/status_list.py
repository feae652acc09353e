"""W3C Bitstring Status List v1.0: the revocation/suspension bitstring, its entries and list credential.

The list is at least 131,072 bits (16 KiB, group privacy, §6.1), GZIP-compressed, then multibase
base64url without padding (``u…``). Bit 0 is the most significant bit of the first byte (§4.1).
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass, field
from typing import Any, Literal

from microcred.credentials import multibase
from microcred.credentials.loader import VC_V2_CONTEXT_URL

__all__ = [
    "MAXIMUM_BYTES",
    "MINIMUM_BITS",
    "StatusList",
    "StatusListError",
    "StatusPurpose",
    "status_list_credential",
    "status_list_entry",
]

MINIMUM_BITS = 131_072
MAXIMUM_BYTES = 16 * 1024 * 1024
"""A decoded list larger than this (134 million entries) is refused: a small GZIP body must not fill memory."""
StatusPurpose = Literal["revocation", "suspension"]
# Fixed mtime keeps the encoding reproducible for the same bits (GZIP header bytes 4-7, RFC 1952).
_GZIP_MTIME = 0


class StatusListError(ValueError):
    """An encoded list is malformed or too short, or an index is out of range."""


@dataclass(slots=True)
class StatusList:
    """A mutable bitstring; one bit per credential, addressed by ``statusListIndex``."""

    length: int = MINIMUM_BITS
    _bits: bytearray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.length < MINIMUM_BITS or self.length % 8:
            raise StatusListError(f"a status list needs a multiple of 8 bits, at least {MINIMUM_BITS}")
        self._bits = bytearray(self.length // 8)

    @classmethod
    def decode(cls, encoded_list: str) -> StatusList:
        """Parse an ``encodedList`` value (any GZIP header, e.g. either OS byte)."""
        try:
            inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # GZIP framing (RFC 1952)
            raw = inflater.decompress(multibase.decode(encoded_list), MAXIMUM_BYTES + 1)
        except (multibase.MultibaseError, zlib.error) as error:
            raise StatusListError(f"encodedList cannot be decoded: {error}") from error
        if len(raw) > MAXIMUM_BYTES:
            raise StatusListError(f"status list holds more than {MAXIMUM_BYTES * 8} bits")
        if not inflater.eof:
            raise StatusListError("encodedList cannot be decoded: the GZIP data is cut short")
        if not encoded_list.startswith("u"):
            raise StatusListError("encodedList must be multibase base64url ('u' prefix)")
        if len(raw) * 8 < MINIMUM_BITS:
            raise StatusListError(f"status list holds {len(raw) * 8} bits, fewer than {MINIMUM_BITS}")
        status_list = cls(len(raw) * 8)
        status_list._bits[:] = raw
        return status_list

    def encode(self) -> str:
        """The ``encodedList`` value: GZIP, then multibase base64url without padding."""
        return multibase.encode_base64url(gzip.compress(bytes(self._bits), mtime=_GZIP_MTIME))

    def _locate(self, index: int) -> tuple[int, int]:
        if not 0 <= index < self.length:
            raise StatusListError(f"status list index {index} is outside 0..{self.length - 1}")
        return index // 8, 0x80 >> (index % 8)

    def get(self, index: int) -> bool:
        position, mask = self._locate(index)
        return bool(self._bits[position] & mask)

    def set(self, index: int, value: bool = True) -> None:
        position, mask = self._locate(index)
        if value:
            self._bits[position] |= mask
        else:
            self._bits[position] &= ~mask & 0xFF

    def set_indexes(self) -> list[int]:
        """Every index whose bit is set, ascending."""
        return [
            position * 8 + offset
            for position, byte in enumerate(self._bits)
            if byte
            for offset in range(8)
            if byte & (0x80 >> offset)
        ]


def status_list_entry(*, list_credential_url: str, index: int, purpose: StatusPurpose = "revocation") -> dict[str, Any]:
    """The ``credentialStatus`` entry pointing a credential at its bit (§2.1)."""
    if index < 0:
        raise StatusListError("statusListIndex cannot be negative")
    return {
        "id": f"{list_credential_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_credential_url,
    }


def status_list_credential(
    *,
    url: str,
    issuer: str | dict[str, Any],
    status_list: StatusList,
    valid_from: str,
    purpose: StatusPurpose = "revocation",
    valid_until: str | None = None,
) -> dict[str, Any]:
    """An unsigned VC 2.0 ``BitstringStatusListCredential`` (§2.2); sign it with ``add_proof``."""
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT_URL],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": status_list.encode(),
        },
    }
    if valid_until is not None:
        credential["validUntil"] = valid_until
    return credential
