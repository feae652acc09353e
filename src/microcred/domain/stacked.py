"""A stacked credential's life after issue: what it references, and its review when a component falls.

A rule met (``domain.stacking``) is issued once as a larger credential that names each component credential
by id and digest. The credential then lives on its own: a component revoked or suspended puts it under review
(suspended in its status list) until a person keeps or revokes it, with a reason. Kept apart from the rules
because the rules decide *whether* a learner has earned it, and this decides what becomes of it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from microcred.domain.credential import MAX_REASON_LENGTH
from microcred.errors import Conflict, Invalid

__all__ = ["ComponentReference", "StackedCredential", "StackedState"]


class StackedState(StrEnum):
    ACTIVE = "active"
    REVIEW = "review"  # a component was revoked or suspended: suspended in the status list until decided
    REVOKED = "revoked"


@dataclass(frozen=True, slots=True)
class ComponentReference:
    """How a stacked credential names a component: its id, where it is served and its SHA-256 digest."""

    credential_id: str
    url: str
    digest: str


@dataclass(slots=True)
class StackedCredential:
    """A credential issued for a met rule; it references each component credential by id and digest."""

    uuid: str
    provider: str
    rule_code: str
    learner: str  # pseudonym
    components: tuple[ComponentReference, ...]
    revocation_index: int
    suspension_index: int
    issued_at: datetime
    document_json: str
    state: StackedState = StackedState.ACTIVE
    state_reason: str | None = None
    state_changed_at: datetime | None = None

    @property
    def document(self) -> dict[str, Any]:
        """A fresh parse of the signed document (``document_json`` is the byte-exact original)."""
        parsed: dict[str, Any] = json.loads(self.document_json)
        return parsed

    def flag_for_review(self, reason: str, at: datetime) -> bool:
        """Put an active credential under review (a component no longer stands); False when it already is."""
        if self.state is not StackedState.ACTIVE:
            return False
        self.state, self.state_reason, self.state_changed_at = StackedState.REVIEW, reason[:MAX_REASON_LENGTH], at
        return True

    def decide_review(self, *, keep: bool, reason: str, at: datetime) -> None:
        """End a review: keep the credential (active again) or revoke it, with a person's reason."""
        if self.state is not StackedState.REVIEW:
            raise Conflict("stack-not-in-review", uuid=self.uuid, state=self.state.value)
        self.state = StackedState.ACTIVE if keep else StackedState.REVOKED
        cleaned = reason.strip() if isinstance(reason, str) else ""
        if not cleaned:
            raise Invalid.field("reason", "reason-required")
        if len(cleaned) > MAX_REASON_LENGTH:
            raise Invalid.field("reason", "too-long", limit=MAX_REASON_LENGTH)
        self.state_reason, self.state_changed_at = cleaned, at
