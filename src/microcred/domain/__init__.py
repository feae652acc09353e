"""The register's language: plain typed Python, no framework or database imports."""

from __future__ import annotations

from microcred.domain.codes import (
    AgeBand,
    ContractType,
    EmploymentStatus,
    FlemishMcType,
    GradingScheme,
    LearnerScheme,
    OfferingKind,
    OfferingStatus,
    Outcome,
    ParticipationForm,
    ProviderType,
    QaKind,
)
from microcred.domain.credential import (
    TRUST_DATES,
    Credential,
    CredentialState,
    IssuerKey,
    StatusFlag,
    StatusPurpose,
    TrustDate,
    credential_urn,
)
from microcred.domain.enrolment import Edition, Enrolment, check_academic_year
from microcred.domain.learner import Learner, identify, is_esi, is_insz, pseudonymise, pseudonyms
from microcred.domain.offering import MANDATORY_ELEMENTS, LearningOutcome, Offering, check_eu_elements
from microcred.domain.paging import OfferingOrder, Page, Position, ProviderOrder, check_page_size
from microcred.domain.provider import Provider, QualityAssurance, any_covers, is_trusted, validate_slug
from microcred.domain.values import MAX_ECTS, AcademicYear, Change, LangText, ects

__all__ = [
    "MANDATORY_ELEMENTS",
    "MAX_ECTS",
    "TRUST_DATES",
    "AcademicYear",
    "AgeBand",
    "Change",
    "ContractType",
    "Credential",
    "CredentialState",
    "Edition",
    "EmploymentStatus",
    "Enrolment",
    "FlemishMcType",
    "GradingScheme",
    "IssuerKey",
    "LangText",
    "Learner",
    "LearnerScheme",
    "LearningOutcome",
    "Offering",
    "OfferingKind",
    "OfferingOrder",
    "OfferingStatus",
    "Outcome",
    "Page",
    "ParticipationForm",
    "Position",
    "Provider",
    "ProviderOrder",
    "ProviderType",
    "QaKind",
    "QualityAssurance",
    "StatusFlag",
    "StatusPurpose",
    "TrustDate",
    "any_covers",
    "check_academic_year",
    "check_eu_elements",
    "check_page_size",
    "credential_urn",
    "ects",
    "identify",
    "is_esi",
    "is_insz",
    "is_trusted",
    "pseudonymise",
    "pseudonyms",
    "validate_slug",
]
