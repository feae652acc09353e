"""SD-JWT (RFC 9901) and the Token Status List against the specifications' own examples, and the key proof rules."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from joserfc import jws
from joserfc.jwk import ECKey

from microcred.credentials.jose import (
    PROOF_TYP,
    KeyProofError,
    b64url,
    holder_did,
    holder_jwk,
    verify_jws,
    verify_key_proof,
)
from microcred.credentials.keys import SigningKey
from microcred.credentials.sd_jwt import (
    Disclosure,
    SdJwtError,
    combine,
    digest,
    disclosed_claims,
    make_disclosable,
    split,
)
from microcred.credentials.token_status_list import decode_list, encode_list

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
AUDIENCE = "https://register.example"


def test_the_disclosure_digest_is_the_rfc_9901_example() -> None:
    # RFC 9901 §4.2.1 and §4.2.3: ["_26bc4LT-ac6q2KI6cBW5es", "family_name", "Möbius"]
    disclosure = Disclosure.of("family_name", "Möbius", salt="_26bc4LT-ac6q2KI6cBW5es")
    assert disclosure.encoded == "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0"
    assert disclosure.digest == "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0"
    # §4.2.2's array element: the digest is over the base64url text, whatever it encodes
    assert digest("WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0") == "w0I8EKcdCtUPkGCNUrfwVp2xEgNjtoIDlOxc9-PlOhs"


def test_a_disclosure_given_in_another_json_spelling_keeps_its_own_digest() -> None:
    # §4.2.1: the issuer's exact bytes are hashed, so a disclosure is never re-serialised
    parsed = Disclosure.parse("WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsImZhbWlseV9uYW1lIiwiTcO2Yml1cyJd")
    assert (parsed.name, parsed.value) == ("family_name", "Möbius")
    assert parsed.digest == digest(parsed.encoded)


def test_only_the_disclosed_claims_are_revealed() -> None:
    claims = {"iss": "did:web:x", "achievement": {"name": "Data"}, "ects": 4, "grade": "14"}
    payload, disclosures = make_disclosable(claims, ("achievement", "ects", "grade"))
    assert set(payload) == {"iss", "_sd", "_sd_alg"}
    assert len(payload["_sd"]) == 3 + 2  # two decoys hide how many claims there are
    chosen = [d for d in disclosures if d.name != "grade"]
    assert disclosed_claims(payload, chosen) == {"iss": "did:web:x", "achievement": {"name": "Data"}, "ects": 4}


def test_a_disclosure_the_issuer_did_not_sign_is_refused() -> None:
    payload, _ = make_disclosable({"grade": "8"}, ("grade",))
    with pytest.raises(SdJwtError):
        disclosed_claims(payload, [Disclosure.of("grade", "20")])


def test_the_compact_form_splits_back() -> None:
    _, disclosures = make_disclosable({"a": 1, "b": 2}, ("a", "b"))
    issuer_jwt, parsed, key_binding = split(combine("h.p.s", disclosures))
    assert issuer_jwt == "h.p.s"
    assert [d.encoded for d in parsed] == [d.encoded for d in disclosures]
    assert key_binding == ""


def test_the_token_status_lists_are_the_drafts_examples() -> None:
    # draft-ietf-oauth-status-list §4.1: 1-bit and 2-bit examples, least significant bits first
    one_bit = {0: 1, 3: 1, 4: 1, 5: 1, 7: 1, 8: 1, 9: 1, 13: 1, 15: 1}
    assert encode_list(one_bit, 16, bits=1) == "eNrbuRgAAhcBXQ"
    two_bits = {0: 1, 1: 2, 3: 3, 5: 1, 7: 1, 8: 1, 9: 2, 10: 3, 11: 3}
    assert encode_list(two_bits, 12, bits=2) == "eNo76fITAAPfAgc"
    assert decode_list("eNo76fITAAPfAgc")[:12] == [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]


@given(st.dictionaries(st.integers(0, 999), st.integers(0, 3), max_size=50))
def test_a_token_status_list_reads_back_what_was_written(statuses: dict[int, int]) -> None:
    decoded = decode_list(encode_list(statuses, 1000))
    assert [decoded[i] for i in range(1000)] == [statuses.get(i, 0) for i in range(1000)]


def _proof(key: ECKey, claims: dict[str, object], **header: object) -> str:
    public = {k: v for k, v in key.as_dict(private=False).items() if k in ("kty", "crv", "x", "y")}
    protected = {"alg": "ES256", "typ": PROOF_TYP, "jwk": public, **header}
    return jws.serialize_compact(protected, json.dumps(claims).encode(), key, algorithms=["ES256"])


def test_a_key_proof_names_the_holder_and_its_nonce() -> None:
    key = ECKey.generate_key("P-256")
    proof = verify_key_proof(
        _proof(key, {"aud": AUDIENCE, "nonce": "n1", "iat": int(NOW.timestamp())}),
        audience=AUDIENCE,
        now=NOW,
        max_age=timedelta(minutes=5),
    )
    assert proof.nonce == "n1"
    assert proof.did.startswith("did:jwk:")


@pytest.mark.parametrize(
    ("claims", "header", "reason"),
    [
        ({"aud": "https://other.example", "nonce": "n", "iat": 0}, {}, "wrong-audience"),
        ({"aud": AUDIENCE, "nonce": "n"}, {}, "iat-missing"),
        ({"aud": AUDIENCE, "nonce": "n", "iat": -3600}, {}, "iat-out-of-range"),
        ({"aud": AUDIENCE, "nonce": "n", "iat": 3600}, {}, "iat-out-of-range"),
        ({"aud": AUDIENCE, "iat": 0}, {}, "nonce-missing"),
        ({"aud": AUDIENCE, "nonce": "n", "iat": 0}, {"typ": "JWT"}, "wrong-typ"),
        ({"aud": AUDIENCE, "nonce": "n", "iat": 0}, {"kid": "did:key:z6Mk"}, "one-key-needed"),
    ],
)
def test_a_key_proof_breaking_a_rule_is_refused(
    claims: dict[str, object], header: dict[str, object], reason: str
) -> None:
    if "iat" in claims:
        claims = {**claims, "iat": int(NOW.timestamp()) + int(claims["iat"])}  # type: ignore[call-overload]
    with pytest.raises(KeyProofError) as refused:
        verify_key_proof(
            _proof(ECKey.generate_key("P-256"), claims, **header),
            audience=AUDIENCE,
            now=NOW,
            max_age=timedelta(minutes=5),
        )
    assert refused.value.reason == reason


def test_an_ed25519_did_key_round_trips_through_its_jwk() -> None:
    key = SigningKey.generate()
    jwk = holder_jwk(key.verification_method)
    assert jwk["x"] == b64url(key.public_key_bytes)
    assert holder_did(jwk) == key.did


def test_a_signature_by_another_key_is_refused() -> None:
    signed = _proof(ECKey.generate_key("P-256"), {"aud": AUDIENCE})
    other = {
        k: v for k, v in ECKey.generate_key("P-256").as_dict(private=False).items() if k in ("kty", "crv", "x", "y")
    }
    with pytest.raises(KeyProofError):
        verify_jws(signed, other)
