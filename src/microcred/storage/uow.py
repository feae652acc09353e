"""The unit of work: one transaction, rolled back unless ``commit()`` is called.

A unique or foreign-key violation leaves the unit of work as :class:`~microcred.errors.Conflict`: two
requests creating the same record at the same time both pass the service's "does it exist?" check, and
the database refuses the second. Callers then see the same 409 as for a record that was already there,
never a driver error (docs/decisions/0005-composition.md, Transactions).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from microcred.errors import Conflict
from microcred.storage.access_links import SqlAccessLinkRepository
from microcred.storage.auth import (
    SqlIdempotencyRepository,
    SqlLearnerAccessRepository,
    SqlLoginAttemptRepository,
    SqlRegisterKeyRepository,
    SqlStaffRepository,
    SqlTokenRepository,
)
from microcred.storage.bulk import SqlBulkStore
from microcred.storage.credentials import SqlCredentialRepository, SqlSigningKeyRepository
from microcred.storage.engine import set_clock
from microcred.storage.jobs import SqlJobRepository, SqlRateBuckets
from microcred.storage.oid4vci import SqlOid4vciRepository
from microcred.storage.oid4vci_deferred import SqlDeferredIssuanceRepository
from microcred.storage.oid4vp import SqlPresentationRepository
from microcred.storage.recognition import SqlRecognitionRepository
from microcred.storage.repositories import (
    SqlEditionRepository,
    SqlEnrolmentRepository,
    SqlLearnerRepository,
    SqlOfferingRepository,
    SqlProviderRepository,
)
from microcred.storage.search import SqlOfferingSearch
from microcred.storage.stacking import SqlStackingRepository
from microcred.storage.statistics import SqlStatisticsSource
from microcred.storage.wallet import SqlWalletRepository

__all__ = ["SqlUnitOfWork"]

# SQLSTATE class 23 codes (PostgreSQL) and SQLite extended result codes of the violations that mean "someone
# else wrote this first"; NOT NULL and CHECK violations are bugs and stay errors.
_RACE_SQLSTATES = frozenset({"23505", "23503"})  # unique_violation, foreign_key_violation
_RACE_SQLITE = frozenset({"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_CONSTRAINT_FOREIGNKEY"})


class SqlUnitOfWork:
    """Opens a connection and a transaction on enter; everything not committed is rolled back on exit."""

    providers: SqlProviderRepository
    offerings: SqlOfferingRepository
    editions: SqlEditionRepository
    search: SqlOfferingSearch
    learners: SqlLearnerRepository
    enrolments: SqlEnrolmentRepository
    bulk: SqlBulkStore
    credentials: SqlCredentialRepository
    signing_keys: SqlSigningKeyRepository
    connection: Connection
    tokens: SqlTokenRepository
    staff: SqlStaffRepository
    login_attempts: SqlLoginAttemptRepository
    idempotency: SqlIdempotencyRepository
    register_keys: SqlRegisterKeyRepository
    learner_access: SqlLearnerAccessRepository
    access_links: SqlAccessLinkRepository
    wallet: SqlWalletRepository
    jobs: SqlJobRepository
    rate_buckets: SqlRateBuckets
    oid4vci: SqlOid4vciRepository
    deferred: SqlDeferredIssuanceRepository
    presentations: SqlPresentationRepository
    statistics: SqlStatisticsSource

    def __init__(self, engine: Engine, clock: Callable[[], datetime] | None = None) -> None:
        self._engine = engine
        self._clock = clock

    def __enter__(self) -> SqlUnitOfWork:
        self.connection = self._engine.connect()
        if self._clock is not None:
            set_clock(self.connection, self._clock)
        self._transaction = self.connection.begin()
        self.providers = SqlProviderRepository(self.connection)
        self.offerings = SqlOfferingRepository(self.connection)
        self.editions = SqlEditionRepository(self.connection)
        self.search = SqlOfferingSearch(self.connection)
        self.learners = SqlLearnerRepository(self.connection)
        self.enrolments = SqlEnrolmentRepository(self.connection)
        self.bulk = SqlBulkStore(self.connection)
        self.tokens = SqlTokenRepository(self.connection)
        self.staff = SqlStaffRepository(self.connection)
        self.login_attempts = SqlLoginAttemptRepository(self.connection)
        self.idempotency = SqlIdempotencyRepository(self.connection)
        self.register_keys = SqlRegisterKeyRepository(self.connection)
        self.learner_access = SqlLearnerAccessRepository(self.connection)
        self.access_links = SqlAccessLinkRepository(self.connection)
        self.credentials = SqlCredentialRepository(self.connection)
        self.signing_keys = SqlSigningKeyRepository(self.connection)
        self.wallet = SqlWalletRepository(self.connection)
        self.stacking = SqlStackingRepository(self.connection)
        self.recognition = SqlRecognitionRepository(self.connection)
        self.jobs = SqlJobRepository(self.connection)
        self.rate_buckets = SqlRateBuckets(self.connection)
        self.oid4vci = SqlOid4vciRepository(self.connection)
        self.deferred = SqlDeferredIssuanceRepository(self.connection)
        self.presentations = SqlPresentationRepository(self.connection)
        self.statistics = SqlStatisticsSource(self.connection)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self._transaction.is_active:
                self._transaction.rollback()
        finally:
            self.connection.close()
        if isinstance(exc, IntegrityError) and _is_race(exc):
            raise Conflict("concurrent-save") from exc

    def commit(self) -> None:
        self._transaction.commit()

    def rollback(self) -> None:
        self._transaction.rollback()


def _is_race(error: IntegrityError) -> bool:
    driver_error = error.orig
    return (
        getattr(driver_error, "sqlstate", None) in _RACE_SQLSTATES
        or getattr(driver_error, "sqlite_errorname", None) in _RACE_SQLITE
    )
