"""The official OB 3.0 JSON Schema, shipped unmodified, validates offline and reports readable problems."""

from __future__ import annotations

import copy
import hashlib
from importlib.resources import files
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microcred.credentials.cryptosuites import EDDSA_RDFC_2022
from microcred.credentials.keys import SigningKey
from microcred.credentials.proofs import add_proof
from microcred.credentials.sample import sample_micro_credential
from microcred.credentials.schema import is_open_badge_credential, jsonschema_problems, validate_open_badge_credential

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


# The compiled validator (jsonschema_rs) answers "valid?" for every credential; jsonschema explains the
# invalid ones. A document the first accepts and the second refuses would be issued or verified unchecked:
# both must agree on every document, the official examples and generated mutations of our own.
_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["", "urn:uuid:1", "2025-02-01T00:00:00Z", "did:key:z6Mk", "http://x"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def _places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key or index path in a JSON document."""
    found = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _places(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _places(value, (*path, index))
    return found


@st.composite
def _mutated_credentials(draw: st.DrawFn) -> dict[str, Any]:
    document = copy.deepcopy(
        sample_micro_credential(issuer_did="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")
    )
    for _ in range(draw(st.integers(1, 3))):
        places = _places(document)
        where = draw(st.sampled_from(places))
        parent = document
        for step in where[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["delete", "replace", "add"]))
        if action == "delete":
            del parent[where[-1]]
        elif action == "replace":
            parent[where[-1]] = draw(_JSON_VALUES)
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(_JSON_VALUES)
        else:
            parent.append(draw(_JSON_VALUES))
    return document


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated_credentials())
def test_the_compiled_validator_agrees_with_jsonschema_on_generated_credentials(document: dict[str, Any]) -> None:
    explained = jsonschema_problems(document)
    assert is_open_badge_credential(document) == (explained == []), explained


@pytest.mark.parametrize(
    "path",
    [
        "ob3/spec/basic-openbadgecredential.json",
        "ob3/spec/complete-openbadgecredential.json",
        "ob3/test-vector/signed-credential.json",
    ],
)
def test_the_compiled_validator_agrees_on_the_official_examples(path: str) -> None:
    document = load_json(path)
    assert is_open_badge_credential(document) == (jsonschema_problems(document) == [])
