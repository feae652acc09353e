"""Issue 15, finding 8: in production the three secrets must be set, long enough, and differ from each other."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from microcred.settings import Settings

A, B, C = "a" * 32, "b" * 32, "c" * 32
SMTP = "smtp.example.be"


def test_production_refuses_one_value_for_all_three_secrets() -> None:
    same = "sixteen-chars-xx"
    with pytest.raises(ValidationError, match="must differ from each other"):
        Settings(environment="production", pseudonym_pepper=same, key_encryption_key=same, session_secret=same,
                 smtp_host=SMTP)  # fmt: skip
    with pytest.raises(ValidationError, match="must differ from each other"):
        Settings(environment="production", pseudonym_pepper=A, key_encryption_key=B, session_secret=A, smtp_host=SMTP)


def test_production_accepts_three_different_secrets() -> None:
    settings = Settings(
        environment="production", pseudonym_pepper=A, key_encryption_key=B, session_secret=C, smtp_host=SMTP
    )
    assert settings.environment == "production"


def test_production_refuses_the_development_outbox_and_mails_by_smtp() -> None:
    with pytest.raises(ValidationError, match="MICROCRED_SMTP_HOST must be set"):
        Settings(environment="production", pseudonym_pepper=A, key_encryption_key=B, session_secret=C)
    from microcred.bootstrap import build
    from microcred.services.mail import SmtpMailer

    settings = Settings(
        environment="production", pseudonym_pepper=A, key_encryption_key=B, session_secret=C, smtp_host=SMTP,
        database_url="sqlite://",
    )  # fmt: skip
    assert isinstance(build(settings).mailer, SmtpMailer)
