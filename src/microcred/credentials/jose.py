"""JOSE for the wallet protocols: the wallet's key proof (OID4VCI 1.0 §8.2.1.1, Appendix F.1) and our own JWS.

JWS and JWK handling is joserfc's; this module only decides which algorithms and keys we accept and what a
wallet's key proof must say. The holder's key becomes a DID for the ``ldp_vc`` subject: an Ed25519 key a
``did:key`` (as our issuer keys), any other key a ``did:jwk``. Errors carry a reason code for the caller.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwa import EdDSAAlgorithm
from joserfc.jwk import ECKey, Key, OKPKey
from joserfc.jws import JWSRegistry

from microcred.credentials.keys import (
    KeyFormatError,
    SigningKey,
    decode_public_key_multibase,
    encode_public_key_multibase,
)

__all__ = [
    "HOLDER_ALGORITHMS",
    "ISSUER_ALGORITHM",
    "PROOF_TYP",
    "KeyProof",
    "KeyProofError",
    "b64url",
    "b64url_decode",
    "holder_did",
    "holder_jwk",
    "sign_jws",
    "verify_jws",
    "verify_key_proof",
]

PROOF_TYP = "openid4vci-proof+jwt"
HOLDER_ALGORITHMS = ("ES256", "EdDSA", "Ed25519")
"""What a wallet may sign its key proof with: HAIP's ES256, and Ed25519 under its old and new names (RFC 9864)."""
ISSUER_ALGORITHM = "EdDSA"
"""Our issuer keys are Ed25519; wallets know RFC 8037's name for it better than RFC 9864's ``Ed25519``."""
_CLOCK_SKEW = timedelta(seconds=60)


class _EdDSA(EdDSAAlgorithm):
    """RFC 8037's EdDSA without joserfc's deprecation warning: RFC 9864 deprecates the *name* in favour of
    ``Ed25519`` (the same signature); wallets still send and expect ``EdDSA``, and we accept both."""

    security_warning: str | None = None  # type: ignore[assignment]


class _Registry(JWSRegistry):
    algorithms = {**JWSRegistry.algorithms, "EdDSA": _EdDSA()}  # noqa: RUF012 (joserfc's class-level table)


def _registry(algorithms: tuple[str, ...]) -> JWSRegistry:
    return _Registry(algorithms=list(algorithms))


