"""Tables of the stacking and recognition areas; migration ``stacking_0001`` creates them.

They share :data:`microcred.storage.tables.metadata`. A stacked credential takes its status indexes from
the awarding provider's status lists, like every credential it issues, so the lists carry its state.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from microcred.storage.tables import metadata

__all__ = [
    "credential_verdicts",
    "recognition_decisions",
    "stack_rule_components",
    "stack_rules",
    "stacked_components",
    "stacked_credentials",
]

stack_rules = Table(
    "stack_rules",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("provider_id", ForeignKey("providers.id", ondelete="CASCADE"), nullable=False),
    Column("code", String(64), nullable=False),
    Column("title", JSON, nullable=False),
    Column("kind", String(8), nullable=False),
    Column("required_count", Integer),
    Column("min_ects", Numeric(4, 1)),
    Column("min_eqf_level", Integer),
    Column("max_age_months", Integer),
    Column("other_providers", Boolean, nullable=False),
    Column("ects", Numeric(4, 1)),
    Column("eqf_level", Integer),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("provider_id", "code", name="uq_stack_rules_provider_code"),
)

stack_rule_components = Table(
    "stack_rule_components",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("rule_id", ForeignKey("stack_rules.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("provider", String(64), nullable=False),  # a slug: the component may be another provider's
    Column("offering_code", String(64), nullable=False),
    UniqueConstraint("rule_id", "provider", "offering_code", name="uq_stack_rule_components_offering"),
)

stacked_credentials = Table(
    "stacked_credentials",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(45), nullable=False, unique=True),
    Column("provider_id", ForeignKey("providers.id", ondelete="CASCADE"), nullable=False),
    Column("rule_id", ForeignKey("stack_rules.id"), nullable=False),
    Column("learner", String(64), nullable=False, index=True),  # pseudonym (a wallet, the evaluation job)
    Column("revocation_index", Integer, nullable=False),
    Column("suspension_index", Integer, nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("document", Text, nullable=False),  # exactly as signed
    Column("state", String(16), nullable=False),
    Column("state_reason", String(500)),
    Column("state_changed_at", DateTime(timezone=True)),
    UniqueConstraint("rule_id", "learner", name="uq_stacked_credentials_rule_learner"),
    UniqueConstraint("provider_id", "revocation_index", name="uq_stacked_credentials_provider_revocation_index"),
    UniqueConstraint("provider_id", "suspension_index", name="uq_stacked_credentials_provider_suspension_index"),
)
# Stacked credentials by state, as the credentials' (migration credentials_0004): a list's flagged ones only.
Index(
    "ix_stacked_credentials_provider_state",
    stacked_credentials.c.provider_id,
    stacked_credentials.c.state,
    stacked_credentials.c.revocation_index,
)

stacked_components = Table(
    "stacked_components",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("stacked_id", ForeignKey("stacked_credentials.id", ondelete="CASCADE"), nullable=False),
    Column("credential_uuid", String(45), nullable=False, index=True),
    Column("url", String(500), nullable=False),
    Column("digest", String(100), nullable=False),
)

credential_verdicts = Table(
    "credential_verdicts",
    metadata,
    # Whether a credential counts as a component, kept under the token of what that verdict depends on besides
    # the credential's immutable document (``storage/verdicts.py``); migration ``stacking_0003``.
    Column("credential_id", ForeignKey("credentials.id", ondelete="CASCADE"), primary_key=True),
    Column("token", String(64), nullable=False),
    Column("counts", Boolean, nullable=False),
    Column("checked_at", DateTime(timezone=True), nullable=False),
)

recognition_decisions = Table(
    "recognition_decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("public_id", String(32), nullable=False, unique=True),
    Column("provider_id", ForeignKey("providers.id", ondelete="CASCADE"), nullable=False),
    Column("learner", String(64), nullable=False, index=True),  # pseudonym
    Column("credential_id", String(500), nullable=False),
    Column("credential_digest", String(100), nullable=False),
    Column("issuer", String(500), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("recognised_for", String(200), nullable=False),
    Column("kind", String(16)),
    Column("ects", Numeric(4, 1)),
    Column("basis", JSON, nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("decided_by", String(200), nullable=False),
    Column("reason", String(500)),
    Column("verified", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint(
        "provider_id", "learner", "credential_digest", "recognised_for", name="uq_recognition_decisions_once"
    ),
)
