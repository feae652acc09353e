"""Multikey and did:key encoding, and the offline loader that serves only shipped contexts."""

from __future__ import annotations

import hashlib
import json
import re
from importlib.resources import files

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microcred.credentials import multibase
from microcred.credentials.keys import (
    KeyFormatError,
    SigningKey,
    decode_public_key_multibase,
    did_key_document,
    resolve_did_key,
)
from microcred.credentials.loader import (
    MICROCRED_CONTEXT_URL,
    MICROCRED_ELM_CONTEXT_URL,
    OWN_CONTEXT_PREFIX,
    UnknownContextError,
    context_source,
    document_loader,
    shipped_context_urls,
)

from .conftest import load_json

CONTEXTS = files("microcred.credentials") / "contexts"


def test_w3c_key_pair_round_trips() -> None:
    pair = load_json("w3c-eddsa/keyPair.json")
    key = SigningKey.from_secret_key_multibase(pair["privateKeyMultibase"])
    assert key.public_key_multibase == pair["publicKeyMultibase"]
    assert key.secret_key_multibase == pair["privateKeyMultibase"]
    assert key.verification_method == f"did:key:{pair['publicKeyMultibase']}#{pair['publicKeyMultibase']}"


def test_did_key_resolves_locally(issuer_key: SigningKey) -> None:
    assert resolve_did_key(issuer_key.verification_method).public_bytes_raw() == issuer_key.public_key_bytes
    assert resolve_did_key(issuer_key.did).public_bytes_raw() == issuer_key.public_key_bytes
    document = did_key_document(issuer_key.did)
    assert document["assertionMethod"] == [issuer_key.verification_method]
    assert document["verificationMethod"][0]["publicKeyMultibase"] == issuer_key.public_key_multibase


@pytest.mark.parametrize(
    "bad",
    [
        "did:web:example.org",
        "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme",
        "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#other",
        "did:key:z0OIl",
    ],
)
def test_malformed_or_foreign_keys_are_refused(bad: str) -> None:
    with pytest.raises(KeyFormatError):
        resolve_did_key(bad)


def test_public_multikey_has_the_ed25519_prefix(issuer_key: SigningKey) -> None:
    assert issuer_key.public_key_multibase.startswith("z6Mk")
    assert decode_public_key_multibase(issuer_key.public_key_multibase).public_bytes_raw() == (
        issuer_key.public_key_bytes
    )


@given(st.binary(max_size=64))
def test_base58btc_and_base64url_round_trip(data: bytes) -> None:
    assert multibase.decode(multibase.encode_base58btc(data)) == data
    assert multibase.decode(multibase.encode_base64url(data)) == data


def test_loader_refuses_a_context_it_does_not_ship() -> None:
    with pytest.raises(UnknownContextError, match=r"https://evil\.example/context"):
        document_loader("https://evil.example/context")


def test_copied_contexts_are_byte_exact() -> None:
    sources = (CONTEXTS / "SOURCES.md").read_text("utf-8")
    pinned = {name: digest for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+)$", sources, re.M)}
    index = json.loads((CONTEXTS / "index.json").read_text("utf-8"))
    for url in shipped_context_urls():
        if url.startswith(OWN_CONTEXT_PREFIX):
            continue
        assert hashlib.sha256(context_source(url)).hexdigest() == pinned[index[url]], url


def test_our_context_is_protected_and_under_our_namespace() -> None:
    assert json.loads(context_source(MICROCRED_ELM_CONTEXT_URL))["@context"]["@protected"] is True
    context = json.loads(context_source(MICROCRED_CONTEXT_URL))["@context"]
    assert context["@protected"] is True
    for term, definition in context.items():
        if not term.startswith("@"):
            assert definition["@id"].startswith("https://microcred.eu/ns#"), term


@given(st.binary(max_size=96), st.integers(min_value=0, max_value=4))
def test_base58btc_round_trips_and_keeps_leading_zero_bytes(body: bytes, zeros: int) -> None:
    data = b"\0" * zeros + body
    encoded = multibase.base58btc_encode(data)
    assert multibase.base58btc_decode(encoded) == data
    assert encoded.startswith("1" * (len(data) - len(data.lstrip(b"\0"))))
    assert not encoded.startswith("1" * (len(data) - len(data.lstrip(b"\0")) + 1))


@given(st.binary(min_size=32, max_size=32), st.binary(max_size=200))
def test_libsodium_signs_the_same_bytes_as_openssl(seed: bytes, message: bytes) -> None:
    key = SigningKey.from_seed(seed)
    signature = key.sign(message)
    assert signature == key.private_key.sign(message)  # Ed25519 is deterministic: one signature per message
    key.public_key.verify(signature, message)


def test_the_rfc_8032_test_vector_signs_as_published() -> None:
    # RFC 8032 §7.1, TEST 2: one-byte message 0x72.
    key = SigningKey.from_seed(bytes.fromhex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"))
    assert key.public_key_bytes.hex() == "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
    assert key.sign(b"\x72").hex() == (
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
        "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
    )


def _base58btc_decode_by_character(text: str) -> bytes:
    """The decoder as first written, a step per character: the reference the faster one must equal."""
    number = 0
    for character in text:
        position = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".find(character)
        if position < 0:
            raise multibase.MultibaseError(f"{character!r} is not a base58btc character")
        number = number * 58 + position
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + (number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b"")


base58ish_text = st.text(
    st.sampled_from(list("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"))
    | st.sampled_from(["0", "O", "I", "l", "+", " ", "\x00", "\xff", "é", "😀", "\ud800"]),
    max_size=120,
)


@given(base58ish_text | st.builds(lambda ones, rest: "1" * ones + rest, st.integers(0, 5), base58ish_text))
def test_base58btc_decoding_equals_the_character_by_character_decoder(text: str) -> None:
    try:
        expected: bytes | str = _base58btc_decode_by_character(text)
    except multibase.MultibaseError as error:
        expected = str(error)
    try:
        found: bytes | str = multibase.base58btc_decode(text)
    except multibase.MultibaseError as error:
        found = str(error)
    assert found == expected


@pytest.mark.parametrize(
    ("text", "expected"), [("", b""), ("1", b"\0"), ("111", b"\0\0\0"), ("2", b"\1"), ("z", b"\x39")]
)
def test_base58btc_decodes_the_edges(text: str, expected: bytes) -> None:
    assert multibase.base58btc_decode(text) == expected


@pytest.mark.parametrize("text", ["0", "1O", "abcI", "l", "1é", "11\x00", "😀"])
def test_base58btc_refuses_characters_outside_the_alphabet(text: str) -> None:
    with pytest.raises(multibase.MultibaseError, match="is not a base58btc character"):
        multibase.base58btc_decode(text)
