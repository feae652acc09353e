"""RDFC-1.0: both routes equal pyld's public ``jsonld.normalize`` byte for byte; safe mode refuses undefined data."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microcred.credentials.canonical import (
    PoisonGraphError,
    UnsafeJsonLdError,
    canonicalization_route,
    canonicalize,
    canonicalize_reference,
)
from microcred.credentials.cryptosuites import EDDSA_RDFC_2022
from microcred.credentials.loader import UnknownContextError
from microcred.credentials.proofs import proof_configuration
from microcred.credentials.sample import sample_micro_credential
from microcred.credentials.status_list import StatusList, status_list_credential

from .conftest import load_json, pyld_normalize

ISSUER = "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
# Strings that stress N-Quads escaping: quotes, backslashes, newlines, tabs, non-ASCII and astral characters.
tricky_characters = st.sampled_from(['"', "\\", "\n", "\r", "\t", "é", "€", "ß", "😀", "𝄞", "\u2028", "'", " "])
texts = st.text(
    st.characters(blacklist_categories=("Cs",)) | tricky_characters,
    max_size=30,
)
integers = st.integers(-(10**6), 10**6) | st.sampled_from([0, 10**21, 10**22, -(10**21), 2**53])
floats = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from([5.5, 1e-7, 5.0, -0.0, 1e21, 0.1, 1e300])
numbers = integers | floats
scalars = texts | numbers | st.booleans()
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
    "eqfLevel",
    "vksLevel",
    "iscedField",
    "assessmentType",
    "participationForm",
    "identityCheck",
    "gradingScheme",
    "offerKind",
    "stackability",
    "awardingBody",
]


@st.composite
def alignments(draw: st.DrawFn) -> dict[str, Any]:
    alignment: dict[str, Any] = {
        "type": draw(st.sampled_from([["Alignment"], "Alignment"])),
        "targetName": draw(texts),
        "targetUrl": "http://data.europa.eu/snb/eqf/" + str(draw(st.integers(1, 8))),
    }
    for key in ("targetCode", "targetFramework", "targetDescription"):
        if draw(st.booleans()):
            alignment[key] = draw(texts)
    if draw(st.booleans()):
        alignment["targetType"] = draw(st.sampled_from(["ext:EQF", "ext:ISCED-F", "CFItem", "Competency"]))
    return alignment


@st.composite
def quality_assurances(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "type": "QualityAssurance",
        "name": draw(texts),
        "agency": "https://www.nvao.net",
        "qaKind": draw(texts),
        "accreditedFrom": draw(st.dates()).isoformat(),
    }


@st.composite
def result_descriptions(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "id": "urn:uuid:" + draw(st.uuids()).hex,
        "type": ["ResultDescription"],
        "name": draw(texts),
        "resultType": "GradePointAverage",
        "allowedValue": draw(st.lists(texts, max_size=4) | st.none()),  # an @list container: an RDF collection
    }


@st.composite
def micro_credentials(draw: st.DrawFn) -> dict[str, Any]:
    """OB 3.0 micro-credentials shaped like ours, with every optional part and every value varied."""
    document = sample_micro_credential(issuer_did=ISSUER, learner_number=draw(st.integers(0, 10**6)))
    subject = document["credentialSubject"]
    achievement = subject["achievement"]
    achievement["alignment"] = draw(st.lists(alignments(), max_size=4))
    achievement["qualityAssurance"] = draw(st.lists(quality_assurances(), max_size=2))
    if draw(st.booleans()):
        achievement["resultDescription"] = draw(st.lists(result_descriptions(), min_size=1, max_size=2))
    for key in optional_keys:
        presence = draw(st.sampled_from(["kept", "absent", "null"]))
        if presence == "absent":
            achievement.pop(key, None)
        elif presence == "null" and key in achievement:
            achievement[key] = None  # JSON-LD drops a null value
    for key in ("eqfLevel", "vksLevel", "workloadHours"):  # xsd:integer-typed extension terms
        if key in achievement and draw(st.booleans()):
            achievement[key] = draw(integers)
    achievement["name"] = draw(texts)
    achievement["creditsAvailable"] = draw(numbers)  # xsd:float-typed: ints, 5.5, 1e-7, 1e21 ...
    achievement["criteria"]["narrative"] = draw(texts)
    if "tag" in achievement:
        achievement["tag"] = draw(st.lists(texts, max_size=3) | texts)
    if draw(st.booleans()):
        achievement["humanCode"] = draw(scalars)  # an untyped term holding a number or a boolean
    subject["result"][0]["value"] = draw(texts)
    subject["identifier"][0]["hashed"] = draw(st.booleans())
    if draw(st.booleans()):
        subject["achievement"] = achievement["id"]
    if draw(st.booleans()):
        achievement["id"] = "urn:uuid:" + draw(st.uuids()).hex
    if draw(st.booleans()):
        del achievement["id"]  # a blank node: exercises blank-node labelling
    if draw(st.booleans()):
        document["type"] = ["VerifiableCredential", "OpenBadgeCredential", "VerifiableCredential"]
    if draw(st.booleans()):
        document.pop("description")
    document["name"] = draw(texts)
    document["issuer"]["name"] = draw(texts)
    if draw(st.booleans()):
        document["issuer"]["otherIdentifier"].append(dict(document["issuer"]["otherIdentifier"][0]))  # a tie
    return document


@pytest.mark.slow  # about 6 s: 300 documents, each canonicalised by pyld as well
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(micro_credentials())
def test_both_routes_are_byte_identical_to_pyld_normalize(document: dict[str, Any]) -> None:
    """pyld has no poison-graph bound; we apply Digital Bazaar's (decision 0015). A generated document whose
    blank nodes tie past it is refused by both our routes alike, and only then differs from pyld."""
    expected = pyld_normalize(document)
    try:
        found = canonicalize(document)
    except PoisonGraphError:
        with pytest.raises(PoisonGraphError):
            canonicalize_reference(document)
        return
    assert found == expected
    assert canonicalize_reference(document) == expected


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
def test_published_documents_canonicalise_as_pyld_normalize_does(path: str) -> None:
    document = load_json(path)
    document.pop("proof", None)
    assert canonicalize(document) == canonicalize_reference(document) == pyld_normalize(document)


def _proof_configuration(document: dict[str, Any]) -> dict[str, Any]:
    return proof_configuration(
        document, suite=EDDSA_RDFC_2022, verification_method=f"{ISSUER}#key", created="2025-02-01T00:00:00Z"
    )


def _status_list() -> dict[str, Any]:
    return status_list_credential(
        url="https://register.example/status/1",
        issuer=ISSUER,
        status_list=StatusList(),
        valid_from="2025-02-01T00:00:00Z",
    )


@pytest.mark.parametrize(
    "build",
    [
        lambda: sample_micro_credential(issuer_did=ISSUER),
        lambda: _proof_configuration(sample_micro_credential(issuer_did=ISSUER)),
        _status_list,
        lambda: _proof_configuration(_status_list()),
    ],
    ids=["credential", "credential proof configuration", "status list", "status list proof configuration"],
)
def test_what_the_register_signs_takes_the_compiled_route(build: Any) -> None:
    document = build()
    assert canonicalization_route(document) == "compiled"
    assert canonicalize(document) == pyld_normalize(document)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(name={"@value": "Bell\x07 and tab\t", "@language": "nl-BE"}),  # a value object
        lambda d: d.update(proof={"type": "DataIntegrityProof", "proofValue": "z1"}),  # a @graph container
        lambda d: d["issuer"]["otherIdentifier"].append(dict(d["issuer"]["otherIdentifier"][0])),  # a tie
        lambda d: d.update(learnerNickname="An"),  # undefined: pyld's safe-mode error
    ],
    ids=["value object", "embedded proof", "blank-node tie", "undefined term"],
)
def test_shapes_outside_the_compiled_rule_take_the_reference_route(change: Any) -> None:
    document = sample_micro_credential(issuer_did=ISSUER)
    change(document)
    assert canonicalization_route(document) == "reference"


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
