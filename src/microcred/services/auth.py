"""Who is calling: API tokens, provider staff accounts and learners' signed access links.

Tokens are random, shown once and stored only as a SHA-256 hash with a public prefix for lookup; each is
bound to one provider and a set of scopes, or is an operator (administrator) token. Staff passwords are
hashed with scrypt (RFC 7914). Learners' access links are ``services/learner_access.py``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from microcred.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from microcred.services.dependencies import Dependencies
from microcred.services.ports import Clock, TokenRecord, UnitOfWorkFactory

__all__ = [
    "ANONYMOUS",
    "MIN_PASSWORD_LENGTH",
    "TOKEN_PREFIX",
    "Access",
    "IssuedToken",
    "Principal",
    "Scope",
    "TokenInfo",
    "add_staff",
    "authenticate_staff",
    "authenticate_token",
    "create_token",
    "hash_password",
    "list_tokens",
    "normal_email",
    "revoke_token",
    "verify_password",
]

TOKEN_PREFIX = "mct_"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
MIN_PASSWORD_LENGTH = 12  # OWASP ASVS 4.0.3 V2.1.1
MAX_PASSWORD_LENGTH = 1024


class Scope(StrEnum):
    """What a provider token may do; reading a provider's own records needs no scope."""

    CATALOGUE_WRITE = "catalogue:write"
    ENROLMENTS_WRITE = "enrolments:write"
    CREDENTIALS_ISSUE = "credentials:issue"
    CREDENTIALS_REVOKE = "credentials:revoke"
    REPORTS_READ = "reports:read"


PrincipalKind = Literal["anonymous", "admin", "provider", "staff", "learner"]


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of one request: anonymous, the operator, a provider (token or staff) or a learner."""

    kind: PrincipalKind
    provider: str | None = None
    scopes: frozenset[str] = frozenset()
    subject: str = ""  # token prefix, "staff:<id>", or "" — never a secret, never personal data
    # A learner's grants (services/wallet.py ``grant``): which provider's records of which pseudonym.
    learners: tuple[str, ...] = field(default=(), repr=False)

    @property
    def is_admin(self) -> bool:
        return self.kind == "admin"

    def require_admin(self) -> Principal:
        if self.kind == "anonymous":
            raise Unauthenticated("operator-token-needed")
        if not self.is_admin:
            raise Forbidden("operator-only")
        return self

    def require_provider(self, provider: str, scope: Scope | None = None) -> Principal:
        """Allow only a caller acting for ``provider`` and, when given, holding ``scope``."""
        if self.kind == "anonymous":
            raise Unauthenticated("provider-token-needed")
        if self.kind not in ("provider", "staff") or self.provider != provider:
            raise Forbidden("token-other-provider", provider=provider)
        if scope is not None and scope.value not in self.scopes:
            raise Forbidden("token-lacks-scope", scope=scope.value)
        return self

    def require_scope(self, scope: Scope) -> Principal:
        """Allow any provider caller (or the operator) holding ``scope``."""
        if self.kind == "anonymous":
            raise Unauthenticated("token-scope-needed", scope=scope.value)
        if not self.is_admin and scope.value not in self.scopes:
            raise Forbidden("token-lacks-scope", scope=scope.value)
        return self


ANONYMOUS = Principal("anonymous")


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: ``token`` is shown to its owner once and never stored."""

    token: str
    prefix: str
    provider: str | None
    scopes: tuple[str, ...]
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What may be shown about a stored token (never its secret or hash)."""

    prefix: str
    provider: str | None
    is_admin: bool
    scopes: tuple[str, ...]
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _scopes(requested: Iterable[str]) -> tuple[str, ...]:
    known = {scope.value for scope in Scope}
    chosen = sorted(set(requested))
    unknown = [scope for scope in chosen if scope not in known]
    if unknown:
        raise Invalid.field("scope", "scope-unknown", unknown[0], known=", ".join(sorted(known)))
    return tuple(chosen)


def create_token(
    *,
    provider: str | None,
    scopes: Iterable[str],
    uow: UnitOfWorkFactory,
    clock: Clock,
    admin: bool = False,
    expires_days: int | None = None,
    label: str = "",
    staff_id: int | None = None,
) -> IssuedToken:
    """Issue a token for a provider (with scopes) or, with ``admin``, for the register's operator.

    ``staff_id`` names the staff member making it on the desk: their account must be active and of that
    provider, and ending their sessions revokes the token (issue 15, finding 3).
    """
    chosen = _scopes(scopes)
    if admin == (provider is not None):
        raise Invalid.field("provider", "token-provider-or-admin")
    if expires_days is not None and not 1 <= expires_days <= 3650:
        raise Invalid.field("expires_days", "days-range", expires_days, most=3650)
    if len(label) > 100:
        raise Invalid.field("label", "too-long", limit=100)
    now = clock()
    expires_at = None if expires_days is None else now + timedelta(days=expires_days)
    prefix = secrets.token_hex(6)
    token = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with uow() as work:
        if staff_id is not None:
            account = work.staff.by_id(staff_id)
            if account is None or not account.active or account.provider != provider:
                raise Forbidden("staff-cannot-make-tokens")
        work.tokens.add(
            staff_id=staff_id,
            prefix=prefix,
            secret_hash=_digest(token),
            provider=provider,
            is_admin=admin,
            scopes=chosen,
            label=label,
            created_at=now,
            expires_at=expires_at,
        )
        work.commit()
    return IssuedToken(token, prefix, provider, chosen, expires_at)


def _prefix_of(token: str) -> str | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    prefix, separator, _ = token[len(TOKEN_PREFIX) :].partition("_")
    return prefix if separator and prefix else None


def authenticate_token(token: str, uow: UnitOfWorkFactory, clock: Clock) -> Principal:
    """The principal a bearer token stands for; Unauthenticated when unknown, expired or revoked."""
    prefix = _prefix_of(token)
    record: TokenRecord | None = None
    if prefix is not None:
        with uow() as work:
            record = work.tokens.by_prefix(prefix)
    if record is None or not hmac.compare_digest(record.secret_hash, _digest(token)):
        raise Unauthenticated("token-invalid")
    if record.revoked_at is not None:
        raise Unauthenticated("token-revoked")
    if record.expires_at is not None and record.expires_at <= clock():
        raise Unauthenticated("token-expired")
    if record.is_admin:
        return Principal("admin", scopes=frozenset(record.scopes), subject=record.prefix)
    return Principal("provider", provider=record.provider, scopes=frozenset(record.scopes), subject=record.prefix)


def list_tokens(uow: UnitOfWorkFactory, *, provider: str | None = None) -> list[TokenInfo]:
    with uow() as work:
        if provider is not None:
            work.providers.id_of(provider)
        return [
            TokenInfo(r.prefix, r.provider, r.is_admin, r.scopes, r.label, r.created_at, r.expires_at, r.revoked_at)
            for r in work.tokens.all(provider)
        ]


def revoke_token(prefix: str, uow: UnitOfWorkFactory, clock: Clock, *, provider: str | None = None) -> None:
    """Revoke a token by its prefix (shown by ``token list``); revoking twice is an error.

    With ``provider``, only that provider's tokens: another's is not found, as an unknown prefix is.
    """
    cleaned = prefix.removeprefix(TOKEN_PREFIX).split("_")[0]
    with uow() as work:
        record = work.tokens.by_prefix(cleaned)
        if record is None or (provider is not None and record.provider != provider):
            raise NotFound("no-token", prefix=cleaned)
        if not work.tokens.revoke(cleaned, clock()):
            raise Conflict("token-already-revoked", prefix=cleaned)
        work.commit()


# --- staff accounts -------------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash`` (base64), RFC 7914 with n=2^14, r=8, p=1."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise Invalid.field(
            "password",
            "password-length",
            minimum=MIN_PASSWORD_LENGTH,
            maximum=MAX_PASSWORD_LENGTH,
            length=len(password),
        )
    salt = secrets.token_bytes(16)
    derived = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    encode = base64.b64encode
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${encode(salt).decode()}${encode(derived).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        derived = hashlib.scrypt(
            password.encode()[:1024], salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except ValueError:
        return False
    return hmac.compare_digest(derived, base64.b64decode(expected))


# A hash to check against when the account does not exist, so both paths take as long.
_ABSENT = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="


def normal_email(email: str) -> str:
    """The address as accounts store it (trimmed, lower case); Invalid when it is not one."""
    cleaned = email.strip().lower()
    if "@" not in cleaned or len(cleaned) > 254 or any(c.isspace() for c in cleaned):
        raise Invalid.field("email", "email-format")
    return cleaned


def add_staff(email: str, *, provider: str, password: str, uow: UnitOfWorkFactory, clock: Clock) -> int:
    """Create a web-desk account for a provider's staff member; the e-mail address must be new."""
    address = normal_email(email)
    hashed = hash_password(password)
    with uow() as work:
        account_id = work.staff.add(email=address, provider=provider, password_hash=hashed, created_at=clock())
        work.commit()
    return account_id


