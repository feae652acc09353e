"""Selective Disclosure for JWTs (SD-JWT, RFC 9901) and its verifiable-credential profile (SD-JWT VC).

Only what the register needs: object properties made selectively disclosable at the top level (§4.2.1),
SHA-256 digests, decoy digests so the number of hidden claims is not told (§4.2.5), and the combined format
``<issuer-signed JWT>~<disclosure>~…~`` (§4). A verifier opens a presentation with the issuer's key
(``open_presentation``: signature, disclosures against the signed digests) and checks the holder's key
binding JWT (``key_binding_problem``, §7.3).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from microcred.credentials.jose import KeyProofError, b64url, b64url_decode, verify_jws

__all__ = [
    "KB_JWT_TYP",
    "SD_ALG",
    "SD_JWT_VC_TYP",
    "Disclosure",
    "Presentation",
    "SdJwtError",
    "combine",
    "digest",
    "disclosed_claims",
    "issuer_header",
    "key_binding_problem",
    "make_disclosable",
    "open_presentation",
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


KB_JWT_TYP = "kb+jwt"


@dataclass(frozen=True, slots=True)
class Presentation:
    """An SD-JWT presentation opened with the issuer's key: the signed payload, the claims the holder
    disclosed, and the key-binding JWT (unchecked until :func:`key_binding_problem`)."""

    header: dict[str, Any]
    payload: dict[str, Any]
    claims: dict[str, Any]
    key_binding_jwt: str
    signed_part: str  # everything up to the last "~": what the KB-JWT's sd_hash covers


def issuer_header(sd_jwt: str) -> dict[str, Any]:
    """The issuer-signed JWT's header (to find its ``kid`` before the signature is checked)."""
    try:
        header = json.loads(b64url_decode(split(sd_jwt)[0].split(".")[0]))
    except (ValueError, UnicodeError):
        raise SdJwtError("malformed-sd-jwt") from None
    if not isinstance(header, dict):
        raise SdJwtError("malformed-sd-jwt")
    return header


def open_presentation(sd_jwt: str, issuer_jwk: Mapping[str, str]) -> Presentation:
    """Check the issuer's signature and the disclosures (RFC 9901 §7.1); SdJwtError with a reason if not."""
    issuer_jwt, disclosures, key_binding = split(sd_jwt)
    header = issuer_header(sd_jwt)
    if header.get("typ") != SD_JWT_VC_TYP:
        raise SdJwtError("wrong-typ")
    try:
        payload = json.loads(verify_jws(issuer_jwt, issuer_jwk, algorithms=("EdDSA", "Ed25519")))
    except KeyProofError:
        raise SdJwtError("issuer-signature") from None
    if not isinstance(payload, dict):
        raise SdJwtError("malformed-sd-jwt")
    claims = disclosed_claims(payload, disclosures)
    return Presentation(header, payload, claims, key_binding, sd_jwt[: sd_jwt.rindex("~") + 1])


def key_binding_problem(
    presentation: Presentation, *, audience: str, nonce: str, now: datetime, max_age: timedelta
) -> str | None:
    """What is wrong with the key binding (RFC 9901 §7.3), or None: signed by ``cnf.jwk``, for this
    audience and nonce, fresh, and over exactly these disclosures (``sd_hash``)."""
    holder = (presentation.payload.get("cnf") or {}).get("jwk")
    if not isinstance(holder, dict) or not presentation.key_binding_jwt:
        return "kb-missing"
    token = presentation.key_binding_jwt
    try:
        header = json.loads(b64url_decode(token.split(".")[0]))
        claims = json.loads(verify_jws(token, holder))
    except (KeyProofError, ValueError, UnicodeError):
        return "kb-signature"
    if not isinstance(header, dict) or header.get("typ") != KB_JWT_TYP or not isinstance(claims, dict):
        return "kb-signature"
    if claims.get("aud") != audience:
        return "kb-audience"
    if claims.get("nonce") != nonce:
        return "kb-nonce"
    issued = claims.get("iat")
    age = now.timestamp() - float(issued) if isinstance(issued, int | float) else None
    if age is None or not -60 <= age <= max_age.total_seconds() + 60:
        return "kb-iat"
    if claims.get("sd_hash") != b64url(hashlib.sha256(presentation.signed_part.encode("ascii")).digest()):
        return "kb-sd-hash"
    return None
