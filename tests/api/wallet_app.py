"""A minimal wallet app for the OID4VCI tests: a key of its own, and the requests a wallet sends."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from joserfc import jws
from joserfc.jwk import ECKey, OKPKey

from microcred.credentials.jose import PROOF_TYP, b64url, b64url_decode, holder_did

PRE_AUTHORIZED = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


@dataclass
class WalletApp:
    """A wallet holding one P-256 key (or Ed25519 with ``kty="OKP"``), talking to the register's API."""

    client: TestClient
    kty: str = "EC"
    key: Any = field(init=False)

    def __post_init__(self) -> None:
        self.key = ECKey.generate_key("P-256") if self.kty == "EC" else OKPKey.generate_key("Ed25519")

    @property
    def alg(self) -> str:
        return "ES256" if self.kty == "EC" else "Ed25519"  # RFC 9864 (joserfc warns on the old name)

    def public_jwk(self) -> dict[str, str]:
        return {k: v for k, v in self.key.as_dict(private=False).items() if k in ("kty", "crv", "x", "y")}

    def did(self) -> str:
        """The wallet key's DID (``did:key`` for Ed25519, ``did:jwk`` for P-256), as the register derives it."""
        return holder_did(self.public_jwk())

    def offer_of(self, uri: str) -> dict[str, Any]:
        """Resolve an ``openid-credential-offer://?credential_offer_uri=…`` to the offer object."""
        reference = parse_qs(urlsplit(uri).query)["credential_offer_uri"][0]
        answer = self.client.get(urlsplit(reference).path)
        assert answer.status_code == 200, answer.text
        offer: dict[str, Any] = answer.json()
        return offer

    def token(self, code: str, pin: str) -> Any:
        form = {"grant_type": PRE_AUTHORIZED, "pre-authorized_code": code, "tx_code": pin}
        return self.client.post("/oid4vci/token", data=form)

    def nonce(self) -> str:
        answer = self.client.post("/oid4vci/nonce")
        assert answer.status_code == 200, answer.text
        return str(answer.json()["c_nonce"])

    def proof(
        self,
        nonce: str,
        audience: str,
        *,
        typ: str = PROOF_TYP,
        issued_at: float | None = None,
        header: dict[str, Any] | None = None,
        signer: Any = None,
        by_kid: bool = False,
    ) -> str:
        claims = {"aud": audience, "nonce": nonce, "iat": int(time.time() if issued_at is None else issued_at)}
        named = {"kid": f"{self.did()}#{self.did().removeprefix('did:key:')}"} if by_kid else {"jwk": self.public_jwk()}
        protected = {"alg": self.alg, "typ": typ, **named, **(header or {})}
        key = self.key if signer is None else signer
        return jws.serialize_compact(protected, json.dumps(claims).encode(), key, algorithms=[self.alg])

    def credential(self, access_token: str, configuration: str, proof_jwt: str) -> Any:
        body = {"credential_configuration_id": configuration, "proofs": {"jwt": [proof_jwt]}}
        return self.client.post("/oid4vci/credential", json=body, headers={"Authorization": f"Bearer {access_token}"})

    def present(self, sd_jwt: str, names: tuple[str, ...], *, audience: str, nonce: str) -> str:
        """An SD-JWT+KB showing only the disclosures of ``names``, key-bound for ``audience`` and ``nonce``."""
        issuer_jwt, *disclosures, _ = sd_jwt.split("~")
        kept = [d for d in disclosures if json.loads(b64url_decode(d))[1] in names]
        shown = "~".join([issuer_jwt, *kept]) + "~"
        claims = {
            "aud": audience,
            "nonce": nonce,
            "iat": int(time.time()),
            "sd_hash": b64url(hashlib.sha256(shown.encode("ascii")).digest()),
        }
        protected = {"alg": self.alg, "typ": "kb+jwt"}
        return shown + jws.serialize_compact(protected, json.dumps(claims).encode(), self.key, algorithms=[self.alg])
