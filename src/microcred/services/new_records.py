"""Adding a record whose natural key must be new, and saving one as given: each in its own transaction.

Every area (providers, offerings, editions, enrolments) adds and saves its records the same way; the
steps are written once here and each use case names only its repository calls.
"""

from __future__ import annotations

from collections.abc import Callable

from microcred.domain import Change
from microcred.errors import Conflict, NotFound
from microcred.services.ports import UnitOfWork, UnitOfWorkFactory

__all__ = ["add_new", "save_one"]


def add_new(
    uow: UnitOfWorkFactory,
    *,
    parent: Callable[[UnitOfWork], object] | None = None,
    lookup: Callable[[UnitOfWork], object],
    save: Callable[[UnitOfWork], Change],
    taken: Conflict,
) -> None:
    """Store a new record in one transaction, or raise ``taken`` when its key is in use.

    ``parent`` looks up what the record belongs to (its NotFound goes to the caller); ``lookup`` finds a
    stored record with the same key (NotFound when the key is free). The save is checked too: another
    request may have created the record since the lookup, and then nothing is committed.
    """
    with uow() as work:
        if parent is not None:
            parent(work)
        try:
            lookup(work)
        except NotFound:
            pass
        else:
            raise taken
        if save(work) is not Change.CREATED:
            raise taken  # another request created it since the check (nothing is kept)
        work.commit()


def save_one(uow: UnitOfWorkFactory, save: Callable[[UnitOfWork], Change]) -> Change:
    """Create or update one record in its own transaction; what the save did."""
    with uow() as work:
        change = save(work)
        work.commit()
    return change
