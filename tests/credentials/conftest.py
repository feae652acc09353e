"""Shared fixtures for the credential tests: the copied vectors and a fixed issuer key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from microcred.credentials.keys import SigningKey

VECTORS = Path(__file__).resolve().parent.parent / "vectors"


def load_json(relative: str) -> Any:
    return json.loads((VECTORS / relative).read_text(encoding="utf-8"))


def read_text(relative: str) -> str:
    return (VECTORS / relative).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def issuer_key() -> SigningKey:
    return SigningKey.from_seed(bytes(range(32)))
