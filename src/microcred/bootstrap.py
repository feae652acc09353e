"""The one composition root: settings -> engine, unit of work, keys, clock, mailer -> bound use cases.

Adapters build one :class:`Register` and call its use cases with only their own arguments
(``register.issuance.revoke(credential_id, reason)``); every dependency is bound here, once
(docs/decisions/0005-composition.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from microcred.settings import Settings

# Every service module, storage and the key and mail plumbing are imported where they are first built, not
# here: a command uses two or three of them, and importing them all loaded DuckDB, numpy, pyld, jsonschema,
# httpx and joserfc before any command ran (issue 21: start-up time).
if TYPE_CHECKING:
    from sqlalchemy import Engine

    from microcred.services.auth import Access
    from microcred.services.catalogue import Catalogue
    from microcred.services.demo import Demo
    from microcred.services.dependencies import Dependencies
    from microcred.services.enrolments import Enrolments
    from microcred.services.idempotency import Idempotency
    from microcred.services.imports import Imports
    from microcred.services.issuance import Issuance
    from microcred.services.jobs import Jobs
    from microcred.services.keys import KeyStore
    from microcred.services.learner_access import LearnerAccess
    from microcred.services.limits import Limits
    from microcred.services.mail import Mailer
    from microcred.services.oid4vci import Oid4vci
    from microcred.services.oid4vci_authorization import Oid4vciAuthorization
    from microcred.services.oid4vci_deferred import DeferredCredentials
    from microcred.services.oid4vp import Oid4vp
    from microcred.services.ports import Clock, UnitOfWork
    from microcred.services.recognition import Recognition
    from microcred.services.remote import RemoteDocuments
    from microcred.services.reports import Reports
    from microcred.services.search import Search
    from microcred.services.stacking import Stacking
    from microcred.services.staff import Staff
    from microcred.services.trust import Trust
    from microcred.services.verification import Verification
    from microcred.services.wallet import Wallet
    from microcred.services.worker import JobWorker

__all__ = ["Register", "build", "utc_now"]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Register:
    """A wired microcred installation: its use cases, each bound once to the same dependencies."""

    settings: Settings
    clock: Clock = field(default=utc_now)

    @cached_property
    def engine(self) -> Engine:
        from microcred.storage import make_engine

        return make_engine(self.settings.database_url)

    @cached_property
    def mailer(self) -> Mailer:
        """Where e-mail goes: SMTP when ``MICROCRED_SMTP_HOST`` is set (always in production), else the outbox."""
        from microcred.services.mail import OutboxMailer, SmtpMailer

        s = self.settings
        if s.smtp_host:
            return SmtpMailer(
                s.smtp_host, s.smtp_port, user=s.smtp_user, password=s.smtp_password.get_secret_value(),
                sender=s.mail_from,
            )  # fmt: skip
        return OutboxMailer(s.outbox_dir)

    @cached_property
    def key_store(self) -> KeyStore:
        """Providers' signing keys, sealed at rest under ``key_encryption_key``, published as did:web."""
        from microcred.credentials.key_vault import KeyVault
        from microcred.services.keys import KeyStore

        vault = KeyVault(self.settings.key_encryption_key.get_secret_value())
        return KeyStore(vault, self.settings.public_base_url)

    @cached_property
    def remote(self) -> RemoteDocuments:
        """The verifier's fetcher: one per register, so its cache is shared by every request."""
        from microcred.services.remote import RemoteDocuments

        s = self.settings
        return RemoteDocuments(
            timeout=s.verifier_fetch_timeout,
            max_bytes=s.verifier_fetch_max_bytes,
            cache_seconds=s.verifier_cache_seconds,
            allow_local=s.verifier_allow_local_addresses,
        )

    def uow(self) -> UnitOfWork:
        from microcred.storage import SqlUnitOfWork

        return SqlUnitOfWork(self.engine, self.clock)

    @cached_property
    def dependencies(self) -> Dependencies:
        from microcred.services.dependencies import Dependencies

        return Dependencies(
            uow=self.uow,
            keys=self.key_store,
            settings=self.settings,
            clock=self.clock,
            mailer=self.mailer,
            remote=self.remote,
        )

    @cached_property
    def jobs(self) -> Jobs:
        """Where every adapter submits imports and bulk issuing and follows them (durable, in the database)."""
        from microcred.services.jobs import Jobs

        return Jobs(self.dependencies, wake=self._wake_worker)

    @cached_property
    def limits(self) -> Limits:
        """The per-client budgets every process, the API and the web pages share (kept in the database)."""
        from microcred.services.limits import Limits

        return Limits(self.uow, self.settings)

    @cached_property
    def worker(self) -> JobWorker:
        """This process's job worker: ``microcred worker`` runs it, ``microcred serve`` starts it in a thread."""
        from microcred.services.worker import JobWorker

        return JobWorker(self.dependencies)

    def start_worker(self) -> None:
        """Run jobs in a thread of this process, unless ``serve_jobs`` is off (a separate worker runs them)."""
        if self.settings.serve_jobs:
            self.worker.start()

    def freeze_start_up(self) -> None:
        """Once a long-running process (``serve``, ``worker``) has started, move what start-up built out of the
        cyclic garbage collector's reach (``gc_freeze_at_startup``): it lives as long as the process, and a
        full collection walking its ~220,000 objects every few requests made one wallet page view in eight
        take 200-320 ms of CPU instead of 70-130; frozen, 82 ms median and 107 ms p95 (decision 0043)."""
        if self.settings.gc_freeze_at_startup:
            import gc

            gc.collect()
            gc.freeze()

    def _wake_worker(self) -> None:
        self.start_worker()
        if "worker" in self.__dict__:
            self.worker.wake()

    @cached_property
    def access(self) -> Access:
        from microcred.services.auth import Access

        return Access(self.dependencies)

    @cached_property
    def learner_access(self) -> LearnerAccess:
        from microcred.services.learner_access import LearnerAccess

        return LearnerAccess(self.dependencies)

    @cached_property
    def catalogue(self) -> Catalogue:
        from microcred.services.catalogue import Catalogue

        return Catalogue(self.dependencies)

    @cached_property
    def demo(self) -> Demo:
        from microcred.services.demo import Demo

        return Demo(self.dependencies)

    @cached_property
    def enrolments(self) -> Enrolments:
        from microcred.services.enrolments import Enrolments

        return Enrolments(self.dependencies)

    @cached_property
    def idempotency(self) -> Idempotency:
        from microcred.services.idempotency import Idempotency

        return Idempotency(self.dependencies)

    @cached_property
    def imports(self) -> Imports:
        from microcred.services.imports import Imports

        return Imports(self.dependencies)

    @cached_property
    def issuance(self) -> Issuance:
        from microcred.services.issuance import Issuance

        return Issuance(self.dependencies)

    @cached_property
    def reports(self) -> Reports:
        from microcred.services.reports import Reports

        return Reports(self.dependencies)

    @cached_property
    def search(self) -> Search:
        from microcred.services.search import Search

        return Search(self.dependencies)

    @cached_property
    def trust(self) -> Trust:
        from microcred.services.trust import Trust

        return Trust(self.dependencies)

    @cached_property
    def verification(self) -> Verification:
        from microcred.services.verification import Verification

        return Verification(self.dependencies)

    @cached_property
    def stacking(self) -> Stacking:
        from microcred.services.stacking import Stacking

        return Stacking(self.dependencies)

    @cached_property
    def recognition(self) -> Recognition:
        from microcred.services.recognition import Recognition

        return Recognition(self.dependencies)

    @cached_property
    def staff(self) -> Staff:
        from microcred.services.staff import Staff

        return Staff(self.dependencies)

    @cached_property
    def wallet(self) -> Wallet:
        from microcred.services.wallet import Wallet

        return Wallet(self.dependencies)

    @cached_property
    def oid4vci(self) -> Oid4vci:
        """OpenID4VCI: credential offers, tokens, nonces and issuance into learners' wallet apps."""
        from microcred.services.oid4vci import Oid4vci

        return Oid4vci(self.dependencies)

    @cached_property
    def oid4vci_authorization(self) -> Oid4vciAuthorization:
        """OpenID4VCI's authorization code flow: a signed-in learner's approval, and the token endpoint."""
        from microcred.services.oid4vci_authorization import Oid4vciAuthorization

        return Oid4vciAuthorization(self.dependencies, self.oid4vci)

    @cached_property
    def oid4vci_deferred(self) -> DeferredCredentials:
        """OpenID4VCI's deferred credential endpoint: credentials offered before they were issued (0035)."""
        from microcred.services.oid4vci_deferred import DeferredCredentials

        return DeferredCredentials(self.dependencies, self.oid4vci)

    @cached_property
    def oid4vp(self) -> Oid4vp:
        """OpenID4VP: the verify page's presentation requests to wallet apps and their answers."""
        from microcred.services.oid4vp import Oid4vp

        return Oid4vp(self.dependencies)

    def migrate(self) -> None:
        """Create or upgrade the schema (Alembic, all heads)."""
        from microcred.storage import migrate

        migrate.upgrade(self.engine)

    def is_migrated(self) -> bool:
        from microcred.storage import migrate

        return migrate.is_up_to_date(self.engine)

    def stop_worker(self) -> None:
        """Stop this process's job worker after the job in hand (a later submission starts it again)."""
        if "worker" in self.__dict__:
            self.worker.stop()

    def close(self) -> None:
        self.stop_worker()
        if "engine" in self.__dict__:
            self.engine.dispose()

    def session_secret(self) -> str:
        """The key the web signs its session cookies with, unwrapped here so no adapter handles secrets."""
        return self.dependencies.session_secret


def build(settings: Settings | None = None) -> Register:
    return Register(settings=settings or Settings())
