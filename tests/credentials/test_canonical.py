"""RDFC-1.0: the fast path equals the plain pyld path byte for byte; safe mode refuses undefined data."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microcred.credentials.canonical import (
    UnsafeJsonLdError,
    canonicalize,
    canonicalize_reference,
)
from microcred.credentials.loader import UnknownContextError
from microcred.credentials.sample import sample_micro_credential

from .conftest import load_json

ISSUER = "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
numbers = st.integers(-(10**6), 10**6) | st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 3))
optional_keys = [
    "description",
    "fieldOfStudy",
    "humanCode",
    "inLanguage",
    "tag",
    "alignment",
    "qualityAssurance",
    "countsTowards",
    "prerequisites",
    "workloadHours",
]


@st.composite
def micro_credentials(draw: st.DrawFn) -> dict[str, Any]:
    document = sample_micro_credential(issuer_did=ISSUER, learner_number=draw(st.integers(0, 10**6)))
    achievement = document["credentialSubject"]["achievement"]
    for key in optional_keys:
        if draw(st.booleans()):
            achievement.pop(key, None)
    achievement["name"] = draw(texts)
    achievement["creditsAvailable"] = draw(numbers)
    achievement["criteria"]["narrative"] = draw(texts)
    document["credentialSubject"]["result"][0]["value"] = draw(texts)
    if draw(st.booleans()):
        document["credentialSubject"]["achievement"] = achievement["id"]
    if draw(st.booleans()):
        achievement["id"] = "urn:uuid:" + draw(st.uuids()).hex
    if draw(st.booleans()):
        del achievement["id"]  # a blank node: exercises blank-node labelling
    document["name"] = draw(texts)
    document["issuer"]["name"] = draw(texts)
    return document


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(micro_credentials())
def test_fast_path_is_byte_identical_to_pyld(document: dict[str, Any]) -> None:
    assert canonicalize(document) == canonicalize_reference(document)


@pytest.mark.parametrize(
    "path",
    [
        "ob3/1edtech-validator-tests/complete.json",
        "ob3/spec/complete-openbadgecredential.json",
        "ob3/1edtech-validator-tests/bit-string-list/credential-status-revoked-blank-nodes.json",
        "w3c-eddsa/employmentAuth.json",
        "status-list/spec-examples/example-credential-with-status-entries.json",
    ],
)
def test_fast_path_matches_pyld_on_published_documents(path: str) -> None:
    document = load_json(path)
    document.pop("proof", None)
    assert canonicalize(document) == canonicalize_reference(document)


def test_control_characters_and_language_tags_take_the_pyld_route() -> None:
    document = sample_micro_credential(issuer_did=ISSUER)
    document["name"] = {"@value": "Bell\x07 and tab\t", "@language": "nl-BE"}
    assert canonicalize(document) == canonicalize_reference(document)


def test_repeated_canonicalisation_is_stable() -> None:
    document = sample_micro_credential(issuer_did=ISSUER)
    first = canonicalize(document)
    assert all(canonicalize(copy.deepcopy(document)) == first for _ in range(5))


@pytest.mark.parametrize("canonicalizer", [canonicalize, canonicalize_reference])
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(learnerNickname="An"), "not defined"),
        (lambda d: d["credentialSubject"]["achievement"].update(ectsCredits=4), "not defined"),
        (lambda d: d["type"].append("MicroCredentialCredential"), "not defined"),
        (lambda d: d.update(id="credentials/1"), "relative IRI"),
    ],
)
def test_safe_mode_refuses_terms_no_context_defines(canonicalizer: Any, change: Any, message: str) -> None:
    document = sample_micro_credential(issuer_did=ISSUER)
    change(document)
    with pytest.raises(UnsafeJsonLdError, match=message):
        canonicalizer(document)


@pytest.mark.parametrize("canonicalizer", [canonicalize, canonicalize_reference])
def test_unknown_context_is_refused_with_its_url(canonicalizer: Any) -> None:
    document = sample_micro_credential(issuer_did=ISSUER)
    document["@context"].append("https://contexts.example/unknown/v1")
    with pytest.raises(UnknownContextError, match=r"https://contexts\.example/unknown/v1"):
        canonicalizer(document)
