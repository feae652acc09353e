"""A register for the stacking and recognition tests: one learner (by INSZ, so one pseudonym everywhere)
with passed credentials at three providers, one of them not trusted."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from microcred.bootstrap import Register
from microcred.domain import Credential, Edition, Enrolment, Learner, LearnerScheme, Outcome, pseudonymise
from microcred.services import issuance, status_lists
from microcred.settings import Settings
from microcred.testing import FixedClock
from tests.credentials.register_setup import offering, provider
from tests.databases import TEST_PEPPER

INSZ = "85073000160"  # a valid Belgian national register number: one learner across providers
STUDENT = "r0999999"  # a student number of hoge's: another learner, known only to hoge
SHARED = "VL-000123"  # an id the register's providers agreed to share (scheme ``register``, decision 0018)
ISSUED_AT = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)

# provider -> (offering code, ECTS, EQF level)
OFFERINGS = {
    "hoge": [("A", "4", 5), ("B", "4", 5)],
    "andere": [("C", "6", 6)],
    "wild": [("W", "5", 6)],  # wild has no valid quality assurance: not trusted
}


def pseudonym(identifier: str = INSZ, provider_slug: str = "hoge") -> str:
    return pseudonymise(identifier, provider=provider_slug, pepper=TEST_PEPPER)


@dataclass
class Stacked:
    register: Register
    clock: FixedClock
    credentials: dict[str, Credential]  # by offering code

    def revoke(self, code: str, reason: str = "fraud in the assessment") -> Credential:
        found = self.credentials[code]
        wired = self.register
        return status_lists.change_state(
            found.uuid, "revoke", reason, uow=wired.uow, keys=wired.key_store, settings=wired.settings, clock=self.clock
        )


def seed(settings: Settings, *, now: datetime = ISSUED_AT) -> Stacked:
    clock = FixedClock(ISSUED_AT)
    register = Register(settings=settings, clock=clock)
    with register.uow() as work:
        for slug, offerings in OFFERINGS.items():
            work.providers.save(provider(slug, trusted=slug != "wild"))
            for code, ects, level in offerings:
                found = offering(slug, code, ects=ects)
                found.eqf_level = level
                work.offerings.save(found)
                work.editions.save(Edition(slug, f"{code}-2024", code, date(2024, 9, 20), date(2025, 1, 31)))
                work.editions.save(Edition(slug, f"{code}-2026", code, date(2026, 2, 9), date(2026, 6, 30)))
                learner = pseudonym(INSZ, slug)
                work.learners.save(Learner(learner, email="learner@example.be"), provider=slug)
                work.enrolments.save(_passed(slug, f"{code}-1", f"{code}-2024", learner))
        other = pseudonym(STUDENT)
        work.learners.save(Learner(other, email="other@example.be"), provider="hoge")
        work.enrolments.save(_passed("hoge", "A-2", "A-2024", other, outcome=Outcome.FAILED))
        work.commit()
    issued = {}
    for slug, offerings in OFFERINGS.items():
        for code, _, _ in offerings:
            issued[code] = issuance.issue_for_enrolment(
                slug, f"{code}-1", uow=register.uow, keys=register.key_store, settings=settings, clock=clock
            )
    clock.now = now
    return Stacked(register, clock, issued)


def seeded_again(settings: Settings) -> Stacked:
    """The register ``seed`` filled, opened again (its credentials are not looked up again)."""
    clock = FixedClock(ISSUED_AT)
    return Stacked(Register(settings=settings, clock=clock), clock, {})


def enrol_under_register(stacked: Stacked) -> dict[str, Credential]:
    """A learner enrolled at hoge under the ``register`` scheme (``SHARED``), passed in A and B, with both
    credentials; the scheme is recorded with the enrolments, as an import declaring it does."""
    learner = pseudonymise(SHARED, provider="hoge", pepper=TEST_PEPPER, scheme=LearnerScheme.REGISTER)
    register, issued = stacked.register, {}
    with register.uow() as work:
        work.learners.save(Learner(learner, email="shared@example.be"), provider="hoge")
        for code in ("A", "B"):
            enrolment = _passed("hoge", f"{code}-shared", f"{code}-2024", learner)
            work.enrolments.save(replace(enrolment, learner_scheme=LearnerScheme.REGISTER))
        work.commit()
    for code in ("A", "B"):
        issued[code] = issuance.issue_for_enrolment(
            "hoge", f"{code}-shared", uow=register.uow, keys=register.key_store, settings=register.settings,
            clock=stacked.clock,
        )  # fmt: skip
    return issued


def _passed(slug: str, reference: str, edition: str, learner: str, outcome: Outcome = Outcome.PASSED) -> Enrolment:
    return Enrolment(
        provider=slug,
        reference=reference,
        edition_code=edition,
        learner=learner,
        enrolment_date=date(2024, 9, 20),
        outcome=outcome,
        grade="14" if outcome is Outcome.PASSED else None,
        outcome_date=date(2025, 1, 31),
    )


def rule(code: str = "PG", **values: Any) -> dict[str, Any]:
    """A rule of hoge's as plain values: all of A and B, unless told otherwise."""
    base: dict[str, Any] = {
        "code": code,
        "title": {"nl": "Postgraduaat data", "en": "Postgraduate certificate in data"},
        "kind": "all",
        "components": [{"provider": "hoge", "offering_code": "A"}, {"provider": "hoge", "offering_code": "B"}],
    }
    return {**base, **values}
