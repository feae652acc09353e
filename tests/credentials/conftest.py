"""Shared fixtures for the credential tests: the copied vectors and a fixed issuer key."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

from microcred.credentials.keys import SigningKey
from microcred.credentials.loader import document_loader

VECTORS = Path(__file__).resolve().parent.parent / "vectors"


def load_json(relative: str) -> Any:
    return json.loads((VECTORS / relative).read_text(encoding="utf-8"))


def read_text(relative: str) -> str:
    return (VECTORS / relative).read_text(encoding="utf-8")


def pyld_normalize(document: dict[str, Any]) -> str:
    """The oracle for canonicalisation: pyld's documented ``jsonld.normalize``, with only our offline loader."""
    options = {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": document_loader}
    result: str = jsonld.normalize(copy.deepcopy(document), {**options, "base": None})  # no example.org base
    return result


@pytest.fixture(scope="session")
def issuer_key() -> SigningKey:
    return SigningKey.from_seed(bytes(range(32)))
