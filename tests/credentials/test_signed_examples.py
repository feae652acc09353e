"""Signed credentials published by the W3C and 1EdTech verify; altering any leaf makes them fail."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from microcred.credentials.cryptosuites import EDDSA_JCS_2022, EDDSA_RDFC_2022, Cryptosuite
from microcred.credentials.keys import SigningKey, decode_public_key_multibase, resolve_did_key
from microcred.credentials.proofs import add_proof, verify_proof
from microcred.credentials.sample import sample_micro_credential

from .conftest import load_json

OB3_KEY = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
COMPLETE_KEY = "z6Mknyb2Gb4NxzW3xSr9ChTtdQZ1zs77piQ3r9SaJ9vMzmrs"
# The fixtures name https verification methods; a real verifier dereferences the issuer's profile.
# Offline, the keys those profiles publish are pinned here.
KNOWN_METHODS = {
    f"https://1edtech.edu/issuers/565049#{OB3_KEY}": OB3_KEY,
    f"https://example.edu/issuers/565049#{OB3_KEY}": OB3_KEY,
    f"https://example.com/issuers/876543#{OB3_KEY}": OB3_KEY,
    "https://state.gov/issuers/565049#z6MkoMGF38Ck9xkdqrbZt4h9eHb1qc3GhAAkoSWa4Vy3SHRN": (
        "z6MkoMGF38Ck9xkdqrbZt4h9eHb1qc3GhAAkoSWa4Vy3SHRN"
    ),
}


def resolve(method: str) -> Ed25519PublicKey:
    if method.startswith("did:key:"):
        return resolve_did_key(method)
    if method.endswith("#" + COMPLETE_KEY):
        return decode_public_key_multibase(COMPLETE_KEY)
    return decode_public_key_multibase(KNOWN_METHODS[method])


SIGNED_EXAMPLES = [
    "status-list/spec-examples/revocable-credential.eddsa-rdfc-2022.json",
    "status-list/spec-examples/status-list-credential.eddsa-rdfc-2022.json",
    "ob3/1edtech-validator-tests/simple.json",
    "ob3/1edtech-validator-tests/complete.json",
    "ob3/1edtech-validator-tests/endorsement-valid.json",
    "ob3/1edtech-validator-tests/bit-string-list/testlist",
    "ob3/1edtech-validator-tests/bit-string-list/credential-status-revoked.json",
    "ob3/1edtech-validator-tests/bit-string-list/credential-status-revoked-blank-nodes.json",
    "ob3/test-vector/signed-credential.json",
    "w3c-eddsa/proof-set-chain/signedProofSet1.json",
    "w3c-eddsa/proof-set-chain/signedProofSet2.json",
    "w3c-eddsa/proof-set-chain/signedProofChain1.json",
    "w3c-eddsa/proof-set-chain/signedProofChain2.json",
]


@pytest.mark.parametrize("path", SIGNED_EXAMPLES)
def test_published_signed_example_verifies(path: str) -> None:
    check = verify_proof(load_json(path), resolve_key=resolve)
    assert check.verified, check.reason


def test_a_proof_of_an_unknown_type_in_a_proof_set_fails_the_set() -> None:
    # 1EdTech's validator skips the unknown proof; Digital Bazaar's refuses the set, and so do we (VC-DI §4.5).
    check = verify_proof(load_json("ob3/1edtech-validator-tests/simple-multiple-proofs.json"), resolve_key=resolve)
    assert not check.verified
    assert "'SomeProofType' cannot be checked" in check.reason
    assert [proof.verified for proof in check.proofs] == [False, True]


def test_a_single_proof_object_verifies_like_a_one_element_set() -> None:
    document = load_json("ob3/1edtech-validator-tests/simple.json")
    document["proof"] = document["proof"][0]
    assert verify_proof(document, resolve_key=resolve).verified


def test_every_proof_of_a_set_is_counted_and_a_changed_one_fails_the_set() -> None:
    document = load_json("w3c-eddsa/proof-set-chain/signedProofSet2.json")
    assert len(verify_proof(document, resolve_key=resolve_did_key).proofs) == 2
    document["proof"][1]["created"] = "2023-02-24T23:36:39Z"
    check = verify_proof(document, resolve_key=resolve_did_key)
    assert not check.verified
    assert check.reason.startswith("proof 2:")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda proofs: proofs.pop(0), "previousProof names a proof that is not in the document"),
        (lambda proofs: proofs[0].update(created="2023-02-24T23:36:39Z"), "does not match"),
        (lambda proofs: proofs[3].update(previousProof="urn:uuid:unknown"), "not in the document"),
    ],
    ids=["a link of the chain removed", "an earlier proof changed", "a dangling link"],
)
def test_a_broken_proof_chain_fails(change: Any, reason: str) -> None:
    document = load_json("w3c-eddsa/proof-set-chain/signedProofChain2.json")
    change(document["proof"])
    check = verify_proof(document, resolve_key=resolve_did_key)
    assert not check.verified
    assert reason in check.reason


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ({"proof": []}, "no proof"),
        ({"proof": [None]}, "not a JSON object"),
        ({"proof": {"type": "DataIntegrityProof", "cryptosuite": ["x"]}}, "cannot be checked"),
        ({}, "no proof"),
        ([], "not a JSON object"),
    ],
)
def test_verify_reports_instead_of_raising(document: Any, reason: str) -> None:
    check = verify_proof(document, resolve_key=resolve)
    assert not check.verified
    assert reason in check.reason


def test_unresolvable_key_is_a_reason_not_an_exception() -> None:
    document = load_json("ob3/1edtech-validator-tests/simple.json")
    document["proof"][0]["verificationMethod"] = "https://unknown.example/key#1"
    check = verify_proof(document, resolve_key=resolve)
    assert not check.verified
    assert "KeyError" in check.reason


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from _leaves(item, (*path, position))
    else:
        yield path


def _altered(leaf: Any) -> Any:
    if isinstance(leaf, bool):
        return not leaf
    if isinstance(leaf, int | float):
        return leaf + 1
    if leaf is None:
        return "x"
    return leaf + "x"


def _tampered(document: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    copied = copy.deepcopy(document)
    target: Any = copied
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = _altered(target[path[-1]])
    return copied


@pytest.mark.parametrize("suite", [EDDSA_RDFC_2022, EDDSA_JCS_2022], ids=lambda suite: suite.name)
def test_changing_any_single_leaf_breaks_the_proof(suite: Cryptosuite, issuer_key: SigningKey) -> None:
    signed = add_proof(
        sample_micro_credential(issuer_did=issuer_key.did),
        suite=suite,
        signing_key=issuer_key,
        verification_method=issuer_key.verification_method,
        created="2025-02-01T00:00:00Z",
    )
    assert verify_proof(signed, resolve_key=resolve).verified
    paths = list(_leaves(signed))
    assert len(paths) > 60
    for path in paths:
        check = verify_proof(_tampered(signed, path), resolve_key=resolve)
        assert not check.verified, f"changing {path} left the proof valid"
