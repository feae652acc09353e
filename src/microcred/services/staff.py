"""Staff sessions that can be ended: sign-in, who a session stands for, logout, deactivation, new password.

A web session holds only the staff id and the *session epoch* it started in (issue 15, findings 3 and 8:
no e-mail address in the cookie). It is honoured while the account is active and its epoch unchanged;
logout, deactivation and a password change raise the epoch and revoke every API token the staff member
made on the desk, so all of that person's sessions and tokens end at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from microcred.errors import NotFound, Unauthenticated
from microcred.services import throttle
from microcred.services.auth import Principal, authenticate_staff, hash_password, normal_email
from microcred.services.dependencies import Dependencies
from microcred.services.ports import Clock, UnitOfWork, UnitOfWorkFactory

__all__ = [
    "SignedInStaff",
    "Staff",
    "StaffSession",
    "change_staff_password",
    "deactivate_staff",
    "end_staff_sessions",
    "sign_in_staff",
    "staff_of_session",
]


@dataclass(frozen=True, slots=True)
class StaffSession:
    """What a web session holds for a staff member: their account id and the epoch it started in."""

    staff_id: int
    epoch: int


@dataclass(frozen=True, slots=True)
class SignedInStaff:
    """The staff member a live session stands for."""

    staff_id: int
    provider: str
    email: str


def _staff_id(principal: Principal) -> int:
    return int(principal.subject.removeprefix("staff:"))


def sign_in_staff(
    email: str,
    password: str,
    uow: UnitOfWorkFactory,
    clock: Clock,
    *,
    client: str = "unknown",
    policies: tuple[throttle.Policy, throttle.Policy] = (throttle.ACCOUNT, throttle.CLIENT),
) -> StaffSession:
    """A new session for a correct e-mail and password (one vague error for every failure).

    After too many failures for the account or from the client, Throttled until the lock runs out, even
    for the right password (services/throttle.py). ``policies`` are the account's and the client's.
    """
    account_policy, client_policy = policies
    counted = [(account_policy, account_policy.key(email)), (client_policy, client_policy.key(client))]
    now = clock()
    with uow() as work:
        throttle.check(work, [key for _, key in counted], now)
    try:
        staff_id = _staff_id(authenticate_staff(email, password, uow))
    except Unauthenticated:
        with uow() as work:
            throttle.failed(work, counted, now)
            work.commit()
        raise
    with uow() as work:
        account = work.staff.by_id(staff_id)
        assert account is not None  # just authenticated
        throttle.succeeded(work, counted[0][1])
        work.commit()
    return StaffSession(staff_id, account.session_epoch)


def staff_of_session(session: StaffSession, uow: UnitOfWorkFactory) -> SignedInStaff | None:
    """The staff member while the account is active and the session's epoch current; None once ended."""
    with uow() as work:
        account = work.staff.by_id(session.staff_id)
    if account is None or not account.active or account.session_epoch != session.epoch:
        return None
    return SignedInStaff(account.id, account.provider, account.email)


def end_staff_sessions(staff_id: int, uow: UnitOfWorkFactory, clock: Clock) -> None:
    """End every session of this staff member and revoke the API tokens they made (logout)."""
    with uow() as work:
        work.staff.end_sessions(staff_id, clock())
        work.commit()


def _change_account(address: str, change: Callable[[UnitOfWork], None], uow: UnitOfWorkFactory, clock: Clock) -> None:
    """Change the account at ``address`` and end its sessions and tokens, in one transaction: a change that
    matters for sign-in must not leave a session made before it (NotFound for an unknown address)."""
    with uow() as work:
        account = work.staff.by_email(address)
        if account is None:
            raise NotFound("no-staff-account", address=address)
        change(work)
        work.staff.end_sessions(account.id, clock())
        work.commit()


def deactivate_staff(email: str, uow: UnitOfWorkFactory, clock: Clock) -> None:
    """Close the account: it cannot sign in, its sessions end and its tokens are revoked."""
    address = normal_email(email)
    _change_account(address, lambda work: work.staff.set_active(address, False), uow, clock)


def change_staff_password(email: str, password: str, uow: UnitOfWorkFactory, clock: Clock) -> None:
    """A new password; every session and token made with the old one ends."""
    address = normal_email(email)
    hashed = hash_password(password)
    _change_account(address, lambda work: work.staff.set_password(address, hashed), uow, clock)


class Staff:
    """Staff members' web sessions and accounts, bound to one register."""

    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps

    def sign_in_staff(self, email: str, password: str, *, client: str = "unknown") -> StaffSession:
        policies = throttle.policies(self._deps.settings)
        return sign_in_staff(email, password, self._deps.uow, self._deps.clock, client=client, policies=policies)

    def staff_of_session(self, session: StaffSession) -> SignedInStaff | None:
        return staff_of_session(session, self._deps.uow)

    def end_staff_sessions(self, staff_id: int) -> None:
        end_staff_sessions(staff_id, self._deps.uow, self._deps.clock)

    def deactivate_staff(self, email: str) -> None:
        deactivate_staff(email, self._deps.uow, self._deps.clock)

    def change_staff_password(self, email: str, password: str) -> None:
        change_staff_password(email, password, self._deps.uow, self._deps.clock)
