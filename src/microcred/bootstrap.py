"""The one composition root: settings -> engine, unit of work, clock -> what the adapters use."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from sqlalchemy import Engine

from microcred.credentials.key_vault import KeyVault
from microcred.services.keys import KeyStore
from microcred.services.mail import Mailer, OutboxMailer
from microcred.services.ports import Clock, UnitOfWork
from microcred.settings import Settings
from microcred.storage import SqlUnitOfWork, make_engine, migrate

__all__ = ["Register", "build", "utc_now"]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Register:
    """A wired microcred installation: hand ``register.uow`` to any service."""

    settings: Settings
    clock: Clock = field(default=utc_now)

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database_url)

    @cached_property
    def mailer(self) -> Mailer:
        """Where e-mail goes: the outbox folder (a real mail transport plugs in here)."""
        return OutboxMailer(self.settings.outbox_dir)

    @cached_property
    def key_store(self) -> KeyStore:
        """Providers' signing keys, sealed at rest under ``key_encryption_key``, published as did:web."""
        vault = KeyVault(self.settings.key_encryption_key.get_secret_value())
        return KeyStore(vault, self.settings.public_base_url)

    def uow(self) -> UnitOfWork:
        return SqlUnitOfWork(self.engine)

    def migrate(self) -> None:
        """Create or upgrade the schema (Alembic, all heads)."""
        migrate.upgrade(self.engine)

    def is_migrated(self) -> bool:
        return migrate.is_up_to_date(self.engine)

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()


def build(settings: Settings | None = None) -> Register:
    return Register(settings=settings or Settings())
