"""Who is signed in, from the signed session cookie: a provider's staff member (desk) or a learner (wallet).

Pages for one of them take :data:`StaffDep` or :data:`LearnerDep`; without a session the visitor is sent
to sign in (``errors.SignInRequired``). Signing in always starts a fresh session with a new CSRF token, so
an earlier session cannot be fixed on someone.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from microcred.web.errors import SignInRequired

__all__ = ["LearnerDep", "StaffDep", "StaffMember", "learners_in", "staff_in", "start_session"]


@dataclass(frozen=True, slots=True)
class StaffMember:
    provider: str
    email: str


def staff_in(request: Request) -> StaffMember | None:
    staff = request.session.get("staff")
    if not isinstance(staff, dict) or not isinstance(staff.get("provider"), str):
        return None
    return StaffMember(staff["provider"], str(staff.get("email", "")))


def learners_in(request: Request) -> list[str] | None:
    """The pseudonyms the learner's opened access link named, or None without an opened wallet."""
    learner = request.session.get("learner")
    found = learner.get("learners") if isinstance(learner, dict) else None
    return [str(p) for p in found] if isinstance(found, list) else None


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
