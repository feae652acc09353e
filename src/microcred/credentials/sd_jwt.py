"""Selective Disclosure for JWTs (SD-JWT, RFC 9901) and its verifiable-credential profile (SD-JWT VC).

Only what the register needs: object properties made selectively disclosable at the top level (§4.2.1),
SHA-256 digests, decoy digests so the number of hidden claims is not told (§4.2.5), and the combined format
``<issuer-signed JWT>~<disclosure>~…~`` (§4). ``disclosed_claims`` checks a presentation's disclosures
against the signed digests and returns what the holder revealed.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from microcred.credentials.jose import b64url, b64url_decode

__all__ = [
    "SD_ALG",
    "SD_JWT_VC_TYP",
    "Disclosure",
    "SdJwtError",
    "combine",
    "digest",
    "disclosed_claims",
    "make_disclosable",
    "split",
]

SD_ALG = "sha-256"
SD_JWT_VC_TYP = "dc+sd-jwt"
"""The SD-JWT VC media type's JOSE ``typ`` (draft-ietf-oauth-sd-jwt-vc §3.2.1; ``vc+sd-jwt`` before)."""
_DECOYS = 2
_RESERVED = frozenset({"_sd", "..."})


class SdJwtError(ValueError):
    """An SD-JWT we cannot accept; the message is a stable reason code."""


@dataclass(frozen=True, slots=True)
class Disclosure:
    """One disclosed object property: ``[salt, name, value]`` as base64url JSON (§4.2.1)."""

    salt: str
    name: str
    value: Any
    encoded: str

    @classmethod
    def of(cls, name: str, value: Any, *, salt: str | None = None) -> Disclosure:
        salt = salt if salt is not None else b64url(secrets.token_bytes(16))
        encoded = b64url(json.dumps([salt, name, value], ensure_ascii=False).encode("utf-8"))
        return cls(salt, name, value, encoded)

    @classmethod
    def parse(cls, encoded: str) -> Disclosure:
        try:
            decoded = json.loads(b64url_decode(encoded))
        except (ValueError, UnicodeError):
            raise SdJwtError("malformed-disclosure") from None
        if not (isinstance(decoded, list) and len(decoded) == 3 and all(isinstance(v, str) for v in decoded[:2])):
            raise SdJwtError("malformed-disclosure")  # array-element disclosures (two members) are not ours
        if decoded[1] in _RESERVED:
            raise SdJwtError("malformed-disclosure")
        return cls(decoded[0], decoded[1], decoded[2], encoded)

    @property
    def digest(self) -> str:
        return digest(self.encoded)


def digest(encoded: str) -> str:
    """§4.2.3: base64url(SHA-256(the disclosure's ASCII bytes))."""
    return b64url(hashlib.sha256(encoded.encode("ascii")).digest())


def make_disclosable(claims: Mapping[str, Any], disclosable: Iterable[str]) -> tuple[dict[str, Any], list[Disclosure]]:
    """The payload with the ``disclosable`` top-level claims replaced by sorted digests (plus decoys)."""
    hidden = [name for name in disclosable if name in claims]
    disclosures = [Disclosure.of(name, claims[name]) for name in hidden]
    payload = {name: value for name, value in claims.items() if name not in hidden}
    decoys = [digest(b64url(secrets.token_bytes(16))) for _ in range(_DECOYS)]
    payload["_sd"] = sorted([d.digest for d in disclosures] + decoys)  # sorted: the order tells nothing
    payload["_sd_alg"] = SD_ALG
    return payload, disclosures


def combine(issuer_jwt: str, disclosures: Iterable[Disclosure], key_binding_jwt: str = "") -> str:
    """The SD-JWT (or SD-JWT+KB) compact form: ``jwt~d1~d2~`` followed by the KB-JWT if any (§4)."""
    return "~".join([issuer_jwt, *(d.encoded for d in disclosures)]) + "~" + key_binding_jwt


def split(sd_jwt: str) -> tuple[str, list[Disclosure], str]:
    """(issuer-signed JWT, disclosures, key-binding JWT or "") of a compact SD-JWT."""
    parts = sd_jwt.split("~")
    if len(parts) < 2 or parts[0].count(".") != 2:
        raise SdJwtError("malformed-sd-jwt")
    return parts[0], [Disclosure.parse(part) for part in parts[1:-1] if part], parts[-1]


def disclosed_claims(payload: Mapping[str, Any], disclosures: Iterable[Disclosure]) -> dict[str, Any]:
    """The claims a holder revealed: the always-visible ones plus each disclosure whose digest the issuer
    signed (§7.1 step 3). A disclosure the issuer did not sign, or one given twice, is refused."""
    if payload.get("_sd_alg", SD_ALG) != SD_ALG:
        raise SdJwtError("unsupported-sd-alg")
    signed = set(payload.get("_sd") or [])
    claims = {name: value for name, value in payload.items() if name not in ("_sd", "_sd_alg")}
    seen: set[str] = set()
    for disclosure in disclosures:
        found = disclosure.digest
        if found not in signed or found in seen:
            raise SdJwtError("disclosure-not-signed")
        if disclosure.name in claims:
            raise SdJwtError("claim-disclosed-twice")
        seen.add(found)
        claims[disclosure.name] = disclosure.value
    return claims
