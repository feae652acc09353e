"""Repositories of access records: API tokens, staff accounts, idempotent responses, the register's key.

Secrets never reach these tables in the clear: tokens are stored as a SHA-256 hash, passwords as scrypt
hashes and the register's private key encrypted (the services do the hashing and encryption).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from microcred.domain.records import IdempotencyRecord, LoginAttemptRecord, StaffRecord, TokenRecord
from microcred.errors import Conflict
from microcred.storage.engine import utc
from microcred.storage.repositories import SqlProviderRepository
from microcred.storage.tables import (
    api_tokens,
    idempotency_keys,
    learner_contacts,
    learners,
    login_attempts,
    providers,
    register_keys,
    staff_accounts,
)

__all__ = [
    "SqlIdempotencyRepository",
    "SqlLearnerAccessRepository",
    "SqlLoginAttemptRepository",
    "SqlRegisterKeyRepository",
    "SqlStaffRepository",
    "SqlTokenRepository",
]


class SqlTokenRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

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
    ) -> int:
        provider_id = None if provider is None else SqlProviderRepository(self._connection).id_of(provider)
        return int(
            self._connection.execute(
                insert(api_tokens)
                .values(
                    prefix=prefix,
                    secret_hash=secret_hash,
                    provider_id=provider_id,
                    is_admin=is_admin,
                    scopes=list(scopes),
                    label=label,
                    created_at=created_at,
                    expires_at=expires_at,
                    staff_id=staff_id,
                )
                .returning(api_tokens.c.id)
            ).scalar_one()
        )

    def _query(self) -> Any:
        return select(api_tokens, providers.c.slug.label("provider_slug")).outerjoin(
            providers, providers.c.id == api_tokens.c.provider_id
        )

    def by_prefix(self, prefix: str) -> TokenRecord | None:
        row = self._connection.execute(self._query().where(api_tokens.c.prefix == prefix)).first()
        return None if row is None else _token(row)

    def all(self, provider: str | None = None) -> list[TokenRecord]:
        query = self._query().order_by(api_tokens.c.created_at, api_tokens.c.id)
        if provider is not None:
            query = query.where(providers.c.slug == provider)
        return [_token(row) for row in self._connection.execute(query)]

    def revoke(self, prefix: str, at: datetime) -> bool:
        done = self._connection.execute(
            update(api_tokens)
            .where(api_tokens.c.prefix == prefix, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return bool(done.rowcount)


def _token(row: Row[Any]) -> TokenRecord:
    return TokenRecord(
        id=row.id,
        prefix=row.prefix,
        secret_hash=row.secret_hash,
        provider=row.provider_slug,
        is_admin=bool(row.is_admin),
        scopes=tuple(row.scopes),
        label=row.label,
        created_at=utc(row.created_at) or row.created_at,
        expires_at=utc(row.expires_at),
        revoked_at=utc(row.revoked_at),
    )


class SqlStaffRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, *, email: str, provider: str, password_hash: str, created_at: datetime) -> int:
        provider_id = SqlProviderRepository(self._connection).id_of(provider)
        try:
            with self._connection.begin_nested():
                new_id = self._connection.execute(
                    insert(staff_accounts)
                    .values(
                        email=email,
                        provider_id=provider_id,
                        password_hash=password_hash,
                        active=True,
                        created_at=created_at,
                        session_epoch=0,
                    )
                    .returning(staff_accounts.c.id)
                ).scalar_one()
        except IntegrityError:
            raise Conflict("staff-exists") from None
        return int(new_id)

    def _one(self, where: Any) -> StaffRecord | None:
        row = self._connection.execute(
            select(staff_accounts, providers.c.slug.label("provider_slug"))
            .join(providers, providers.c.id == staff_accounts.c.provider_id)
            .where(where)
        ).first()
        if row is None:
            return None
        return StaffRecord(
            row.id, row.email, row.provider_slug, row.password_hash, bool(row.active), int(row.session_epoch)
        )

    def by_email(self, email: str) -> StaffRecord | None:
        return self._one(staff_accounts.c.email == email)

    def by_id(self, staff_id: int) -> StaffRecord | None:
        return self._one(staff_accounts.c.id == staff_id)

    def set_password(self, email: str, password_hash: str) -> None:
        self._connection.execute(
            update(staff_accounts).where(staff_accounts.c.email == email).values(password_hash=password_hash)
        )

    def set_active(self, email: str, active: bool) -> None:
        self._connection.execute(update(staff_accounts).where(staff_accounts.c.email == email).values(active=active))

    def end_sessions(self, staff_id: int, at: datetime) -> None:
        """Raise the account's session epoch and revoke every token the staff member made."""
        self._connection.execute(
            update(staff_accounts)
            .where(staff_accounts.c.id == staff_id)
            .values(session_epoch=staff_accounts.c.session_epoch + 1)
        )
        self._connection.execute(
            update(api_tokens)
            .where(api_tokens.c.staff_id == staff_id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )


class SqlIdempotencyRepository:
    """(owner, key) rows: reserved "in progress" before a request runs, "done" with its response after."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def _where(self, owner: str, key: str) -> tuple[Any, ...]:
        return (idempotency_keys.c.owner == owner, idempotency_keys.c.key == key)

    def get(self, owner: str, key: str) -> IdempotencyRecord | None:
        row = self._connection.execute(select(idempotency_keys).where(*self._where(owner, key))).first()
        if row is None:
            return None
        return IdempotencyRecord(
            row.request_hash,
            row.state,
            utc(row.created_at) or row.created_at,
            row.status,
            row.content_type,
            None if row.body is None else bytes(row.body),
        )

    def reserve(self, owner: str, key: str, *, request_hash: str, at: datetime) -> bool:
        """Insert the reservation; False when (owner, key) is already there (the unique constraint decides)."""
        try:
            with self._connection.begin_nested():
                self._connection.execute(
                    insert(idempotency_keys).values(
                        owner=owner, key=key, request_hash=request_hash, state="in progress", created_at=at
                    )
                )
        except IntegrityError:
            return False
        return True

    def take_over(self, owner: str, key: str, *, request_hash: str, reserved_before: datetime, at: datetime) -> bool:
        """Reserve again a reservation of the same request made before ``reserved_before`` (its request died)."""
        done = self._connection.execute(
            update(idempotency_keys)
            .where(
                *self._where(owner, key),
                idempotency_keys.c.state == "in progress",
                idempotency_keys.c.request_hash == request_hash,
                idempotency_keys.c.created_at < reserved_before,
            )
            .values(created_at=at)
        )
        return bool(done.rowcount)

    def complete(self, owner: str, key: str, *, status: int, content_type: str, body: bytes) -> None:
        """Store the response of the reserved request."""
        self._connection.execute(
            update(idempotency_keys)
            .where(*self._where(owner, key), idempotency_keys.c.state == "in progress")
            .values(state="done", status=status, content_type=content_type, body=body)
        )

    def release(self, owner: str, key: str) -> None:
        """Remove a reservation (its request failed), so the key may be used again."""
        self._connection.execute(
            delete(idempotency_keys).where(*self._where(owner, key), idempotency_keys.c.state == "in progress")
        )


class SqlRegisterKeyRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, purpose: str) -> tuple[str, str] | None:
        """``(public_key_multibase, encrypted_secret)`` of the register's key for ``purpose``."""
        row = self._connection.execute(select(register_keys).where(register_keys.c.purpose == purpose)).first()
        return None if row is None else (row.public_key_multibase, row.encrypted_secret)

    def add(self, purpose: str, *, public_key_multibase: str, encrypted_secret: str, created_at: datetime) -> None:
        try:
            with self._connection.begin_nested():
                self._connection.execute(
                    insert(register_keys).values(
                        purpose=purpose,
                        public_key_multibase=public_key_multibase,
                        encrypted_secret=encrypted_secret,
                        created_at=created_at,
                    )
                )
        except IntegrityError:
            raise Conflict("register-key-exists", purpose=purpose) from None


class SqlLearnerAccessRepository:
    """The one reverse look-up from an e-mail address to pseudonyms, for learners' access links."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def grants_for_email(self, email: str) -> list[tuple[str, str]]:
        """(pseudonym, provider) for every provider that recorded this address for a learner."""
        rows = self._connection.execute(
            select(learners.c.pseudonym, providers.c.slug)
            .join(learner_contacts, learner_contacts.c.learner_id == learners.c.id)
            .join(providers, providers.c.id == learner_contacts.c.provider_id)
            .where(func.lower(learner_contacts.c.email) == email.strip().lower())
            .order_by(learners.c.pseudonym, providers.c.slug)
        ).all()
        return [(row.pseudonym, row.slug) for row in rows]


class SqlLoginAttemptRepository:
    """Failed sign-ins per key, in the database so every worker process sees the same count."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, key: str) -> LoginAttemptRecord | None:
        row = self._connection.execute(select(login_attempts).where(login_attempts.c.key == key)).first()
        if row is None:
            return None
        last = utc(row.last_failure_at)
        assert last is not None
        return LoginAttemptRecord(int(row.failures), last, utc(row.locked_until))

    def record(self, key: str, *, failures: int, at: datetime, locked_until: datetime | None) -> None:
        values = {"failures": failures, "last_failure_at": at, "locked_until": locked_until}
        done = self._connection.execute(update(login_attempts).where(login_attempts.c.key == key).values(**values))
        if done.rowcount:
            return
        try:
            with self._connection.begin_nested():
                self._connection.execute(insert(login_attempts).values(key=key, **values))
        except IntegrityError:  # another process inserted it first: count on top of its row
            self._connection.execute(update(login_attempts).where(login_attempts.c.key == key).values(**values))

    def clear(self, key: str) -> None:
        self._connection.execute(delete(login_attempts).where(login_attempts.c.key == key))
