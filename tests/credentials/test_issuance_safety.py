"""Issuing under concurrency, and private keys that never appear in clear: database, logs or errors."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from microcred.bootstrap import Register
from microcred.credentials.key_vault import KeyVault, SealedKeyError
from microcred.credentials.keys import SigningKey
from microcred.domain import StatusPurpose
from microcred.services import issuance, status_lists
from tests.credentials.register_setup import seed


def test_concurrent_issuance_never_reuses_or_collides_status_indexes(register: Register) -> None:
    seeded = seed(register, passed=16)
    references = [f"P-{n}" for n in range(1, 17)] * 2  # every enrolment asked for twice, at the same time
    with ThreadPoolExecutor(max_workers=8) as pool:
        issued = list(pool.map(seeded.issue, references))
    by_reference = {credential.enrolment_reference: credential.uuid for credential in issued}
    assert all(by_reference[c.enrolment_reference] == c.uuid for c in issued)  # idempotent under races
    stored = issuance.list_credentials("hoge", uow=register.uow)
    assert len(stored) == 16
    for purpose in (StatusPurpose.REVOCATION, StatusPurpose.SUSPENSION):
        assert len({c.status_indexes[purpose] for c in stored}) == 16, "no index handed out twice"
    with register.uow() as work:
        assert work.credentials.lock_status_lists("hoge") == 1, "sixteen fit in the first list"


def _private_keys(register: Register) -> list[SigningKey]:
    vault = KeyVault(register.settings.key_encryption_key.get_secret_value())
    with register.uow() as work:
        return [
            vault.open(
                work.signing_keys.sealed(key.public_key_multibase),
                provider="hoge",
                public_key_multibase=key.public_key_multibase,
            )
            for key in work.signing_keys.all("hoge")
        ]


def _forms(key: SigningKey) -> list[bytes]:
    return [key.seed, key.seed.hex().encode(), key.secret_key_multibase.encode()]


def test_private_keys_are_never_stored_or_logged_in_clear(register: Register, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    seeded = seed(register)
    seeded.issue("P-1")
    status_lists.rotate_key(
        "hoge", uow=register.uow, keys=register.key_store, settings=register.settings, clock=seeded.clock
    )
    credential = seeded.issue("P-2")
    seeded.change("revoke", credential.uuid)
    keys = _private_keys(register)
    assert len(keys) == 2
    register.engine.dispose()
    if register.settings.is_sqlite:
        database = Path(str(make_url(register.settings.database_url).database))
        stored = b"".join(path.read_bytes() for path in database.parent.glob(database.name + "*"))
    else:
        with register.engine.connect() as connection:
            rows = connection.execute(text("SELECT sealed_private_key, public_key_multibase FROM signing_keys")).all()
            dump = connection.execute(text("SELECT document FROM credentials")).scalars().all()
        stored = b"".join(bytes(row[0]) + row[1].encode() for row in rows) + "".join(dump).encode()
    visible = (caplog.text + repr(register.key_store) + repr(register)).encode()
    for key in keys:
        assert key.public_key_multibase.encode() in stored  # the scan does see what is there
        for secret in _forms(key):
            assert secret not in stored
            assert secret not in visible


def test_a_wrong_key_encryption_secret_fails_without_showing_the_key(register: Register) -> None:
    seeded = seed(register)
    seeded.issue("P-1")
    keys = _private_keys(register)
    wrong = KeyVault("another-secret-entirely")
    with register.uow() as work:
        current = work.signing_keys.current("hoge")
        assert current is not None
        sealed = work.signing_keys.sealed(current.public_key_multibase)
    with pytest.raises(SealedKeyError) as raised:
        wrong.open(sealed, provider="hoge", public_key_multibase=current.public_key_multibase)
    message = str(raised.value) + repr(raised.value)
    assert "MICROCRED_KEY_ENCRYPTION_KEY" in message
    for secret in _forms(keys[0]):
        assert secret.decode("latin-1") not in message
    with pytest.raises(SealedKeyError):  # a sealed key is bound to its provider
        KeyVault(register.settings.key_encryption_key.get_secret_value()).open(
            sealed, provider="andere", public_key_multibase=current.public_key_multibase
        )
    assert "sealed" in repr(wrong)
    assert "another-secret" not in repr(wrong)
