"""The seams services depend on. Storage fits these Protocols without services importing it.

One module per area (catalogue, enrolments, credentials, auth, wallet, jobs, and the unit of work that
gathers them); every name is re-exported here, so a service imports ``from microcred.services.ports``.

``StatisticsSource`` is defined in ``stats.source`` (statistics read through it and may not import services)
and exposed here as the unit of work's ``statistics``.
"""

from __future__ import annotations

from microcred.services.ports.auth import (
    IdempotencyRecord,
    IdempotencyRepository,
    LoginAttemptRecord,
    LoginAttemptRepository,
    RegisterKeyRepository,
    StaffRecord,
    StaffRepository,
    TokenRecord,
    TokenRepository,
)
from microcred.services.ports.catalogue import OfferingRepository, OfferingSearch, OfferingTally, ProviderRepository
from microcred.services.ports.credentials import (
    CredentialRepository,
    RecognitionRepository,
    SigningKeyRepository,
    StackingRepository,
)
from microcred.services.ports.enrolments import BulkStore, EditionRepository, EnrolmentRepository, LearnerRepository
from microcred.services.ports.jobs import JobRecord, JobRepository, RateBuckets
from microcred.services.ports.unit_of_work import Clock, UnitOfWork, UnitOfWorkFactory
from microcred.services.ports.wallet import (
    AccessLinkRecord,
    AccessLinkRepository,
    DeferredIssuanceRepository,
    DeferredRecord,
    LearnerAccessRepository,
    OfferRecord,
    Oid4vciRepository,
    PendingEnrolmentRecord,
    PresentationRepository,
    PresentationRequestRecord,
    ShareLinkRecord,
    WalletRepository,
)
from microcred.stats.source import StatisticsSource

__all__ = [
    "AccessLinkRecord",
    "AccessLinkRepository",
    "BulkStore",
    "Clock",
    "CredentialRepository",
    "DeferredIssuanceRepository",
    "DeferredRecord",
    "EditionRepository",
    "EnrolmentRepository",
    "IdempotencyRecord",
    "IdempotencyRepository",
    "JobRecord",
    "JobRepository",
    "LearnerAccessRepository",
    "LearnerRepository",
    "LoginAttemptRecord",
    "LoginAttemptRepository",
    "OfferRecord",
    "OfferingRepository",
    "OfferingSearch",
    "OfferingTally",
    "Oid4vciRepository",
    "PendingEnrolmentRecord",
    "PresentationRepository",
    "PresentationRequestRecord",
    "ProviderRepository",
    "RateBuckets",
    "RecognitionRepository",
    "RegisterKeyRepository",
    "ShareLinkRecord",
    "SigningKeyRepository",
    "StackingRepository",
    "StaffRecord",
    "StaffRepository",
    "StatisticsSource",
    "TokenRecord",
    "TokenRepository",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "WalletRepository",
]
