"""The register's tables (SQLAlchemy Core). Alembic migrations create them; this module only describes them.

Learner identity lives in ``learners.pseudonym`` (a keyed hash); e-mail addresses are kept apart in
``learner_contacts`` so that statistics never touch them.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = [
    "access_links",
    "api_tokens",
    "editions",
    "enrolments",
    "idempotency_keys",
    "learner_contacts",
    "learners",
    "login_attempts",
    "metadata",
    "offerings",
    "providers",
    "quality_assurances",
    "register_keys",
    "staff_accounts",
    "statistics_generation",
    "statistics_removals",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _timestamps() -> list[Column[object]]:
    return [
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    ]


def _change_generation() -> Column[int]:
    """The statistics generation of the row's last insert or update (migration stats_0001_s5d, decision 0038):
    set by every write through ``storage.changes.next_statistics_generation``."""
    return Column("change_generation", BigInteger, nullable=False, server_default="0", index=True)


# --- statistics (migration stats_0001_s5d): the change token and the log of removed rows -------------------

statistics_generation = Table(
    "statistics_generation",
    metadata,
    Column("id", Integer, primary_key=True),  # one row, id 1
    Column("generation", BigInteger, nullable=False),
)

statistics_removals = Table(  # written by the delete triggers of the migration, cascades included
    "statistics_removals",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("generation", BigInteger, nullable=False, index=True),
    Column("table_name", String(16), nullable=False),
    Column("row_id", Integer, nullable=False),
)


providers = Table(
    "providers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(64), nullable=False, unique=True),
    Column("name", JSON, nullable=False),
    Column("short_name", JSON, nullable=False),
    Column("type", String(32), nullable=False),
    Column("country", String(2), nullable=False),
    Column("region", String(16)),
    Column("kbo_number", String(16)),
    Column("erasmus_code", String(32)),
    Column("schac_code", String(128)),
    Column("web_domain", String(128)),
    *_timestamps(),
    _change_generation(),
)

quality_assurances = Table(
    "quality_assurances",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("provider_id", ForeignKey("providers.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("agency", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date),
    Column("reference", String(500)),
    UniqueConstraint("provider_id", "agency", "kind", "valid_from", name="uq_quality_assurances_record"),
)

offerings = Table(
    "offerings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("provider_id", ForeignKey("providers.id", ondelete="CASCADE"), nullable=False),
    Column("code", String(64), nullable=False),
    Column("title", JSON, nullable=False),
    Column("description", JSON, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("awarding_body", String(64)),
    Column("issuer_country", String(2)),
    Column("learning_outcomes", JSON, nullable=False),
    Column("ects", Numeric(4, 1)),
    Column("hours", Integer),
    Column("eqf_level", Integer),
    Column("vks_level", Integer),
    Column("isced_field", String(4)),
    Column("assessment_type", String(32)),
    Column("participation_form", String(16)),
    Column("quality_assurance", String(32)),
    Column("languages", JSON, nullable=False),
    Column("flemish_type", String(4)),
    Column("prerequisites", JSON, nullable=False),
    Column("identity_check", String(32)),
    Column("grading_scheme", String(16)),
    Column("stackable_into", JSON, nullable=False),
    Column("info_url", String(500)),
    Column("validity_months", Integer),
    Column("price_eur", Integer),  # migration catalogue_0001
    *_timestamps(),
    _change_generation(),
    UniqueConstraint("provider_id", "code", name="uq_offerings_provider_code"),
)

editions = Table(
    "editions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("provider_id", ForeignKey("providers.id", ondelete="CASCADE"), nullable=False),
    Column("offering_id", ForeignKey("offerings.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("code", String(64), nullable=False),
    Column("academic_year", Integer, nullable=False),  # start year, derived from start_date
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("capacity", Integer),
    *_timestamps(),
    _change_generation(),
    UniqueConstraint("provider_id", "code", name="uq_editions_provider_code"),
)

learners = Table(
    "learners",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("pseudonym", String(64), nullable=False, unique=True),
)

learner_contacts = Table(
    "learner_contacts",
    metadata,
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
    # Each provider's own address for the learner: one provider never redirects another's credentials.
    Column("provider_id", ForeignKey("providers.id", ondelete="CASCADE"), primary_key=True),
    Column("email", String(254), nullable=False, index=True),
)

enrolments = Table(
    "enrolments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("provider_id", ForeignKey("providers.id", ondelete="CASCADE"), nullable=False),
    Column("reference", String(64), nullable=False),
    Column("edition_id", ForeignKey("editions.id", ondelete="CASCADE"), nullable=False),
    Column("learner_id", ForeignKey("learners.id"), nullable=False),
    # the learner id's scheme (insz, esi, register, local); NULL: not recorded (migration 0003, decision 0018)
    Column("learner_scheme", String(16)),
    Column("enrolment_date", Date, nullable=False),
    Column("contract_type", String(2), nullable=False),
    Column("employment_status", String(32), nullable=False),
    Column("age_band", String(8), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("grade", String(16)),
    Column("outcome_date", Date),
    # what the import last wrote, as a keyed digest of the row (decision 0037); NULL: compare value by value
    Column("row_digest", String(32)),
    *_timestamps(),
    _change_generation(),
    UniqueConstraint("provider_id", "reference", name="uq_enrolments_provider_reference"),
)
Index("ix_enrolments_edition", enrolments.c.edition_id)
Index("ix_enrolments_learner", enrolments.c.learner_id)

# --- access (migration auth_0001): API tokens, staff accounts, idempotent responses, the register's key ---

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("prefix", String(16), nullable=False, unique=True),  # public lookup part of the token
    Column("secret_hash", String(64), nullable=False),  # SHA-256 hex of the whole token
    Column("provider_id", ForeignKey("providers.id", ondelete="CASCADE")),  # None for the operator
    Column("is_admin", Boolean, nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("label", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    # The staff member who made it on the desk: ending their sessions revokes it (migration auth_0003).
    Column("staff_id", ForeignKey("staff_accounts.id", ondelete="SET NULL")),
)

staff_accounts = Table(
    "staff_accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),  # stored lower-cased
    Column("provider_id", ForeignKey("providers.id", ondelete="CASCADE"), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # A web session is honoured only while it carries the current epoch (logout etc. raise it).
    Column("session_epoch", Integer, nullable=False, default=0),
)

# Failed sign-ins by SHA-256 of "account:<e-mail>" or "client:<address>" (migration auth_0004).
login_attempts = Table(
    "login_attempts",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", DateTime(timezone=True), nullable=False),
    Column("locked_until", DateTime(timezone=True)),
)

# Learners' access links and the wallet sessions they open (migration auth_0005): the URL carries a random
# secret, the row only its SHA-256; ``address_key`` is the SHA-256 of the address the link was mailed to.
access_links = Table(
    "access_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("secret_hash", String(64), nullable=False, unique=True),
    Column("address_key", String(64), nullable=False, index=True),
    Column("grants", JSON, nullable=False),  # "provider:pseudonym" strings, as services/wallet.py grant()
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("opened_at", DateTime(timezone=True)),  # used: a link opens once
    Column("ended_at", DateTime(timezone=True)),  # revoked, or its session ended
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("owner", String(64), nullable=False),  # who sent it: token prefix or "anonymous"
    Column("key", String(255), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("state", String(16), nullable=False),  # "in progress" (reserved, migration auth_0002) or "done"
    Column("status", Integer),  # the stored response, once done
    Column("content_type", String(100)),
    Column("body", LargeBinary),
    Column("created_at", DateTime(timezone=True), nullable=False),  # when the key was reserved
    UniqueConstraint("owner", "key", name="uq_idempotency_keys_owner_key"),
)

register_keys = Table(
    "register_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("purpose", String(32), nullable=False, unique=True),
    Column("public_key_multibase", String(64), nullable=False),
    Column("encrypted_secret", Text, nullable=False),  # Fernet token under settings.key_encryption_key
    Column("created_at", DateTime(timezone=True), nullable=False),
)
