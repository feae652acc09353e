"""W3C Bitstring Status List v1.0: the revocation/suspension/message bitstring, its entries and list credential.

The list is at least 131,072 bits (16 KiB, group privacy, §6.1), GZIP-compressed, then multibase
base64url without padding (``u…``). Bit 0 is the most significant bit of the first byte (§4.1).
A ``message`` entry (§2.1) spans ``statusSize`` bits, read most significant bit first; the register's
message entries are two bits wide (:data:`STATUS_MESSAGES`), so one entry says valid, suspended or revoked.
"""

from __future__ import annotations

import gzip
import os
import zlib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from microcred.credentials import multibase
from microcred.credentials.loader import VC_V2_CONTEXT_URL

__all__ = [
    "MAXIMUM_BYTES",
    "MESSAGE_STATUS_SIZE",
    "MINIMUM_BITS",
    "STATUS_MESSAGES",
    "StatusList",
    "StatusListError",
    "StatusPurpose",
    "shuffled_indexes",
    "status_list_credential",
    "status_list_entry",
    "status_message_entry",
]

MINIMUM_BITS = 131_072
MAXIMUM_BYTES = 16 * 1024 * 1024
"""A decoded list larger than this (134 million entries) is refused: a small GZIP body must not fill memory."""
StatusPurpose = Literal["revocation", "suspension", "message"]
MESSAGE_STATUS_SIZE = 2
STATUS_MESSAGES: tuple[tuple[str, str], ...] = (
    ("0x0", "valid"),
    ("0x1", "suspended"),
    ("0x2", "revoked"),
    ("0x3", "revoked"),  # §2.1: one message per value statusSize allows; the register never sets both bits
)
"""The register's message list: the high bit is revocation, the low bit suspension."""
# Fixed mtime keeps the encoding reproducible for the same bits (GZIP header bytes 4-7, RFC 1952).
_GZIP_MTIME = 0


def shuffled_indexes(indexes: Sequence[int]) -> list[int]:
    """``indexes`` in an order drawn with the operating system's CSPRNG.

    A list hands out its free indexes in this order, so an index says nothing about when a credential was
    issued (Bitstring Status List v1.0 §6.1 asks for random allocation; decision 0021).

    Each index gets a 64-bit key from one ``os.urandom`` read and the indexes are sorted by key: a uniformly
    random order unless two keys tie (probability below n²/2⁶⁵, about 2⁻³¹ for a full list of 131,072, and
    a tie only keeps two indexes in their given order). ``SystemRandom().shuffle`` reads the CSPRNG once per
    element: 0.8 s for one list, which every provider's first credential (and every new list) waited for.
    """
    keys = array("Q", os.urandom(8 * len(indexes)))
    order = list(indexes)
    return [order[position] for position in sorted(range(len(order)), key=keys.__getitem__)]


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

    def value(self, index: int, size: int) -> int:
        """The ``size``-bit status at entry ``index`` (bits ``index*size`` onwards, most significant first)."""
        if size < 1:
            raise StatusListError(f"statusSize must be at least 1, not {size}")
        result = 0
        for position in range(index * size, (index + 1) * size):
            result = result << 1 | self.get(position)
        return result

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


def status_message_entry(*, list_credential_url: str, index: int) -> dict[str, Any]:
    """The register's single ``credentialStatus`` entry: a 2-bit message entry (§2.1) naming every state."""
    if index < 0:
        raise StatusListError("statusListIndex cannot be negative")
    return {
        "id": f"{list_credential_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "message",
        "statusListIndex": str(index),
        "statusListCredential": list_credential_url,
        "statusSize": MESSAGE_STATUS_SIZE,
        "statusMessage": [{"status": status, "message": message} for status, message in STATUS_MESSAGES],
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
