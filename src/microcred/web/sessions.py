"""Who is signed in, from the signed session cookie: a provider's staff member (desk) or a learner (wallet).

Pages for one of them take :data:`StaffDep` or :data:`LearnerDep`; without a session the visitor is sent
to sign in (``errors.SignInRequired``). Signing in always starts a fresh session with a new CSRF token, so
an earlier session cannot be fixed on someone.

A staff session holds only the account id and its session epoch (no e-mail address: the cookie is signed,
not encrypted). Every request checks both against the account (``register.staff.staff_of_session``), so
logout, deactivation and a password change end all of that person's sessions at once. A learner's session
holds only the id of the access link that opened it; every request checks that link's row, so ending the
learner's sessions (or the link's time running out) ends the wallet at once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from microcred.bootstrap import Register
from microcred.services.learner_access import LearnerSession
from microcred.services.staff import StaffSession
from microcred.web.errors import SignInRequired

__all__ = [
    "LearnerDep",
    "StaffDep",
    "StaffMember",
    "learner_session_in",
    "learners_in",
    "staff_in",
    "staff_session",
    "start_session",
]


@dataclass(frozen=True, slots=True)
class StaffMember:
    staff_id: int
    provider: str
    email: str


def staff_session(session: StaffSession) -> dict[str, int]:
    """What the cookie holds for a signed-in staff member: their id and the epoch, nothing readable."""
    return {"id": session.staff_id, "epoch": session.epoch}


def staff_in(request: Request) -> StaffMember | None:
    """The signed-in staff member, while their session has not been ended; None otherwise."""
    held = request.session.get("staff")
    if not isinstance(held, dict) or not isinstance(held.get("id"), int) or not isinstance(held.get("epoch"), int):
        return None
    register: Register = request.app.state.register
    found = register.staff.staff_of_session(StaffSession(held["id"], held["epoch"]))
    if found is None:
        request.session.pop("staff", None)
        return None
    return StaffMember(found.staff_id, found.provider, found.email)


def learner_session_in(request: Request) -> LearnerSession | None:
    """The wallet session of the access link this visitor opened, while it lasts and was not ended."""
    held = request.session.get("learner")
    link = held.get("link") if isinstance(held, dict) else None
    if not isinstance(link, int):
        return None
    register: Register = request.app.state.register
    found = register.learner_access.learner_session(link)
    if found is None:
        request.session.pop("learner", None)
    return found


def learners_in(request: Request) -> list[str] | None:
    """The grants the learner's opened access link named, or None without an open wallet session."""
    found = learner_session_in(request)
    return None if found is None else list(found.grants)


def _signed_in_staff(request: Request) -> StaffMember:
    staff = staff_in(request)
    if staff is None:
        raise SignInRequired("/desk")
    return staff


def _signed_in_learner(request: Request) -> list[str]:
    pseudonyms = learners_in(request)
    if pseudonyms is None:
        raise SignInRequired("/wallet")
    return pseudonyms


StaffDep = Annotated[StaffMember, Depends(_signed_in_staff)]
LearnerDep = Annotated[list[str], Depends(_signed_in_learner)]


def start_session(request: Request, key: str, value: dict[str, Any]) -> None:
    """A new session holding only ``value`` under ``key`` (and a new CSRF token)."""
    request.session.clear()
    request.session[key] = value
    request.session["csrf"] = secrets.token_urlsafe(32)
