"""The recognition area's repository: the decisions institutions record on credentials they received."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Row, insert, select

from microcred.domain.recognition import (
    RecognitionBasis,
    RecognitionDecision,
    RecognitionKind,
    RecognitionOutcome,
)
from microcred.errors import NotFound
from microcred.storage.engine import stamp
from microcred.storage.mapping import ects_from_column
from microcred.storage.repositories import SqlProviderRepository
from microcred.storage.stacking_tables import recognition_decisions
from microcred.storage.tables import providers

__all__ = ["SqlRecognitionRepository"]


class SqlRecognitionRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def _query(self) -> Any:
        return select(recognition_decisions, providers.c.slug).join(
            providers, providers.c.id == recognition_decisions.c.provider_id
        )

    @staticmethod
    def _decision(row: Row[Any]) -> RecognitionDecision:
        decided_on: date = row.decided_on
        return RecognitionDecision(
            provider=row.slug,
            learner=row.learner,
            credential_id=row.credential_id,
            credential_digest=row.credential_digest,
            issuer=row.issuer,
            outcome=RecognitionOutcome(row.outcome),
            recognised_for=row.recognised_for,
            decided_on=decided_on,
            decided_by=row.decided_by,
            kind=None if row.kind is None else RecognitionKind(row.kind),
            ects=ects_from_column(row.ects),
            basis=[RecognitionBasis(code) for code in row.basis],
            reason=row.reason,
            verified=bool(row.verified),
            public_id=row.public_id,
            id=row.id,
        )

    def add(self, decision: RecognitionDecision) -> None:
        self._connection.execute(
            insert(recognition_decisions).values(
                public_id=decision.public_id,
                provider_id=SqlProviderRepository(self._connection).id_of(decision.provider),
                learner=decision.learner,
                credential_id=decision.credential_id,
                credential_digest=decision.credential_digest,
                issuer=decision.issuer,
                outcome=decision.outcome.value,
                recognised_for=decision.recognised_for,
                kind=None if decision.kind is None else decision.kind.value,
                ects=decision.ects,
                basis=[basis.value for basis in decision.basis],
                decided_on=decision.decided_on,
                decided_by=decision.decided_by,
                reason=decision.reason,
                verified=decision.verified,
                created_at=stamp(self._connection),
            )
        )

    def find_same(
        self, provider: str, learner: str, credential_digest: str, recognised_for: str
    ) -> RecognitionDecision | None:
        row = self._connection.execute(
            self._query().where(
                providers.c.slug == provider,
                recognition_decisions.c.learner == learner,
                recognition_decisions.c.credential_digest == credential_digest,
                recognition_decisions.c.recognised_for == recognised_for,
            )
        ).first()
        return None if row is None else self._decision(row)

    def get(self, provider: str, public_id: str) -> RecognitionDecision:
        row = self._connection.execute(
            self._query().where(providers.c.slug == provider, recognition_decisions.c.public_id == public_id)
        ).first()
        if row is None:
            raise NotFound("no-recognition-decision", decision=public_id)
        return self._decision(row)

    def of_provider(self, provider: str) -> list[RecognitionDecision]:
        query = self._query().where(providers.c.slug == provider).order_by(recognition_decisions.c.id.desc())
        return [self._decision(row) for row in self._connection.execute(query)]

    def of_learners(self, pseudonyms: Sequence[str]) -> list[RecognitionDecision]:
        if not pseudonyms:
            return []
        query = (
            self._query()
            .where(recognition_decisions.c.learner.in_(list(pseudonyms)))
            .order_by(recognition_decisions.c.id.desc())
        )
        return [self._decision(row) for row in self._connection.execute(query)]
