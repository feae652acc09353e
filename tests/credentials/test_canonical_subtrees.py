"""The compiled path remembers the quads of a node with an ``id`` (the achievement, the issuer) and replays them
into the next document that holds the same node: the bytes must be pyld's wherever the node turns up again.

Each document here comes after two that hold the same achievement (a node is remembered the second time it
is seen), so the remembered quads are what it gets.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from microcred.credentials.canonical import canonicalization_route, canonicalize
from microcred.credentials.sample import sample_micro_credential

from .conftest import pyld_normalize

ISSUER = "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
Change = Callable[[dict[str, Any]], object]


def _achievement(document: dict[str, Any]) -> dict[str, Any]:
    achievement: dict[str, Any] = document["credentialSubject"]["achievement"]
    return achievement


def _partial(document: dict[str, Any], **values: Any) -> dict[str, Any]:
    return {"id": _achievement(document)["id"], "type": ["Achievement"], **values}


def _remember_the_sample() -> None:
    """Canonicalise the sample twice: its achievement and issuer are remembered from then on."""
    for _ in range(2):
        canonicalize(sample_micro_credential(issuer_did=ISSUER))


SURROUNDINGS: dict[str, Change] = {
    "another learner": lambda d: None,
    "the node named twice, its copy first": lambda d: d["credentialSubject"].update(
        achievement=[_partial(d, name=_achievement(d)["name"]), copy.deepcopy(_achievement(d))]
    ),
    "the node named twice, its copy last": lambda d: d["credentialSubject"].update(
        achievement=[copy.deepcopy(_achievement(d)), _partial(d, name="another name")]
    ),
    "a learner with a DID, the node inside a named subject": lambda d: d["credentialSubject"].update(
        id="did:example:learner-7"
    ),
    "blank nodes before the node": lambda d: d["issuer"].update(
        otherIdentifier=[
            {"type": "IdentifierEntry", "identifier": f"id-{n}", "identifierType": "sourcedId"} for n in range(3)
        ]
    ),
}


@pytest.mark.parametrize("change", SURROUNDINGS.values(), ids=SURROUNDINGS.keys())
@pytest.mark.parametrize("learner", [2, 3])
def test_a_remembered_node_canonicalises_as_pyld_does_in_any_surroundings(change: Change, learner: int) -> None:
    _remember_the_sample()
    document = sample_micro_credential(issuer_did=ISSUER, learner_number=learner)
    change(document)
    assert canonicalization_route(document) == "compiled"
    assert canonicalize(document) == pyld_normalize(document)


def test_a_remembered_node_embedded_twice_ties_its_blank_nodes_and_goes_to_pyld() -> None:
    _remember_the_sample()
    document = sample_micro_credential(issuer_did=ISSUER, learner_number=2)
    document["credentialSubject"]["achievement"] = [_achievement(document), copy.deepcopy(_achievement(document))]
    assert canonicalization_route(document) == "reference"
    assert canonicalize(document) == pyld_normalize(document)


def test_a_node_changed_after_it_was_remembered_is_walked_again() -> None:
    _remember_the_sample()
    document = sample_micro_credential(issuer_did=ISSUER)
    _achievement(document)["name"] = "Renamed"
    assert canonicalize(document) == pyld_normalize(document)
    assert '"Renamed"' in canonicalize(document)


class _Text(str):
    """A string subclass: a value the memo's key (``marshal``) refuses to write."""


@pytest.mark.parametrize("value", [True, 1.5, _Text("1")], ids=["a boolean", "a double", "a string subclass"])
def test_a_remembered_node_with_an_equal_value_of_another_type_is_walked_as_its_own(value: object) -> None:
    """1, 1.0 and True are equal in Python, and True and 1 other literals in RDF: the key tells them apart."""

    def named(name: object, learner: int) -> dict[str, Any]:
        document = sample_micro_credential(issuer_did=ISSUER, learner_number=learner)
        _achievement(document)["name"] = name
        return document

    for learner in (1, 2):
        canonicalize(named(1, learner))  # the achievement named 1 is remembered
    assert '"1"^^<http://www.w3.org/2001/XMLSchema#integer>' in canonicalize(named(1, 3))
    document = named(value, 3)
    assert canonicalize(document) == pyld_normalize(document)


def test_a_remembered_node_placed_after_ever_more_blank_nodes_canonicalises_as_pyld_does() -> None:
    """Each count of blank nodes before the achievement numbers its blank nodes anew (a few numberings are
    kept, then dropped): every placement, and the first again, gives pyld's bytes."""
    _remember_the_sample()
    for count in [*range(7), 0]:
        document = sample_micro_credential(issuer_did=ISSUER, learner_number=2)
        document["issuer"]["otherIdentifier"] = [
            {"type": "IdentifierEntry", "identifier": f"id-{n}", "identifierType": "sourcedId"} for n in range(count)
        ]
        assert canonicalize(document) == pyld_normalize(document)
