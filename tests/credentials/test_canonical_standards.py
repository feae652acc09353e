"""Canonical N-Quads where pyld 3.3 and RDFC-1.0 / Digital Bazaar differed (issue 17, decision 0015)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from microcred.credentials.canonical import (
    CanonicalizationError,
    PoisonGraphError,
    canonicalization_route,
    canonicalize,
    canonicalize_reference,
    javascript_double_hazards,
)
from microcred.credentials.cryptosuites import EDDSA_RDFC_2022
from microcred.credentials.keys import SigningKey, resolve_did_key
from microcred.credentials.proofs import add_proof, verify_proof
from microcred.credentials.sample import sample_micro_credential

NAME = "<https://schema.org/name>"


def _credential(issuer_key: SigningKey, **achievement: Any) -> dict[str, Any]:
    document = sample_micro_credential(issuer_did=issuer_key.did)
    document["credentialSubject"]["achievement"].update(achievement)
    return document


def _both_routes(document: dict[str, Any]) -> str:
    compiled, reference = canonicalize(copy.deepcopy(document)), canonicalize_reference(copy.deepcopy(document))
    assert compiled == reference
    return compiled


def test_control_characters_are_escaped_as_canonical_n_quads_require(issuer_key: SigningKey) -> None:
    document = _credential(issuer_key, name='a\x00\x01\x08\x0b\x0c\x1f\x7f\t\n\r"\\z')
    assert canonicalization_route(document) == "compiled"
    line = next(line for line in _both_routes(document).splitlines() if NAME in line and "a\\u0000" in line)
    assert '"a\\u0000\\u0001\\b\\u000B\\f\\u001F\\u007F\\t\\n\\r\\"\\\\z"' in line
    # the same characters inside a value object take the reference route and are escaped the same way
    document = _credential(issuer_key, name={"@value": "a\x01", "@language": "nl"})
    assert '"a\\u0001"@nl' in _both_routes(document)


def test_a_direction_becomes_an_i18n_datatype_with_the_language_in_lower_case(issuer_key: SigningKey) -> None:
    document = _credential(issuer_key, name={"@value": "شهادة", "@language": "AR-eg", "@direction": "rtl"})
    assert '"شهادة"^^<https://www.w3.org/ns/i18n#ar-eg_rtl>' in _both_routes(document)
    document = _credential(issuer_key, name={"@value": "x", "@direction": "ltr"})
    assert '"x"^^<https://www.w3.org/ns/i18n#_ltr>' in _both_routes(document)


def test_an_integer_a_double_cannot_hold_is_refused_naming_where_and_why(issuer_key: SigningKey) -> None:
    document = _credential(issuer_key, creditsAvailable=9007199254740993)
    for canonicalizer in (canonicalize, canonicalize_reference):
        with pytest.raises(CanonicalizationError, match=r"credentialSubject\.achievement\.creditsAvailable.*string"):
            canonicalizer(copy.deepcopy(document))
    with pytest.raises(CanonicalizationError, match="9007199254740993"):
        add_proof(
            document,
            suite=EDDSA_RDFC_2022,
            signing_key=issuer_key,
            verification_method=issuer_key.verification_method,
            created="2025-01-01T00:00:00Z",
        )
    exact = _credential(issuer_key, creditsAvailable=2**60)  # beyond 2**53 but a double exactly
    assert f'"{2**60}"^^<https://www.w3.org/2001/XMLSchema#float>' in _both_routes(exact)


def _alike_siblings(issuer_key: SigningKey, descriptions: int, levels: int) -> dict[str, Any]:
    level = {"type": ["RubricCriterionLevel"], "name": "l"}
    description = {"type": ["ResultDescription"], "name": "r", "resultType": "Status"}
    return _credential(
        issuer_key,
        resultDescription=[
            {**description, "rubricCriterionLevel": [dict(level) for _ in range(levels)]} for _ in range(descriptions)
        ],
    )


def test_alike_nested_siblings_past_the_poison_graph_bound_are_neither_signed_nor_verified(
    issuer_key: SigningKey,
) -> None:
    _both_routes(_alike_siblings(issuer_key, 3, 1))  # tied blank nodes within the bound still canonicalise
    poisoned = _alike_siblings(issuer_key, 2, 2)
    with pytest.raises(PoisonGraphError, match=r"Maximum deep iterations exceeded \(6\)"):
        canonicalize(poisoned)
    with pytest.raises(PoisonGraphError):
        add_proof(
            poisoned,
            suite=EDDSA_RDFC_2022,
            signing_key=issuer_key,
            verification_method=issuer_key.verification_method,
            created="2025-01-01T00:00:00Z",
        )
    signed = add_proof(
        _credential(issuer_key),
        suite=EDDSA_RDFC_2022,
        signing_key=issuer_key,
        verification_method=issuer_key.verification_method,
        created="2025-01-01T00:00:00Z",
    )
    signed["credentialSubject"]["achievement"].update(poisoned["credentialSubject"]["achievement"])
    result = verify_proof(signed, resolve_key=resolve_did_key)
    assert not result.verified
    assert "Maximum deep iterations" in (result.reason or "")


def test_a_tiny_double_is_written_as_a_double_and_flagged_as_a_javascript_hazard(issuer_key: SigningKey) -> None:
    document = _credential(issuer_key, creditsAvailable=1e-7)
    assert '"1.0E-7"^^<https://www.w3.org/2001/XMLSchema#float>' in _both_routes(document)
    assert javascript_double_hazards(document) == ["$.credentialSubject.achievement.creditsAvailable"]
    assert javascript_double_hazards(_credential(issuer_key, creditsAvailable=1.5e-7)) == []
    assert javascript_double_hazards(_credential(issuer_key, creditsAvailable=0.000001)) == []


@pytest.mark.parametrize(
    ("value", "lexical"),
    [
        (2**-24, "5.960464477539063E-8"),  # an exact tie: ECMAScript rounds it up, C's %e to even
        (5.5, "5.5E0"),
        (1e21, "1.0E21"),
        (-2.5, "-2.5E0"),
        (1.7976931348623157e308, "1.797693134862316E308"),
        (5e-324, "4.940656458412465E-324"),
    ],
)
def test_doubles_are_written_as_javascript_to_exponential_writes_them(
    issuer_key: SigningKey, value: float, lexical: str
) -> None:
    document = _credential(issuer_key, creditsAvailable=value)
    assert f'"{lexical}"^^<https://www.w3.org/2001/XMLSchema#float>' in _both_routes(document)