class KeyProofError(ValueError):
    """A key proof we refuse; ``reason`` is a stable code, ``nonce`` says the nonce itself was the fault."""

    def __init__(self, reason: str, *, nonce: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.nonce = nonce


@dataclass(frozen=True, slots=True)
class KeyProof:
    """What a valid key proof tells: the holder's public key (as a JWK and a DID) and the nonce it signed."""

    jwk: dict[str, str]
    did: str
    nonce: str


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _public_jwk(jwk: Mapping[str, Any]) -> dict[str, str]:
    """The public members of an EC P-256 or OKP Ed25519 JWK; a private key, or another kind, is refused."""
    if "d" in jwk:
        raise KeyProofError("private-key-in-proof")
    kty, crv = jwk.get("kty"), jwk.get("crv")
    names: tuple[str, ...]
    if kty == "EC" and crv == "P-256":
        names = ("kty", "crv", "x", "y")
    elif kty == "OKP" and crv == "Ed25519":
        names = ("kty", "crv", "x")
    else:
        raise KeyProofError("unsupported-key")
    if not all(isinstance(jwk.get(name), str) for name in names):
        raise KeyProofError("unsupported-key")
    return {name: str(jwk[name]) for name in names}


def holder_did(jwk: Mapping[str, str]) -> str:
    """The holder's DID: ``did:key`` for an Ed25519 key (Multikey), ``did:jwk`` for any other public key."""
    if jwk.get("kty") == "OKP":
        multikey = encode_public_key_multibase(Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"])))
        return f"did:key:{multikey}"
    return "did:jwk:" + b64url(json.dumps(dict(jwk), separators=(",", ":"), sort_keys=True).encode("utf-8"))


def holder_jwk(kid: str) -> dict[str, str]:
    """The public JWK of a ``did:key`` (Ed25519) key id, as a wallet names its key in ``kid``."""
    did, _, fragment = kid.partition("#")
    if not did.startswith("did:key:z") or (fragment and fragment != did.removeprefix("did:key:")):
        raise KeyProofError("unsupported-kid")
    try:
        public = decode_public_key_multibase(did.removeprefix("did:key:"))
    except KeyFormatError:
        raise KeyProofError("unsupported-kid") from None
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url(public.public_bytes_raw())}


def _key(jwk: Mapping[str, str]) -> Key:
    return ECKey.import_key(dict(jwk)) if jwk["kty"] == "EC" else OKPKey.import_key(dict(jwk))


def verify_jws(token: str, jwk: Mapping[str, str], *, algorithms: tuple[str, ...] = HOLDER_ALGORITHMS) -> bytes:
    """The payload of a compact JWS signed by ``jwk``; KeyProofError("bad-signature") otherwise."""
    try:
        signed = jws.extract_compact(token.encode("ascii"), registry=_registry(algorithms))
        if not jws.validate_compact(signed, _key(jwk), registry=_registry(algorithms)):
            raise KeyProofError("bad-signature")
    except (JoseError, ValueError, UnicodeError) as error:
        if isinstance(error, KeyProofError):
            raise
        raise KeyProofError("bad-signature") from None
    return bytes(signed.payload)


def sign_jws(header: Mapping[str, Any], payload: bytes, signing_key: SigningKey) -> str:
    """A compact JWS over ``payload`` signed with one of our Ed25519 keys (``alg`` EdDSA)."""
    private = OKPKey.import_key(
        {"kty": "OKP", "crv": "Ed25519", "x": b64url(signing_key.public_key_bytes), "d": b64url(signing_key.seed)}
    )
    protected = {**header, "alg": ISSUER_ALGORITHM}
    return jws.serialize_compact(protected, payload, private, registry=_registry((ISSUER_ALGORITHM,)))


def _header(token: str) -> dict[str, Any]:
    try:
        header = json.loads(b64url_decode(token.split(".", 1)[0]))
    except (ValueError, UnicodeError):
        raise KeyProofError("malformed-proof") from None
    if not isinstance(header, dict):
        raise KeyProofError("malformed-proof")
    return header


def verify_key_proof(token: str, *, audience: str, now: datetime, max_age: timedelta) -> KeyProof:
    """Check a ``jwt`` key proof (OID4VCI 1.0 Appendix F.1): its type, key, signature, audience and age.

    The nonce is returned, not checked: only the issuer's store knows whether it is still unspent."""
    header = _header(token)
    if header.get("typ") != PROOF_TYP:
        raise KeyProofError("wrong-typ")
    if header.get("alg") not in HOLDER_ALGORITHMS:
        raise KeyProofError("unsupported-alg")
    named = [name for name in ("kid", "jwk", "x5c") if name in header]
    if len(named) != 1 or named[0] == "x5c":
        raise KeyProofError("one-key-needed")  # exactly one of kid and jwk (we take no certificates)
    if "jwk" in header:
        if not isinstance(header["jwk"], dict):
            raise KeyProofError("unsupported-key")
        jwk = _public_jwk(header["jwk"])
    else:
        jwk = holder_jwk(str(header["kid"]))
    try:
        claims = json.loads(verify_jws(token, jwk))
    except ValueError as error:
        if isinstance(error, KeyProofError):
            raise
        raise KeyProofError("malformed-proof") from None
    if not isinstance(claims, dict):
        raise KeyProofError("malformed-proof")
    if claims.get("aud") != audience:
        raise KeyProofError("wrong-audience")
    issued = claims.get("iat")
    if not isinstance(issued, int | float) or isinstance(issued, bool):
        raise KeyProofError("iat-missing")
    age = now.timestamp() - float(issued)
    if age < -_CLOCK_SKEW.total_seconds() or age > (max_age + _CLOCK_SKEW).total_seconds():
        raise KeyProofError("iat-out-of-range")
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise KeyProofError("nonce-missing", nonce=True)
    return KeyProof(jwk=jwk, did=holder_did(jwk), nonce=nonce)
