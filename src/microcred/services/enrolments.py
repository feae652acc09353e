"""Use cases for editions (runs of an offering) and learners' enrolments in them.

Learner identifiers arrive raw and leave this module only as a pseudonym (a keyed hash), with the
optional e-mail address stored apart for credential delivery.
"""

from __future__ import annotations

from dataclasses import replace

from microcred.domain import (
    Change,
    Edition,
    Enrolment,
    Learner,
    LearnerScheme,
    Outcome,
    Page,
    Position,
    check_page_size,
    identify,
    pseudonymise,
)
from microcred.errors import Conflict, Invalid, NotFound
from microcred.services.dependencies import Dependencies
from microcred.services.mail import Mailer, compose_bilingual
from microcred.services.new_records import add_new, save_one
from microcred.services.ports import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "MAX_ENROLMENTS_PAGE",
    "Enrolments",
    "add_edition",
    "add_enrolment",
    "enrolments_page",
    "get_edition",
    "get_enrolment",
    "learner_of_provider",
    "list_editions",
    "list_provider_editions",
    "save_edition",
    "save_enrolment",
]

MAX_ENROLMENTS_PAGE = 500
"""The most enrolments one page may hold (a large edition's list in a few requests); more is refused."""


def add_edition(edition: Edition, uow: UnitOfWorkFactory) -> Edition:
    """Register a new edition of one of the provider's offerings; the edition code must be new."""
    edition.validate()
    add_new(
        uow,
        parent=lambda work: work.offerings.get(edition.provider, edition.offering_code),
        lookup=lambda work: work.editions.get(edition.provider, edition.code),
        save=lambda work: work.editions.save(edition),
        taken=Conflict("edition-exists", provider=edition.provider, code=edition.code),
    )
    return edition


def save_edition(edition: Edition, uow: UnitOfWorkFactory) -> Change:
    edition.validate()
    return save_one(uow, lambda work: work.editions.save(edition))


def get_edition(provider: str, code: str, uow: UnitOfWorkFactory) -> Edition:
    with uow() as work:
        return work.editions.get(provider, code)


def list_editions(provider: str, offering_code: str, uow: UnitOfWorkFactory) -> list[Edition]:
    with uow() as work:
        work.offerings.get(provider, offering_code)
        return work.editions.list_for_offering(provider, offering_code)


def list_provider_editions(provider: str, uow: UnitOfWorkFactory) -> list[Edition]:
    """Every edition of the provider's offerings, by offering code and then start date (one query)."""
    with uow() as work:
        work.providers.id_of(provider)
        return work.editions.list_for_provider(provider)


def issuable_counts(provider: str, uow: UnitOfWorkFactory) -> dict[str, int]:
    """Per edition code of the provider: how many learners passed it and have no credential yet, so how many
    would receive one if the desk issued the edition now (issuing again gives no one a second)."""
    with uow() as work:
        return {
            edition.code: len(work.credentials.passed_without_credential(provider, edition.code))
            for edition in work.editions.list_for_provider(provider)
        }


def _pseudonymised(enrolment: Enrolment, learner_id: str, pepper: str) -> Enrolment:
    """The enrolment under the learner's pseudonym, in the scope of the id's scheme (given, or detected)."""
    scheme = identify(learner_id.strip(), enrolment.learner_scheme)
    pseudonym = pseudonymise(learner_id, provider=enrolment.provider, pepper=pepper, scheme=scheme)
    return replace(enrolment, learner=pseudonym, learner_scheme=scheme)


def learner_of_provider(
    uow: UnitOfWorkFactory, provider: str, learner_id: str, scheme: LearnerScheme | str | None, *, pepper: str
) -> str:
    """The pseudonym of a learner who enrolled with ``provider``, from the identifier it knows them by.

    It is hashed in the scope of ``scheme`` as their enrolment was (decision 0018): given (``register`` can
    only be given), else detected — an INSZ, an ESI, otherwise the provider's own number. 404 when no
    enrolment of the provider has that learner: a provider acts only for its own learners.
    """
    if isinstance(scheme, str) and not isinstance(scheme, LearnerScheme):
        try:
            scheme = LearnerScheme(scheme)
        except ValueError:
            allowed = ", ".join(s.value for s in LearnerScheme)
            raise Invalid.field("learner_scheme", "one-of", scheme, allowed=allowed) from None
    pseudonym = pseudonymise(learner_id, provider=provider, pepper=pepper, scheme=scheme)
    with uow() as work:
        if not work.stacking.knows_learner(provider, pseudonym):
            raise NotFound("no-learner-of-provider", provider=provider)
    return pseudonym


def _keep_contact(work: UnitOfWork, learner: Learner, provider: str) -> str | None:
    """Save the provider's own address for the learner; the address it replaced, if it changed."""
    before = work.learners.email_of(learner.pseudonym, provider)
    changed = work.learners.save(learner, provider=provider) is Change.UPDATED
    return before if changed else None


