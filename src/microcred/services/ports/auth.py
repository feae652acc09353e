"""Who may do what: API tokens, staff accounts, failed sign-ins, idempotency keys and the register's own keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from microcred.domain.records import IdempotencyRecord, LoginAttemptRecord, StaffRecord, TokenRecord

__all__ = [
    "IdempotencyRecord",
    "IdempotencyRepository",
    "LoginAttemptRecord",
    "LoginAttemptRepository",
    "RegisterKeyRepository",
    "StaffRecord",
    "StaffRepository",
    "TokenRecord",
    "TokenRepository",
]


class TokenRepository(Protocol):
    def add(
        self,
        *,
        prefix: str,
        secret_hash: str,
        provider: str | None,
        is_admin: bool,
        scopes: Sequence[str],
        label: str,
        created_at: datetime,
        expires_at: datetime | None,
        staff_id: int | None = None,
    ) -> int: ...
    def by_prefix(self, prefix: str) -> TokenRecord | None: ...
    def all(self, provider: str | None = None) -> Sequence[TokenRecord]: ...
    def revoke(self, prefix: str, at: datetime) -> bool: ...


class StaffRepository(Protocol):
    def add(self, *, email: str, provider: str, password_hash: str, created_at: datetime) -> int: ...
    def by_email(self, email: str) -> StaffRecord | None: ...
    def by_id(self, staff_id: int) -> StaffRecord | None: ...
    def set_password(self, email: str, password_hash: str) -> None: ...
    def set_active(self, email: str, active: bool) -> None: ...
    def end_sessions(self, staff_id: int, at: datetime) -> None: ...


class LoginAttemptRepository(Protocol):
    def get(self, key: str) -> LoginAttemptRecord | None: ...
    def record(self, key: str, *, failures: int, at: datetime, locked_until: datetime | None) -> None: ...
    def clear(self, key: str) -> None: ...


class IdempotencyRepository(Protocol):
    def get(self, owner: str, key: str) -> IdempotencyRecord | None: ...
    def reserve(self, owner: str, key: str, *, request_hash: str, at: datetime) -> bool: ...
    def take_over(
        self, owner: str, key: str, *, request_hash: str, reserved_before: datetime, at: datetime
    ) -> bool: ...
    def complete(self, owner: str, key: str, *, status: int, content_type: str, body: bytes) -> None: ...
    def release(self, owner: str, key: str) -> None: ...


class RegisterKeyRepository(Protocol):
    def get(self, purpose: str) -> tuple[str, str] | None: ...
    def add(self, purpose: str, *, public_key_multibase: str, encrypted_secret: str, created_at: datetime) -> None: ...
