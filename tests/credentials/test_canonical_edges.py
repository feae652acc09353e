"""The compiled canonicalisation path on JSON-LD shapes at its edges: same bytes, or same error, as pyld.

Each case is either handled by the compiled path or handed to pyld; either way the result must be the
reference's, and a document the reference refuses must be refused with the same error type.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from microcred.credentials.canonical import canonicalize, canonicalize_reference
from microcred.credentials.sample import sample_micro_credential

from .conftest import VECTORS, pyld_normalize

ISSUER = "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
Change = Callable[[dict[str, Any]], object]


def _achievement(document: dict[str, Any]) -> dict[str, Any]:
    achievement: dict[str, Any] = document["credentialSubject"]["achievement"]
    return achievement


def _result_description(allowed: object) -> dict[str, Any]:
    return {
        "id": "urn:x:1",
        "type": ["ResultDescription"],
        "name": "n",
        "resultType": "Status",
        "allowedValue": allowed,
    }


EDGES: dict[str, Change] = {
    "an empty object as a value": lambda d: _achievement(d).update(criteria={}),
    "nested arrays flatten": lambda d: _achievement(d).update(tag=[["a", ["b"]], "c", None]),
    "a null value is dropped": lambda d: _achievement(d).update(description=None),
    "the @type keyword as key": lambda d: _achievement(d).update({"@type": "Achievement"}),
    "the @id keyword as key": lambda d: _achievement(d).update({"@id": _achievement(d).pop("id")}),
    "colliding @id keys": lambda d: _achievement(d).update({"@id": "https://x.example/1"}),
    "a language-tagged value object": lambda d: _achievement(d).update(name={"@value": "x", "@language": "nl"}),
    "true, 1, 1.0 and '1' under one property": lambda d: _achievement(d).update(humanCode=[True, 1, 1.0, "1"]),
    "duplicate strings": lambda d: _achievement(d).update(tag=["a", "a", "b"]),
    "one node embedded twice": lambda d: d["credentialSubject"].update(
        achievement=[copy.deepcopy(_achievement(d)), {"id": _achievement(d)["id"], "name": "other"}]
    ),
    "an absolute IRI as type": lambda d: _achievement(d).update(type=["Achievement", "https://schema.org/Thing"]),
    "an undefined type": lambda d: _achievement(d).update(type=["Achievement", "Foo"]),
    "a relative id": lambda d: _achievement(d).update(id="foo/bar"),
    "an id with a space": lambda d: _achievement(d).update(id="https://x.example/a b"),
    "a blank-node id": lambda d: _achievement(d).update(id="_:b0"),
    "an absolute IRI as property": lambda d: _achievement(d).update({"https://schema.org/foo": "bar"}),
    "an absolute IRI property with a node": lambda d: _achievement(d).update(
        {"https://schema.org/foo": {"id": "https://a.example"}}
    ),
    "a float under an xsd:integer term": lambda d: _achievement(d).update(eqfLevel=5.5),
    "a string under an xsd:integer term": lambda d: _achievement(d).update(eqfLevel="5"),
    "a boolean under an xsd:float term": lambda d: _achievement(d).update(creditsAvailable=True),
    "integers of 1e21 and more": lambda d: _achievement(d).update(creditsAvailable=10**30, humanCode=10**21),
    "negative zero": lambda d: _achievement(d).update(creditsAvailable=-0.0, humanCode=-0.0),
    "type as a single string": lambda d: d.update(type="VerifiableCredential"),
    "an embedded context": lambda d: _achievement(d).update({"@context": {"foo": "https://x.example/foo"}, "foo": 1}),
    "issuer as an IRI string": lambda d: d.update(issuer=ISSUER),
    "an empty @list": lambda d: _achievement(d).update(resultDescription=[_result_description([])]),
    "a @list of lists": lambda d: _achievement(d).update(resultDescription=[_result_description([["a"], "b"])]),
    "a @list given as a scalar": lambda d: _achievement(d).update(resultDescription=[_result_description("a")]),
    "a @list given as null": lambda d: _achievement(d).update(resultDescription=[_result_description(None)]),
    "a @list of nulls": lambda d: _achievement(d).update(resultDescription=[_result_description([None, "a", None])]),
    "control and separator characters": lambda d: _achievement(d).update(name="a\x07b\x00\x7f\u2028\x85\x1c"),
    "a term where an IRI belongs": lambda d: _achievement(d).update(id="Achievement"),
    "an embedded proof (a @graph container)": lambda d: d.update(
        proof={
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "proofPurpose": "assertionMethod",
            "verificationMethod": "did:key:z6Mk#z6Mk",
            "proofValue": "z1",
        }
    ),
    "a repeated status entry": lambda d: d.update(credentialStatus=[d["credentialStatus"], d["credentialStatus"]]),
    "a document with only an id": lambda d: [d.clear(), d.update({"@context": [], "id": "https://x.example/"})],
    "no context": lambda d: d.pop("@context"),
    "a context string that leaves terms undefined": lambda d: d.update({"@context": d["@context"][0]}),
    "a keyword-like key": lambda d: _achievement(d).update({"@foo": 1}),
}


def _outcome(canonicalizer: Callable[[dict[str, Any]], str], document: dict[str, Any]) -> object:
    try:
        return canonicalizer(copy.deepcopy(document))
    except Exception as error:  # the error type is the outcome to compare
        return type(error)


@pytest.mark.parametrize("change", EDGES.values(), ids=EDGES.keys())
def test_edge_shapes_canonicalise_as_pyld_does(change: Change) -> None:
    document = sample_micro_credential(issuer_did=ISSUER)
    change(document)
    assert _outcome(canonicalize, document) == _outcome(canonicalize_reference, document)


@pytest.mark.parametrize(
    "path", sorted(str(path.relative_to(VECTORS)) for path in Path(VECTORS).rglob("*.json")), ids=str
)
def test_every_vector_document_canonicalises_as_pyld_does(path: str) -> None:
    document = json.loads((VECTORS / path).read_text(encoding="utf-8"))
    if not isinstance(document, dict) or "@context" not in document:
        pytest.skip("not a JSON-LD document")
    document.pop("proof", None)
    outcome = _outcome(canonicalize, document)
    assert outcome == _outcome(canonicalize_reference, document)
    if isinstance(outcome, str):
        assert outcome == pyld_normalize(document)