def _tell_previous_address(mailer: Mailer | None, previous: str | None, provider: str) -> None:
    """A change of address is visible to the learner: the old address hears of it (issue 15, finding 1)."""
    if mailer is None or previous is None:
        return
    mailer.send(compose_bilingual(to=previous, message="contact_changed", provider=provider))


def add_enrolment(
    enrolment: Enrolment,
    *,
    learner_id: str,
    email: str | None,
    pepper: str,
    uow: UnitOfWorkFactory,
    mailer: Mailer | None = None,
) -> Enrolment:
    """Record a new enrolment under the learner's pseudonym; the provider's reference must be new."""
    recorded = _pseudonymised(enrolment, learner_id, pepper).validate()
    learner = Learner(recorded.learner, email)
    previous: str | None = None

    def save(work: UnitOfWork) -> Change:  # the learner's contact is kept only once the reference is known new
        nonlocal previous
        previous = _keep_contact(work, learner, recorded.provider)
        return work.enrolments.save(recorded)

    add_new(
        uow,
        parent=lambda work: work.editions.get(recorded.provider, recorded.edition_code),
        lookup=lambda work: work.enrolments.get(recorded.provider, recorded.reference),
        save=save,
        taken=Conflict("enrolment-exists", provider=recorded.provider, reference=recorded.reference),
    )
    _tell_previous_address(mailer, previous, recorded.provider)
    return recorded


def save_enrolment(
    enrolment: Enrolment,
    *,
    learner_id: str,
    email: str | None,
    pepper: str,
    uow: UnitOfWorkFactory,
    mailer: Mailer | None = None,
) -> tuple[Enrolment, Change]:
    """Create or update an enrolment (idempotent), e.g. to record its outcome."""
    recorded = _pseudonymised(enrolment, learner_id, pepper).validate()
    learner = Learner(recorded.learner, email)
    with uow() as work:
        previous = _keep_contact(work, learner, recorded.provider)
        change = work.enrolments.save(recorded)
        work.commit()
    _tell_previous_address(mailer, previous, recorded.provider)
    return recorded, change


def get_enrolment(provider: str, reference: str, uow: UnitOfWorkFactory) -> Enrolment:
    with uow() as work:
        return work.enrolments.get(provider, reference)


def enrolments_page(
    provider: str,
    edition_code: str,
    uow: UnitOfWorkFactory,
    *,
    outcome: Outcome | None = None,
    after: Position | None = None,
    limit: int,
) -> Page[Enrolment]:
    """One page of the edition's enrolments by reference (NotFound for an unknown edition)."""
    check_page_size(limit, MAX_ENROLMENTS_PAGE)
    with uow() as work:
        work.editions.get(provider, edition_code)
        return work.enrolments.page_for_edition(provider, edition_code, outcome=outcome, after=after, limit=limit)


class Enrolments:
    """Editions and enrolments, bound to one register (learner ids pseudonymised with its pepper)."""

    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps

    def add_edition(self, edition: Edition) -> Edition:
        return add_edition(edition, self._deps.uow)

    def save_edition(self, edition: Edition) -> Change:
        return save_edition(edition, self._deps.uow)

    def get_edition(self, provider: str, code: str) -> Edition:
        return get_edition(provider, code, self._deps.uow)

    def list_editions(self, provider: str, offering_code: str) -> list[Edition]:
        return list_editions(provider, offering_code, self._deps.uow)

    def add_enrolment(self, enrolment: Enrolment, *, learner_id: str, email: str | None) -> Enrolment:
        d = self._deps
        return add_enrolment(enrolment, learner_id=learner_id, email=email, pepper=d.pepper, uow=d.uow, mailer=d.mailer)

    def save_enrolment(self, enrolment: Enrolment, *, learner_id: str, email: str | None) -> tuple[Enrolment, Change]:
        d = self._deps
        return save_enrolment(
            enrolment, learner_id=learner_id, email=email, pepper=d.pepper, uow=d.uow, mailer=d.mailer
        )

    def get_enrolment(self, provider: str, reference: str) -> Enrolment:
        return get_enrolment(provider, reference, self._deps.uow)

    def learner_of_provider(self, provider: str, learner_id: str, scheme: LearnerScheme | str | None) -> str:
        return learner_of_provider(self._deps.uow, provider, learner_id, scheme, pepper=self._deps.pepper)

    def enrolments_page(
        self,
        provider: str,
        edition_code: str,
        *,
        outcome: Outcome | None = None,
        after: Position | None = None,
        limit: int,
    ) -> Page[Enrolment]:
        return enrolments_page(provider, edition_code, self._deps.uow, outcome=outcome, after=after, limit=limit)

    def list_provider_editions(self, provider: str) -> list[Edition]:
        return list_provider_editions(provider, self._deps.uow)

    def issuable_counts(self, provider: str) -> dict[str, int]:
        return issuable_counts(provider, self._deps.uow)
