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
    Outcome,
    Page,
    Position,
    check_page_size,
    pseudonymise,
)
from microcred.errors import Conflict, NotFound
from microcred.services.ports import UnitOfWorkFactory

__all__ = [
    "MAX_ENROLMENTS_PAGE",
    "add_edition",
    "add_enrolment",
    "enrolments_page",
    "get_edition",
    "get_enrolment",
    "list_editions",
    "save_edition",
    "save_enrolment",
]

MAX_ENROLMENTS_PAGE = 500
"""The most enrolments one page may hold (a large edition's list in a few requests); more is refused."""


def add_edition(edition: Edition, uow: UnitOfWorkFactory) -> Edition:
    """Register a new edition of one of the provider's offerings; the edition code must be new."""
    edition.validate()
    with uow() as work:
        work.offerings.get(edition.provider, edition.offering_code)
        try:
            work.editions.get(edition.provider, edition.code)
        except NotFound:
            pass
        else:
            raise Conflict(f"provider {edition.provider!r} already has an edition with code {edition.code!r}")
        work.editions.save(edition)
        work.commit()
    return edition


def save_edition(edition: Edition, uow: UnitOfWorkFactory) -> Change:
    edition.validate()
    with uow() as work:
        change = work.editions.save(edition)
        work.commit()
    return change


def get_edition(provider: str, code: str, uow: UnitOfWorkFactory) -> Edition:
    with uow() as work:
        return work.editions.get(provider, code)


def list_editions(provider: str, offering_code: str, uow: UnitOfWorkFactory) -> list[Edition]:
    with uow() as work:
        work.offerings.get(provider, offering_code)
        return work.editions.list_for_offering(provider, offering_code)


def _pseudonymised(enrolment: Enrolment, learner_id: str, pepper: str) -> Enrolment:
    return replace(enrolment, learner=pseudonymise(learner_id, provider=enrolment.provider, pepper=pepper))


def add_enrolment(
    enrolment: Enrolment, *, learner_id: str, email: str | None, pepper: str, uow: UnitOfWorkFactory
) -> Enrolment:
    """Record a new enrolment under the learner's pseudonym; the provider's reference must be new."""
    recorded = _pseudonymised(enrolment, learner_id, pepper).validate()
    learner = Learner(recorded.learner, email)
    with uow() as work:
        work.editions.get(recorded.provider, recorded.edition_code)
        try:
            work.enrolments.get(recorded.provider, recorded.reference)
        except NotFound:
            pass
        else:
            raise Conflict(f"provider {recorded.provider!r} already has an enrolment {recorded.reference!r}")
        work.learners.save(learner)
        work.enrolments.save(recorded)
        work.commit()
    return recorded


def save_enrolment(
    enrolment: Enrolment, *, learner_id: str, email: str | None, pepper: str, uow: UnitOfWorkFactory
) -> tuple[Enrolment, Change]:
    """Create or update an enrolment (idempotent), e.g. to record its outcome."""
    recorded = _pseudonymised(enrolment, learner_id, pepper).validate()
    learner = Learner(recorded.learner, email)
    with uow() as work:
        work.learners.save(learner)
        change = work.enrolments.save(recorded)
        work.commit()
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
