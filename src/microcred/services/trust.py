"""The trusted-provider list as a signed document verifiers can cache and check offline.

It is signed with the register's own Ed25519 key (not a provider's), made on first use and kept sealed
under ``key_encryption_key``; the proof is eddsa-jcs-2022 (VC-DI-EdDSA §3.3), naming the key as did:key.
The proof time is the start of the current hour, so the document (and its ETag) only changes when the
list does or the hour turns.
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from typing import Any

from microcred.credentials.cryptosuites import EDDSA_JCS_2022
from microcred.credentials.did_web import did_web
from microcred.credentials.key_vault import KeyVault
from microcred.credentials.keys import SigningKey
from microcred.credentials.proofs import add_proof
from microcred.domain import is_trusted
from microcred.errors import Conflict
from microcred.services.dependencies import Dependencies
from microcred.services.ports import Clock, UnitOfWork, UnitOfWorkFactory

__all__ = ["REGISTER_KEY_PURPOSE", "Trust", "signed_trusted_list"]

REGISTER_KEY_PURPOSE = "trusted-list"
_VAULT_OWNER = "register"  # binds the sealed key to this purpose, as a provider slug binds theirs


def _register_key(work: UnitOfWork, vault: KeyVault, now: datetime) -> SigningKey:
    stored = work.register_keys.get(REGISTER_KEY_PURPOSE)
    if stored is None:
        key = SigningKey.generate()
        sealed = base64.b64encode(vault.seal(key, provider=_VAULT_OWNER)).decode()
        try:
            work.register_keys.add(
                REGISTER_KEY_PURPOSE,
                public_key_multibase=key.public_key_multibase,
                encrypted_secret=sealed,
                created_at=now,
            )
            return key
        except Conflict:  # another request made it first: use theirs
            stored = work.register_keys.get(REGISTER_KEY_PURPOSE)
            assert stored is not None
    public, sealed_text = stored
    return vault.open(base64.b64decode(sealed_text), provider=_VAULT_OWNER, public_key_multibase=public)


def signed_trusted_list(
    uow: UnitOfWorkFactory, *, key_encryption_secret: str, public_base_url: str, clock: Clock
) -> dict[str, Any]:
    """Every provider trusted today, with its did:web and valid quality-assurance records, signed."""
    now = clock()
    hour = now.replace(minute=0, second=0, microsecond=0)
    today = now.date()
    with uow() as work:
        trusted = [p for p in work.providers.all() if is_trusted(p, today)]
        key = _register_key(work, KeyVault(key_encryption_secret), now)
        work.commit()
    base = public_base_url.rstrip("/")
    document: dict[str, Any] = {
        "id": f"{base}/api/v1/trusted-providers/signed",
        "type": "TrustedProviderList",
        "issuer": key.did,
        "validFrom": hour.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "validUntil": (hour + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "providers": [
            {
                "slug": provider.slug,
                "did": did_web(public_base_url, provider.slug),
                "name": provider.name.as_dict(),
                "qualityAssurance": [
                    {
                        "agency": record.agency,
                        "kind": record.kind.value,
                        "validFrom": record.valid_from.isoformat(),
                        "validUntil": record.valid_until.isoformat() if record.valid_until else None,
                    }
                    for record in provider.quality_assurances
                    if record.covers(today)
                ],
            }
            for provider in trusted
        ],
    }
    return add_proof(
        document,
        suite=EDDSA_JCS_2022,
        signing_key=key,
        verification_method=key.verification_method,
        created=hour,
    )


class Trust:
    """The signed trusted-provider list, bound to the register's own key and clock."""

    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps

    def signed_trusted_list(self) -> dict[str, Any]:
        d = self._deps
        return signed_trusted_list(
            d.uow,
            key_encryption_secret=d.settings.key_encryption_key.get_secret_value(),
            public_base_url=d.public_base_url,
            clock=d.clock,
        )