def authenticate_staff(email: str, password: str, uow: UnitOfWorkFactory) -> Principal:
    """The staff principal for a correct e-mail and password; one vague error for every failure."""
    failure = Unauthenticated("sign-in-failed")
    try:
        address = normal_email(email)
    except Invalid:
        raise failure from None
    with uow() as work:
        account = work.staff.by_email(address)
    if account is None:
        verify_password(password, _ABSENT)
        raise failure
    if not verify_password(password, account.password_hash) or not account.active:
        raise failure
    return Principal(
        "staff", provider=account.provider, scopes=frozenset(s.value for s in Scope), subject=f"staff:{account.id}"
    )


class Access:
    """API tokens, staff accounts and learners' access links, bound to one register."""

    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps

    def create_token(
        self,
        *,
        provider: str | None,
        scopes: Iterable[str],
        admin: bool = False,
        expires_days: int | None = None,
        label: str = "",
        staff_id: int | None = None,
    ) -> IssuedToken:
        return create_token(
            provider=provider,
            scopes=scopes,
            uow=self._deps.uow,
            clock=self._deps.clock,
            admin=admin,
            expires_days=expires_days,
            label=label,
            staff_id=staff_id,
        )

    def authenticate_token(self, token: str) -> Principal:
        return authenticate_token(token, self._deps.uow, self._deps.clock)

    def list_tokens(self, *, provider: str | None = None) -> list[TokenInfo]:
        return list_tokens(self._deps.uow, provider=provider)

    def token_state(self, info: TokenInfo) -> str:
        """``active``, ``expired`` or ``revoked`` by the register's clock."""
        return info.state(self._deps.clock())

    def revoke_token(self, prefix: str, *, provider: str | None = None) -> None:
        revoke_token(prefix, self._deps.uow, self._deps.clock, provider=provider)

    def add_staff(self, email: str, *, provider: str, password: str) -> int:
        return add_staff(email, provider=provider, password=password, uow=self._deps.uow, clock=self._deps.clock)

    def authenticate_staff(self, email: str, password: str) -> Principal:
        return authenticate_staff(email, password, self._deps.uow)

    def now(self) -> datetime:
        """The register's clock, for showing whether a token is still active."""
        return self._deps.clock()
