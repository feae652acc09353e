"""Closed code lists of the register.

The values are the codes of the shipped vocabularies (``microcred.vocab``), which carry their nl/en labels;
a test pins that both agree.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AgeBand",
    "ContractType",
    "EmploymentStatus",
    "FlemishMcType",
    "GradingScheme",
    "LearnerScheme",
    "OfferingKind",
    "OfferingStatus",
    "Outcome",
    "ParticipationForm",
    "ProviderType",
    "QaKind",
]


class ProviderType(StrEnum):
    UNIVERSITY = "university"
    UNIVERSITY_COLLEGE = "university-college"
    SCHOOL_OF_ARTS = "school-of-arts"
    REGISTERED_INSTITUTION = "registered-institution"
    OTHER_PUBLIC = "other-public"
    OTHER_PRIVATE = "other-private"

    @property
    def is_higher_education(self) -> bool:
        """Universities and university colleges: the institutions the parliament asked about."""
        return self in (ProviderType.UNIVERSITY, ProviderType.UNIVERSITY_COLLEGE)


class QaKind(StrEnum):
    INSTITUTIONAL_REVIEW = "institutional-review"
    PROGRAMME_ACCREDITATION = "programme-accreditation"
    OTHER = "other"


class OfferingKind(StrEnum):
    MICRO_CREDENTIAL = "micro-credential"  # labelled micro-credential (narrow reading)
    COURSE_UNITS = "course-units"  # course units under a credit contract
    POSTGRADUATE = "postgraduate"
    FURTHER_TRAINING = "further-training"
    OTHER = "other"


class FlemishMcType(StrEnum):
    TYPE_1 = "1"
    TYPE_2 = "2"
    TYPE_3A = "3a"
    TYPE_3B = "3b"


class OfferingStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class ParticipationForm(StrEnum):
    ONLINE = "online"
    ON_SITE = "on-site"
    BLENDED = "blended"


class GradingScheme(StrEnum):
    TWENTY_POINT = "0-20"
    PASS_FAIL = "pass-fail"
    ECTS_GRADE = "ects-grade"
    OTHER = "other"


class ContractType(StrEnum):
    """Contract types of the Flemish higher-education database (DHO)."""

    DIPLOMA = "01"
    CREDIT = "02"
    EXAM = "03"
    NOT_APPLICABLE = "99"


class EmploymentStatus(StrEnum):
    EMPLOYED = "employed"
    SELF_EMPLOYED = "self-employed"
    JOB_SEEKING = "job-seeking"
    NOT_IN_LABOUR_FORCE = "not-in-labour-force"
    UNKNOWN = "unknown"

    @property
    def is_working(self) -> bool | None:
        """True/False for the parliament's split; None when unknown (never guessed)."""
        if self is EmploymentStatus.UNKNOWN:
            return None
        return self in (EmploymentStatus.EMPLOYED, EmploymentStatus.SELF_EMPLOYED)


class AgeBand(StrEnum):
    UNDER_20 = "<20"
    FROM_20 = "20-24"
    FROM_25 = "25-29"
    FROM_30 = "30-34"
    FROM_35 = "35-44"
    FROM_45 = "45-54"
    FROM_55 = "55-64"
    FROM_65 = "65+"
    UNKNOWN = "unknown"


class Outcome(StrEnum):
    ENROLLED = "enrolled"
    WITHDRAWN = "withdrawn"
    PASSED = "passed"
    FAILED = "failed"


class LearnerScheme(StrEnum):
    """Which identifier scheme a learner id belongs to, and so in which scope it is pseudonymised (decision 0018)."""

    INSZ = "insz"  # Belgian national register number: one person across providers
    ESI = "esi"  # European Student Identifier (urn:schac:personalUniqueCode:int:esi:...): across providers
    REGISTER = "register"  # an id the register's providers agreed to share: across providers
    LOCAL = "local"  # the provider's own student number: unique only within that provider

    @property
    def across_providers(self) -> bool:
        """True when one person has one pseudonym at every provider (so is counted once across providers)."""
        return self is not LearnerScheme.LOCAL
