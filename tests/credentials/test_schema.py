"""The official OB 3.0 JSON Schema, shipped unmodified, validates offline and reports readable problems."""

from __future__ import annotations

import hashlib
from importlib.resources import files

import pytest

from microcred.credentials.cryptosuites import EDDSA_RDFC_2022
from microcred.credentials.keys import SigningKey
from microcred.credentials.proofs import add_proof
from microcred.credentials.sample import sample_micro_credential
from microcred.credentials.schema import validate_open_badge_credential

from .conftest import load_json


def test_shipped_schema_is_the_unmodified_1edtech_file() -> None:
    data = (files("microcred.credentials") / "schemas" / "ob_v3p0_achievementcredential_schema.json").read_bytes()
    assert hashlib.sha256(data).hexdigest() == "86a141ff0c1b1a6b4e08460f786a8ffe0f737d8256a86243d134a2e6450efe4d"


@pytest.mark.parametrize(
    "path",
    [
        "ob3/spec/basic-openbadgecredential.json",
        "ob3/spec/complete-openbadgecredential.json",
        "ob3/1edtech-validator-tests/simple.json",
        "ob3/1edtech-validator-tests/complete.json",
        "ob3/test-vector/unsigned-credential.json",
    ],
)
def test_official_examples_pass(path: str) -> None:
    assert validate_open_badge_credential(load_json(path)) == []


def test_a_single_proof_object_fails_as_the_schema_demands_an_array() -> None:
    problems = validate_open_badge_credential(load_json("ob3/test-vector/signed-credential.json"))
    assert [problem.path for problem in problems] == ["$.proof"]
    assert "array" in str(problems[0])


def test_our_signed_micro_credential_passes(issuer_key: SigningKey) -> None:
    signed = add_proof(
        sample_micro_credential(issuer_did=issuer_key.did),
        suite=EDDSA_RDFC_2022,
        signing_key=issuer_key,
        verification_method=issuer_key.verification_method,
        created="2025-02-01T00:00:00Z",
    )
    assert validate_open_badge_credential(signed) == []


def test_problems_name_the_path(issuer_key: SigningKey) -> None:
    credential = sample_micro_credential(issuer_did=issuer_key.did)
    del credential["credentialSubject"]["achievement"]["criteria"]
    credential["validFrom"] = 2025
    paths = {problem.path for problem in validate_open_badge_credential(credential)}
    assert "$.validFrom" in paths
    assert "$.credentialSubject.achievement" in paths


def test_every_status_entry_is_checked_against_the_official_definition() -> None:
    from microcred.credentials.ob3 import schema_problems

    document = sample_micro_credential(issuer_did=SigningKey.from_seed(bytes(32)).did)
    entry = document["credentialStatus"]
    entry = entry[0] if isinstance(entry, list) else entry
    document["credentialStatus"] = [entry, {**entry, "statusPurpose": "suspension"}]
    assert schema_problems(document) == []
    document["credentialStatus"] = [entry, {"type": 5}]
    paths = {problem.path for problem in schema_problems(document)}
    assert paths == {"$.credentialStatus[1]", "$.credentialStatus[1].type"}
    document["credentialStatus"] = [{"type": "BitstringStatusListEntry"}, entry]
    assert {problem.path for problem in schema_problems(document)} == {"$.credentialStatus[0]"}
