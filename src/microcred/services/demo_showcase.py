"""The demo's people: a desk login per provider and two wallet learners, so that every role can be tried.

The generated register is statistics-shaped and has no one to sign in as. This adds what a newcomer
needs after ``make run`` (issue 18): one staff account per demo provider (all with the one password
``DESK_PASSWORD``, printed by ``microcred demo``), and two learners whose e-mail addresses open a wallet
holding a valid credential (with an open share link, for an employer to try) and a revoked one. It is
made only outside production: a known password has no place in a real register.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from microcred.domain import (
    AgeBand,
    ContractType,
    CredentialState,
    EmploymentStatus,
    Enrolment,
    Learner,
    Outcome,
    Provider,
    pseudonymise,
)
from microcred.services.auth import hash_password
from microcred.services.dependencies import Dependencies
from microcred.services.issuance import Issuance
from microcred.services.wallet import Wallet, grant

__all__ = ["DESK_PASSWORD", "DeskLogin", "Showcase", "WalletLearner", "load_showcase"]

DESK_PASSWORD = "try-the-demo-desk"  # the demo's published password: never made in production


@dataclass(frozen=True, slots=True)
class _Held:
    """A credential a wallet learner holds: the fixed offering's edition they passed, revoked or not."""

    provider: str
    edition: str
    revoked_because: str | None = None


@dataclass(frozen=True, slots=True)
class _Person:
    email: str
    learner_id: str  # the student number the providers pseudonymise
    held: tuple[_Held, ...]


_PEOPLE = (
    _Person(
        "learner1@example.org",
        "d0000001",
        (
            _Held("ugent", "MC-DISINFO-2023"),
            _Held("uantwerpen", "MC-ANCESTORS-2023", "Uitgereikt voor de verkeerde editie"),
        ),
    ),
    _Person(
        "learner2@example.org",
        "d0000002",
        (_Held("vub", "MC-DSS-2024"), _Held("uantwerpen", "MC-ANCESTORS-2022", "Issued before the exam board met")),
    ),
)


@dataclass(frozen=True, slots=True)
class DeskLogin:
    provider: str
    email: str


@dataclass(frozen=True, slots=True)
class WalletLearner:
    """A learner to request a wallet link for, and the state of each credential the wallet will show."""

    email: str
    credentials: tuple[str, ...]  # "valid" or "revoked", one per credential


@dataclass(frozen=True, slots=True)
class Showcase:
    desk_logins: list[DeskLogin]
    desk_password: str
    learners: list[WalletLearner]
    share_url: str  # an open share link to learner1's valid credential, for the employer's role


def desk_email(provider: str) -> str:
    return f"desk-{provider}@example.org"


def _desk_logins(providers: list[Provider], deps: Dependencies) -> list[DeskLogin]:
    logins = [DeskLogin(p.slug, desk_email(p.slug)) for p in providers]
    with deps.uow() as work:
        missing = [login for login in logins if work.staff.by_email(login.email) is None]
        if missing:
            hashed = hash_password(DESK_PASSWORD)  # one scrypt run for every account: they share the password
            for login in missing:
                work.staff.add(
                    email=login.email, provider=login.provider, password_hash=hashed, created_at=deps.clock()
                )
            work.commit()
    return logins


def _reference(person: _Person, held: _Held) -> str:
    return f"{held.edition}-W{person.learner_id[-1]}"


def _record_learners(deps: Dependencies) -> None:
    """Each person's contact address at every provider they studied with, and the enrolment they passed."""
    with deps.uow() as work:
        for person in _PEOPLE:
            for held in person.held:
                learner = pseudonymise(person.learner_id, provider=held.provider, pepper=deps.pepper)
                work.learners.save(Learner(learner, email=person.email), provider=held.provider)
                edition = work.editions.get(held.provider, held.edition)
                work.enrolments.save(
                    Enrolment(
                        provider=held.provider,
                        reference=_reference(person, held),
                        edition_code=held.edition,
                        learner=learner,
                        enrolment_date=edition.start_date - timedelta(days=14),
                        contract_type=ContractType.CREDIT,
                        employment_status=EmploymentStatus.EMPLOYED,
                        age_band=AgeBand("30-34"),
                        outcome=Outcome.PASSED,
                        grade="16",
                        outcome_date=edition.last_day,
                    )
                )
        work.commit()


def _issue(person: _Person, deps: Dependencies) -> WalletLearner:
    issuing = Issuance(deps)
    states = []
    for held in person.held:
        credential = issuing.issue_for_enrolment(held.provider, _reference(person, held))
        if held.revoked_because and credential.state is CredentialState.ACTIVE:
            credential = issuing.revoke(credential.uuid, held.revoked_because)
        states.append("revoked" if credential.state is CredentialState.REVOKED else "valid")
    return WalletLearner(person.email, tuple(states))


def _share_url(deps: Dependencies) -> str:
    """An open share link to the first learner's valid credential: the one made before, or a new one."""
    person, held = _PEOPLE[0], _PEOPLE[0].held[0]
    grants = [grant(pseudonymise(person.learner_id, provider=held.provider, pepper=deps.pepper), held.provider)]
    learners_wallet = Wallet(deps)
    entry = learners_wallet.credentials_of_learners(grants)[0]
    now = deps.clock()
    open_links = [link for link in entry.share_links if link.state(now) == "active"]
    link = open_links[0] if open_links else None
    if link is None or link.expires_at - now < timedelta(days=30):  # a link printed today lasts a while
        link = learners_wallet.create_share_link(entry.credential.uuid, grants, days=365)
    return f"{deps.public_base_url}/s/{link.token}"


def load_showcase(providers: list[Provider], deps: Dependencies) -> Showcase:
    """Add the desk logins and wallet learners (idempotent: what exists is kept). Never in production:
    :class:`microcred.services.demo.Demo` calls this only outside it."""
    logins = _desk_logins(providers, deps)
    _record_learners(deps)
    learners = [_issue(person, deps) for person in _PEOPLE]
    return Showcase(logins, DESK_PASSWORD, learners, _share_url(deps))
