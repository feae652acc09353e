"""Bitstring Status List v1.0: encoding, the published lists, entries and the list credential."""

from __future__ import annotations

import gzip
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microcred.credentials import multibase
from microcred.credentials.canonical import canonicalize
from microcred.credentials.cryptosuites import EDDSA_RDFC_2022
from microcred.credentials.keys import SigningKey, resolve_did_key
from microcred.credentials.proofs import add_proof, verify_proof
from microcred.credentials.status_list import (
    MAXIMUM_BYTES,
    MINIMUM_BITS,
    StatusList,
    StatusListError,
    shuffled_indexes,
    status_list_credential,
    status_list_entry,
)

from .conftest import load_json


@pytest.mark.parametrize("listed", load_json("status-list/encodedList-decoded.json")["lists"])
def test_published_lists_decode_to_the_recorded_bits(listed: dict[str, object]) -> None:
    status_list = StatusList.decode(str(listed["encodedList"]))
    assert status_list.length == listed["decodedBits"]
    assert status_list.set_indexes() == listed["setBitIndexes"]


def test_spec_example_credential_decodes_empty() -> None:
    credential = load_json("status-list/spec-examples/example-bitstringstatuslistcredential.json")
    assert StatusList.decode(credential["credentialSubject"]["encodedList"]).set_indexes() == []


def test_1edtech_revoked_credential_points_at_a_set_bit() -> None:
    credential = load_json("ob3/1edtech-validator-tests/bit-string-list/credential-status-revoked.json")
    status_list = StatusList.decode(
        load_json("ob3/1edtech-validator-tests/bit-string-list/testlist")["credentialSubject"]["encodedList"]
    )
    assert status_list.get(int(credential["credentialStatus"]["statusListIndex"]))


def test_bit_zero_is_the_most_significant_bit_of_the_first_byte() -> None:
    status_list = StatusList()
    status_list.set(0)
    status_list.set(9)
    raw = __import__("gzip").decompress(multibase.decode(status_list.encode()))
    assert raw[:2] == bytes([0b1000_0000, 0b0100_0000])


@given(st.sets(st.integers(0, MINIMUM_BITS - 1), max_size=50))
def test_encoding_round_trips(indexes: set[int]) -> None:
    status_list = StatusList()
    for index in indexes:
        status_list.set(index)
    encoded = status_list.encode()
    assert encoded.startswith("u")
    assert "=" not in encoded
    assert StatusList.decode(encoded).set_indexes() == sorted(indexes)


def test_clearing_a_bit_reinstates() -> None:
    status_list = StatusList()
    status_list.set(42)
    status_list.set(42, False)
    assert not status_list.get(42)


@pytest.mark.parametrize("length", [MINIMUM_BITS - 8, MINIMUM_BITS + 1])
def test_lists_shorter_than_the_privacy_minimum_are_refused(length: int) -> None:
    with pytest.raises(StatusListError):
        StatusList(length)


def test_short_encoded_list_is_refused() -> None:
    short = multibase.encode_base64url(__import__("gzip").compress(bytes(16)))
    with pytest.raises(StatusListError, match="fewer than"):
        StatusList.decode(short)


def test_index_out_of_range_is_refused() -> None:
    with pytest.raises(StatusListError):
        StatusList().get(MINIMUM_BITS)


def test_signed_list_credential_and_entry_are_valid_json_ld(issuer_key: SigningKey) -> None:
    status_list = StatusList()
    status_list.set(1001)
    url = "https://register.microcred.example/status/2025/1"
    credential = status_list_credential(
        url=url, issuer=issuer_key.did, status_list=status_list, valid_from="2025-02-01T00:00:00Z"
    )
    signed = add_proof(
        credential,
        suite=EDDSA_RDFC_2022,
        signing_key=issuer_key,
        verification_method=issuer_key.verification_method,
        created="2025-02-01T00:00:00Z",
    )
    assert verify_proof(signed, resolve_key=resolve_did_key).verified
    entry = status_list_entry(list_credential_url=url, index=1001, purpose="suspension")
    assert entry["statusListIndex"] == "1001"
    assert "#1001" in canonicalize(
        {"@context": credential["@context"], "type": "VerifiableCredential", "credentialStatus": entry}
    )


def test_a_list_that_inflates_past_the_maximum_is_refused() -> None:
    bomb = multibase.encode_base64url(gzip.compress(bytes(MAXIMUM_BYTES + 8)))
    assert len(bomb) < 64 * 1024  # a small body
    with pytest.raises(StatusListError, match="more than"):
        StatusList.decode(bomb)
    cut = multibase.encode_base64url(gzip.compress(bytes(MINIMUM_BITS // 8))[:-12])
    with pytest.raises(StatusListError, match="cut short"):
        StatusList.decode(cut)


def test_a_shuffled_order_is_a_permutation_and_every_order_is_about_as_likely() -> None:
    full = shuffled_indexes(range(131_072))
    assert sorted(full) == list(range(131_072))
    assert full != list(range(131_072))
    drawn = Counter(tuple(shuffled_indexes([7, 8, 9])) for _ in range(6_000))
    assert len(drawn) == 6  # expected 1,000 each, standard deviation about 29: 800-1,200 is ±7 of them
    assert all(800 < count < 1_200 for count in drawn.values()), drawn
