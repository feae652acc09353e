"""Every step of the W3C VC-DI-EdDSA and 1EdTech OB 3.0 vectors, byte for byte."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from microcred.credentials import multibase
from microcred.credentials.cryptosuites import (
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    EDDSA_RDFC_2022_REFERENCE,
    Cryptosuite,
)
from microcred.credentials.jcs import JcsError
from microcred.credentials.keys import SigningKey, resolve_did_key
from microcred.credentials.proofs import add_proof, verify_proof

from .conftest import load_json, read_text

W3C = "w3c-eddsa"
CREATED = "2025-02-01T00:00:00Z"


def _case(suite: Cryptosuite, unsigned: str, folder: str, tag: str) -> dict[str, Any]:
    return {
        "suite": suite,
        "unsigned": unsigned,
        "config": f"{folder}/proofConfig{tag}.json",
        "canon_doc": f"{folder}/canonDoc{tag}.txt",
        "doc_hash": f"{folder}/docHash{tag}.txt",
        "proof_canon": f"{folder}/proofCanon{tag}.txt",
        "proof_hash": f"{folder}/proofHash{tag}.txt",
        "combined": f"{folder}/combinedHash{tag}.txt",
        "sig_hex": f"{folder}/sigHex{tag}.txt",
        "sig_b58": f"{folder}/sigBTC58{tag}.txt",
        "signed": f"{folder}/signed{tag}.json",
    }


CASES = {
    "rdfc-alumni": _case(EDDSA_RDFC_2022, f"{W3C}/unsigned.json", f"{W3C}/eddsa-rdfc-2022", "DataInt"),
    "rdfc-alumni-reference": _case(
        EDDSA_RDFC_2022_REFERENCE, f"{W3C}/unsigned.json", f"{W3C}/eddsa-rdfc-2022", "DataInt"
    ),
    "rdfc-employ": _case(EDDSA_RDFC_2022, f"{W3C}/employmentAuth.json", f"{W3C}/eddsa-rdfc-2022/employ", "DataInt"),
    "rdfc-employ-reference": _case(
        EDDSA_RDFC_2022_REFERENCE, f"{W3C}/employmentAuth.json", f"{W3C}/eddsa-rdfc-2022/employ", "DataInt"
    ),
    "jcs-alumni": _case(EDDSA_JCS_2022, f"{W3C}/unsigned.json", f"{W3C}/eddsa-jcs-2022", "JCS"),
}


@pytest.fixture(scope="module")
def w3c_key() -> SigningKey:
    pair = load_json(f"{W3C}/keyPair.json")
    key = SigningKey.from_secret_key_multibase(pair["privateKeyMultibase"])
    assert key.public_key_multibase == pair["publicKeyMultibase"]
    return key


@pytest.mark.parametrize("name", CASES)
def test_w3c_vector_reproduces_every_step(name: str, w3c_key: SigningKey) -> None:
    case = CASES[name]
    suite: Cryptosuite = case["suite"]
    document = load_json(case["unsigned"])
    config = load_json(case["config"])

    canonical_document = suite.canonicalize(document)
    assert canonical_document.decode("utf-8") == read_text(case["canon_doc"])
    assert hashlib.sha256(canonical_document).hexdigest() == read_text(case["doc_hash"])
    canonical_config = suite.canonicalize(config)
    assert canonical_config.decode("utf-8") == read_text(case["proof_canon"])
    assert hashlib.sha256(canonical_config).hexdigest() == read_text(case["proof_hash"])
    combined = suite.hash_data(document, config)
    assert combined.hex() == read_text(case["combined"])
    signature = w3c_key.sign(combined)
    assert signature.hex() == read_text(case["sig_hex"])
    assert multibase.encode_base58btc(signature) == read_text(case["sig_b58"])


@pytest.mark.parametrize("name", CASES)
def test_add_proof_matches_the_signed_w3c_vector(name: str, w3c_key: SigningKey) -> None:
    case = CASES[name]
    expected = load_json(case["signed"])
    signed = add_proof(
        load_json(case["unsigned"]),
        suite=case["suite"],
        signing_key=w3c_key,
        verification_method=expected["proof"]["verificationMethod"],
        created=expected["proof"]["created"],
    )
    assert signed["proof"] == [expected["proof"]]
    assert {k: v for k, v in signed.items() if k != "proof"} == {k: v for k, v in expected.items() if k != "proof"}


@pytest.mark.parametrize("name", CASES)
def test_signed_w3c_vector_verifies_with_proof_as_object(name: str) -> None:
    check = verify_proof(load_json(CASES[name]["signed"]), resolve_key=resolve_did_key)
    assert check.verified, check.reason


@pytest.mark.parametrize("suite", [EDDSA_RDFC_2022, EDDSA_RDFC_2022_REFERENCE], ids=["fast", "reference"])
def test_ob3_vector_reproduces_every_step(suite: Cryptosuite) -> None:
    vector = load_json("ob3/test-vector/vector.json")
    document = load_json("ob3/test-vector/unsigned-credential.json")
    config = load_json("ob3/test-vector/proof-config.json")
    config["@context"] = document["@context"]  # VC-DI-EdDSA §3.2.5; the page's config omits it
    key = SigningKey.from_seed(bytes.fromhex(vector["privateKeyHex_seedThenPublic"])[:32])
    assert key.public_key_bytes.hex() == vector["publicKeyHex"]
    assert key.public_key_multibase == vector["publicKeyMultibase"]
    assert SigningKey.from_secret_key_multibase(vector["secretKeyMultibase"]).seed == key.seed

    canonical_document = suite.canonicalize(document)
    assert canonical_document.decode("utf-8") == read_text("ob3/test-vector/document-canon.txt")
    assert hashlib.sha256(canonical_document).hexdigest() == vector["documentHashHex"]
    canonical_config = suite.canonicalize(config)
    assert canonical_config.decode("utf-8") == read_text("ob3/test-vector/proof-canon.txt")
    assert hashlib.sha256(canonical_config).hexdigest() == vector["proofHashHex"]
    combined = suite.hash_data(document, config)
    assert combined.hex() == vector["dataToSignHex"]
    assert key.sign(combined).hex() == vector["signatureHex"]

    signed = add_proof(
        document,
        suite=suite,
        signing_key=key,
        verification_method=vector["verificationMethod"],
        created=config["created"],
    )
    assert signed["proof"][0]["proofValue"] == vector["proofValue"]
    assert signed["proof"][0] == load_json("ob3/test-vector/signed-credential.json")["proof"]


def _containers(value: Any) -> list[Any]:
    found: list[Any] = []
    pending = [value]
    while pending:
        node = pending.pop()
        if isinstance(node, dict | list):
            found.append(node)
            pending.extend(node.values() if isinstance(node, dict) else node)
    return found


@pytest.mark.parametrize("suite", [EDDSA_JCS_2022, EDDSA_RDFC_2022], ids=["jcs", "rdfc"])
def test_add_proof_shares_no_dict_or_list_with_its_input(suite: Cryptosuite, w3c_key: SigningKey) -> None:
    document = load_json(f"{W3C}/unsigned.json")
    document["credentialSubject"]["tags"] = [["a"], {"b": [1, {"c": None}]}, "d"]  # nested and leaf-only
    once = add_proof(document, suite=suite, signing_key=w3c_key, verification_method="did:key:x", created=CREATED)
    twice = add_proof(once, suite=suite, signing_key=w3c_key, verification_method="did:key:x", created=CREATED)
    for earlier, later in ((document, once), (once, twice)):
        inside_earlier = {id(container) for container in _containers(earlier)}
        assert not [container for container in _containers(later) if id(container) in inside_earlier]
        assert {key: value for key, value in later.items() if key != "proof"} == {
            key: value for key, value in earlier.items() if key != "proof"
        }
        assert list(later) == [*(key for key in earlier if key != "proof"), "proof"]  # key order kept
    assert twice["proof"][0] == once["proof"][0]


@pytest.mark.parametrize(
    "extra",
    [{}, {"nonce": 7}, {"domain": ["a", "b"]}, {"expires": 1.5}, {"challenge": None}, {"weird": {"x": [True]}}],
    ids=repr,
)
def test_the_memoised_proof_configuration_hash_is_the_hash_of_its_jcs_form(extra: dict[str, Any]) -> None:
    config = {**load_json(f"{W3C}/eddsa-jcs-2022/proofConfigJCS.json"), **extra}
    for _ in range(2):  # the second time from the memo
        assert EDDSA_JCS_2022.hash_proof_config(config) == hashlib.sha256(EDDSA_JCS_2022.canonicalize(config)).digest()


def test_a_proof_configuration_without_a_jcs_form_is_refused_every_time() -> None:
    config = {**load_json(f"{W3C}/eddsa-jcs-2022/proofConfigJCS.json"), "nonce": float("nan")}
    for _ in range(2):
        with pytest.raises(JcsError):
            EDDSA_JCS_2022.hash_proof_config(config)
