"""Issue 15, finding 8: in production the three secrets must be set, long enough, and differ from each other."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from microcred.settings import Settings

A, B, C = "a" * 32, "b" * 32, "c" * 32


def test_production_refuses_one_value_for_all_three_secrets() -> None:
    same = "sixteen-chars-xx"
    with pytest.raises(ValidationError, match="must differ from each other"):
        Settings(environment="production", pseudonym_pepper=same, key_encryption_key=same, session_secret=same)
    with pytest.raises(ValidationError, match="must differ from each other"):
        Settings(environment="production", pseudonym_pepper=A, key_encryption_key=B, session_secret=A)


def test_production_accepts_three_different_secrets() -> None:
    settings = Settings(environment="production", pseudonym_pepper=A, key_encryption_key=B, session_secret=C)
    assert settings.environment == "production"
