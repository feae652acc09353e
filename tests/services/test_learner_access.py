"""Issue 15, finding 7: an access link opens the wallet once, for a short while, and the learner can end it.

Before, the link was a signed value that stayed reusable for 24 hours and could not be revoked: a copy in a
forwarded mail, a proxy log or a browser history opened the wallet again and again.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from microcred.bootstrap import Register
from microcred.services import learner_access
from microcred.services.learner_access import AccessLinkClosed
from microcred.storage.tables import access_links
from microcred.testing import FixedClock, mail_text
from tests.credentials.register_setup import seed

ADDRESS = "p-1@student.example.be"  # a learner of hoge in the seeded register


@pytest.fixture
def seeded(register: Register) -> Register:
    seed(register)
    return register


def _ask(register: Register, clock: FixedClock, address: str = ADDRESS) -> str:
    """Ask for a link at the clock's time; the ``access`` value of the mail it sent."""
    before = set(Path(register.settings.outbox_dir).glob("*.eml"))
    learner_access.request_access_link(
        address, uow=register.uow, mailer=register.mailer, clock=clock, base_url="http://x", link_path="/wallet/open"
    )
    (sent,) = set(Path(register.settings.outbox_dir).glob("*.eml")) - before
    return mail_text(sent.read_bytes()).split("access=", 1)[1].split()[0]


def _open(register: Register, clock: FixedClock, access: str) -> learner_access.LearnerSession:
    return learner_access.open_access_link(access, uow=register.uow, clock=clock)


def _closed(register: Register, clock: FixedClock, access: str) -> str:
    with pytest.raises(AccessLinkClosed) as refused:
        _open(register, clock, access)
    return refused.value.why


def test_a_link_opens_once_and_a_second_open_says_it_was_used(seeded: Register) -> None:
    clock = FixedClock()
    access = _ask(seeded, clock)
    opened = _open(seeded, clock, access)
    assert len(opened.grants) == 1
    assert _closed(seeded, clock, access) == "used"
    with pytest.raises(AccessLinkClosed, match="already been used"):
        learner_access.check_access_link(access, uow=seeded.uow, clock=clock)


def test_a_link_must_be_opened_within_thirty_minutes(seeded: Register) -> None:
    clock = FixedClock()
    early, late = _ask(seeded, clock), None
    clock.now += timedelta(minutes=29)
    assert _open(seeded, clock, early).grants
    late = _ask(seeded, clock)
    clock.now += timedelta(minutes=31)
    assert _closed(seeded, clock, late) == "expired"


def test_a_new_link_ends_the_unopened_ones_before_it(seeded: Register) -> None:
    clock = FixedClock()
    first = _ask(seeded, clock)
    second = _ask(seeded, clock)
    assert _closed(seeded, clock, first) == "ended"
    assert _open(seeded, clock, second).grants
    other = _ask(seeded, clock, "p-2@student.example.be")  # another learner's links are not touched
    _ask(seeded, clock)
    assert _open(seeded, clock, other).grants


def test_ending_the_sessions_ends_every_link_and_session_of_the_address(seeded: Register) -> None:
    clock = FixedClock()
    here = _open(seeded, clock, _ask(seeded, clock))
    there = _open(seeded, clock, _ask(seeded, clock))  # another device
    unused = _ask(seeded, clock)
    someone_else = _open(seeded, clock, _ask(seeded, clock, "p-2@student.example.be"))
    ended = learner_access.end_learner_sessions(here.link_id, uow=seeded.uow, clock=clock)
    assert ended == 3
    for session in (here, there):
        assert learner_access.learner_session(session.link_id, uow=seeded.uow, clock=clock) is None
    assert _closed(seeded, clock, unused) == "ended"
    assert learner_access.learner_session(someone_else.link_id, uow=seeded.uow, clock=clock) == someone_else


def test_a_wallet_session_runs_out_after_eight_hours(seeded: Register) -> None:
    clock = FixedClock()
    opened = _open(seeded, clock, _ask(seeded, clock))
    clock.now += timedelta(hours=7, minutes=59)
    assert learner_access.learner_session(opened.link_id, uow=seeded.uow, clock=clock) == opened
    clock.now += timedelta(minutes=1)
    assert learner_access.learner_session(opened.link_id, uow=seeded.uow, clock=clock) is None


def test_of_twenty_parallel_opens_of_one_link_exactly_one_gets_the_session(seeded: Register) -> None:
    clock = FixedClock()
    access = _ask(seeded, clock)
    start = threading.Barrier(20)
    outcomes: list[str] = []

    def open_it() -> None:
        start.wait()
        try:
            _open(seeded, clock, access)
            outcomes.append("opened")
        except AccessLinkClosed as refused:
            outcomes.append(refused.why)

    threads = [threading.Thread(target=open_it) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["opened"] + ["used"] * 19


def test_the_database_holds_neither_the_link_nor_the_address(seeded: Register) -> None:
    access = _ask(seeded, FixedClock())
    with seeded.engine.connect() as connection:
        (row,) = connection.execute(select(access_links)).all()
    stored = " ".join(str(value) for value in row)
    assert access not in stored
    assert ADDRESS not in stored
    assert row.secret_hash == hashlib.sha256(access.encode()).hexdigest()


def test_an_unknown_address_gets_no_link_and_no_row(seeded: Register) -> None:
    learner_access.request_access_link(
        "nobody@example.org", uow=seeded.uow, mailer=seeded.mailer, clock=FixedClock(), base_url="x", link_path="/"
    )
    assert not list(Path(seeded.settings.outbox_dir).glob("*.eml"))
    with seeded.engine.connect() as connection:
        assert connection.execute(select(access_links)).all() == []


@pytest.mark.parametrize(("lang", "opening"), [("nl", "Open deze link"), ("en", "Open this link")])
def test_the_link_is_mailed_in_the_language_asked_in_as_text_and_html_and_survives_copying(
    seeded: Register, lang: str, opening: str
) -> None:
    outbox = Path(seeded.settings.outbox_dir)
    before = set(outbox.glob("*.eml"))
    long_base = "https://micro-credentials.register.example-university.be"  # a long host: a long link
    learner_access.request_access_link(
        ADDRESS, uow=seeded.uow, mailer=seeded.mailer, clock=FixedClock(), base_url=long_base,
        link_path="/wallet/open", lang=lang,
    )  # fmt: skip
    (sent,) = set(outbox.glob("*.eml")) - before
    raw = sent.read_bytes()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message.get_content_type() == "multipart/alternative"
    assert message["Content-Language"] == lang
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    text = mail_text(raw)
    assert text.startswith(opening)
    link = next(line for line in text.splitlines() if line.startswith(long_base))
    # Copied from the raw message (an outbox file, a client's "show source"), the link is whole: no
    # quoted-printable soft line break and no "=3D" inside it.
    assert link.encode() + b"\n" in raw
    assert [line for line in raw.splitlines() if line.endswith(b"=") and b"=====" not in line] == []
    assert b"=3D" not in raw
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    assert f'<html lang="{lang}">' in html.get_content()
    assert f'<a href="{link}">{link}</a>' in html.get_content()
    assert learner_access.check_access_link(link.split("access=", 1)[1], uow=seeded.uow, clock=FixedClock())
