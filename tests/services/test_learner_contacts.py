"""Issue 15, finding 1: a learner's contact address belongs to the provider that recorded it.

One INSZ gives every provider the same pseudonym. Before, one contact row per learner held "the" address,
so provider B could overwrite the address provider A gave and take over A's credentials in the wallet.
"""

from __future__ import annotations

import email
from datetime import date
from pathlib import Path

from microcred.bootstrap import Register
from microcred.domain import Enrolment, Outcome
from microcred.testing import mail_text
from tests.credentials.register_setup import Seeded, seed

INSZ = "85.07.30-033.28"
VICTIM, ATTACKER = "victim@example.org", "attacker@example.org"


def _enrol(register: Register, provider: str, reference: str, address: str) -> None:
    enrolment = Enrolment(
        provider=provider,
        reference=reference,
        edition_code="DLT-2024",
        learner="0" * 64,  # replaced by the pseudonym of the INSZ
        enrolment_date=date(2024, 9, 20),
        outcome=Outcome.PASSED,
        grade="15",
        outcome_date=date(2025, 1, 31),
    )
    register.enrolments.save_enrolment(enrolment, learner_id=INSZ, email=address)


def _mails_to(register: Register, address: str) -> list[str]:
    found = []
    for path in sorted(Path(register.settings.outbox_dir).glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes())
        if message["To"] == address:
            found.append(mail_text(path.read_bytes()))
    return found


def _wallet_via_link(register: Register, address: str) -> list[str]:
    """What the access link mailed to ``address`` opens: the credential ids in its wallet."""
    register.learner_access.request_access_link(address)
    mails = [text for text in _mails_to(register, address) if "access=" in text]
    if not mails:
        return []
    token = mails[-1].split("access=", 1)[1].split()[0]
    opened = register.learner_access.open_access_link(token)
    return [entry.credential.uuid for entry in register.wallet.credentials_of_learners(opened.grants)]


def _a_issues_to_victim(register: Register) -> tuple[Seeded, str]:
    seeded = seed(register)
    _enrol(register, "hoge", "INSZ-1", VICTIM)
    return seeded, seeded.issue("INSZ-1").uuid


def test_another_provider_cannot_redirect_a_learners_credentials_to_its_address(register: Register) -> None:
    seeded, credential = _a_issues_to_victim(register)
    _enrol(register, "andere", "INSZ-B", ATTACKER)  # the same learner, by INSZ, with the attacker's address
    assert credential not in _wallet_via_link(register, ATTACKER)
    assert _wallet_via_link(register, VICTIM) == [credential]
    own = seeded.issue("INSZ-B", "andere").uuid
    assert _wallet_via_link(register, ATTACKER) == [own]  # B's own record of the learner opens B's credential


def test_each_provider_keeps_its_own_address_for_the_same_learner(register: Register) -> None:
    _a_issues_to_victim(register)
    _enrol(register, "andere", "INSZ-B", ATTACKER)
    with register.uow() as work:
        pseudonym = work.enrolments.get("hoge", "INSZ-1").learner
        assert work.learners.email_of(pseudonym, "hoge") == VICTIM
        assert work.learners.email_of(pseudonym, "andere") == ATTACKER


def test_a_changed_address_is_told_to_the_previous_one(register: Register) -> None:
    _seeded, credential = _a_issues_to_victim(register)
    _enrol(register, "hoge", "INSZ-1", "new@example.org")
    notices = _mails_to(register, VICTIM)
    assert any("new e-mail address" in text for text in notices)
    assert any("nieuw e-mailadres" in text for text in notices)  # the register does not know which they read
    assert _wallet_via_link(register, "new@example.org") == [credential]
    assert _wallet_via_link(register, VICTIM) == []


def test_an_access_link_of_the_old_single_address_form_opens_nothing(register: Register) -> None:
    _seeded, _credential = _a_issues_to_victim(register)
    with register.uow() as work:
        pseudonym = work.enrolments.get("hoge", "INSZ-1").learner
    assert register.wallet.credentials_of_learners([pseudonym]) == []
