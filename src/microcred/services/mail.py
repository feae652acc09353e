"""Sending e-mail through a pluggable mailer; in development the mailer writes ``.eml`` files to an outbox.

Bodies are sent as 8-bit UTF-8, not quoted-printable: quoted-printable breaks lines over 76 characters with
a soft ``=`` and writes ``=`` as ``=3D``, so a link copied from the raw message (an outbox file, a mail
client showing the source) no longer works (issue 18). Every SMTP server of the last decades takes 8-bit
bodies (8BITMIME, RFC 6152), and our lines stay far below the 998-character limit.
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from html import escape
from pathlib import Path
from typing import Any, Protocol

from microcred.i18n import translate

__all__ = ["Mailer", "OutboxMailer", "SmtpMailer", "compose", "compose_bilingual", "compose_in"]

SENDER = "microcred <no-reply@microcred.invalid>"


class Mailer(Protocol):
    """Delivers one message; raises OSError when it cannot."""

    def send(self, message: EmailMessage) -> None: ...


def compose(*, to: str, subject: str, text: str, sender: str = SENDER) -> EmailMessage:
    """A plain-text UTF-8 message with the headers every mail server expects."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain="microcred.invalid")
    message.set_content(text, cte="8bit")
    return message


def compose_bilingual(
    *, to: str, message: str, localised: Mapping[str, Mapping[str, Any]] | None = None, **values: Any
) -> EmailMessage:
    """The catalogue's ``mail.<message>`` in English, then in Dutch: the register does not know which the
    learner reads, so the subject holds both (``English / Nederlands``) and the body the English text first.
    ``localised`` gives values that differ by language (a provider's name), by language code."""

    def of(lang: str) -> dict[str, Any]:
        return {**values, **(localised or {}).get(lang, {})}

    subject = " / ".join(translate(f"mail.{message}.subject", lang, **of(lang)) for lang in ("en", "nl"))
    text = "\n".join(translate(f"mail.{message}.text", lang, **of(lang)) for lang in ("en", "nl"))
    return compose(to=to, subject=subject, text=text)


def compose_in(lang: str, *, to: str, message: str, **values: Any) -> EmailMessage:
    """The catalogue's ``mail.<message>`` in ``lang`` (the language the learner asked in), as plain text with
    an HTML alternative (``mail.<message>.html``, its values escaped) for clients that show HTML."""
    composed = compose(
        to=to,
        subject=translate(f"mail.{message}.subject", lang, **values),
        text=translate(f"mail.{message}.text", lang, **values),
    )
    body = translate(f"mail.{message}.html", lang, **{name: escape(str(value)) for name, value in values.items()})
    composed.add_alternative(
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"></head>\n<body>\n{body}\n</body></html>\n',
        subtype="html",
        cte="8bit",
    )
    composed["Content-Language"] = lang
    return composed


class OutboxMailer:
    """The development mailer: every message becomes one ``.eml`` file in ``directory`` (created on demand)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.directory / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        partial = target.with_suffix(".tmp")
        partial.write_bytes(bytes(message))
        partial.replace(target)  # readers never see half a message

    def messages(self) -> list[Path]:
        """The written messages, oldest first."""
        return sorted(self.directory.glob("*.eml")) if self.directory.exists() else []


class SmtpMailer:
    """The production mailer: one SMTP session per message (STARTTLS, or implicit TLS on port 465)."""

    def __init__(self, host: str, port: int = 587, *, user: str = "", password: str = "", sender: str = "") -> None:
        self.host, self.port, self.user, self._password, self.sender = host, port, user, password, sender

    def send(self, message: EmailMessage) -> None:
        if self.sender:
            message.replace_header("From", self.sender)
        context = ssl.create_default_context()
        if self.port == 465:
            with smtplib.SMTP_SSL(self.host, self.port, context=context, timeout=30) as server:
                self._deliver(server, message)
            return
        with smtplib.SMTP(self.host, self.port, timeout=30) as server:
            server.starttls(context=context)
            self._deliver(server, message)

    def _deliver(self, server: smtplib.SMTP, message: EmailMessage) -> None:
        if self.user:
            server.login(self.user, self._password)
        server.ehlo_or_helo_if_needed()
        # Our bodies are 8-bit (see the module's docstring): say so where the server offers it (RFC 6152).
        server.send_message(message, mail_options=("BODY=8BITMIME",) if server.has_extn("8bitmime") else ())
