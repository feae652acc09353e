"""The stacking area's repository: stack rules and stacked credentials (recognition is in ``recognition.py``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Row, and_, delete, insert, or_, select, update

from microcred.domain import LangText
from microcred.domain.stacked import ComponentReference, StackedCredential, StackedState
from microcred.domain.stacking import (
    ComponentOffering,
    Holding,
    RuleKind,
    StackComponent,
    StackRule,
    VerdictState,
)
from microcred.errors import NotFound
from microcred.storage.credential_tables import credentials
from microcred.storage.engine import stamp, utc
from microcred.storage.mapping import ects_from_column
from microcred.storage.repositories import SqlProviderRepository
from microcred.storage.stacking_tables import (
    stack_rule_components,
    stack_rules,
    stacked_components,
    stacked_credentials,
)
from microcred.storage.tables import editions, enrolments, learners, offerings, providers
from microcred.storage.verdicts import keep_verdicts, verdict_columns, verdict_states, with_kept_verdict

__all__ = ["SqlStackingRepository"]


class SqlStackingRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def _provider_id(self, slug: str) -> int:
        return SqlProviderRepository(self._connection).id_of(slug)

    # -- rules ---------------------------------------------------------------------------------------------

    def put_rule(self, rule: StackRule) -> bool:
        """Insert or replace the provider's rule with this code (its components too); True when new."""
        provider_id = self._provider_id(rule.provider)
        values = {
            "title": rule.title.as_dict(),
            "kind": rule.kind.value,
            "required_count": rule.required_count,
            "min_ects": rule.min_ects,
            "min_eqf_level": rule.min_eqf_level,
            "max_age_months": rule.max_age_months,
            "other_providers": rule.other_providers,
            "ects": rule.ects,
            "eqf_level": rule.eqf_level,
            "updated_at": stamp(self._connection),
        }
        found = self._connection.execute(
            select(stack_rules.c.id).where(stack_rules.c.provider_id == provider_id, stack_rules.c.code == rule.code)
        ).scalar()
        if found is None:
            rule_id = self._connection.execute(
                insert(stack_rules).values(provider_id=provider_id, code=rule.code, **values)
            ).inserted_primary_key
            assert rule_id is not None
            rule.id = int(rule_id[0])
        else:
            rule.id = int(found)
            self._connection.execute(update(stack_rules).where(stack_rules.c.id == rule.id).values(**values))
            self._connection.execute(delete(stack_rule_components).where(stack_rule_components.c.rule_id == rule.id))
        if rule.components:
            self._connection.execute(
                insert(stack_rule_components),
                [
                    {"rule_id": rule.id, "position": i, "provider": c.provider, "offering_code": c.offering_code}
                    for i, c in enumerate(rule.components)
                ],
            )
        return found is None

    def _rules(self, *conditions: Any) -> list[StackRule]:
        rows = self._connection.execute(
            select(stack_rules, providers.c.slug)
            .join(providers, providers.c.id == stack_rules.c.provider_id)
            .where(*conditions)
            .order_by(providers.c.slug, stack_rules.c.code)
        ).all()
        if not rows:
            return []
        parts: dict[int, list[StackComponent]] = {}
        for part in self._connection.execute(
            select(stack_rule_components)
            .where(stack_rule_components.c.rule_id.in_([row.id for row in rows]))
            .order_by(stack_rule_components.c.rule_id, stack_rule_components.c.position)
        ):
            parts.setdefault(part.rule_id, []).append(StackComponent(part.provider, part.offering_code))
        return [self._rule(row, parts.get(row.id, [])) for row in rows]

    @staticmethod
    def _rule(row: Row[Any], components: list[StackComponent]) -> StackRule:
        return StackRule(
            provider=row.slug,
            code=row.code,
            title=LangText(row.title),
            kind=RuleKind(row.kind),
            components=components,
            required_count=row.required_count,
            min_ects=ects_from_column(row.min_ects),
            min_eqf_level=row.min_eqf_level,
            max_age_months=row.max_age_months,
            other_providers=bool(row.other_providers),
            ects=ects_from_column(row.ects),
            eqf_level=row.eqf_level,
            id=row.id,
        )

    def get_rule(self, provider: str, code: str) -> StackRule:
        found = self._rules(stack_rules.c.provider_id == self._provider_id(provider), stack_rules.c.code == code)
        if not found:
            raise NotFound("no-stack-rule", provider=provider, code=code)
        return found[0]

    def rules_of(self, provider: str) -> list[StackRule]:
        return self._rules(stack_rules.c.provider_id == self._provider_id(provider))

    def rules_with_components(self, keys: Sequence[tuple[str, str]]) -> list[StackRule]:
        """Every rule, of any provider, with one of these ``(provider, offering_code)`` components."""
        if not keys:
            return []
        ids = select(stack_rule_components.c.rule_id).where(
            stack_rule_components.c.provider.in_({p for p, _ in keys}),
            stack_rule_components.c.offering_code.in_({c for _, c in keys}),
        )
        wanted = set(keys)
        return [
            rule
            for rule in self._rules(stack_rules.c.id.in_(ids))
            if any((c.provider, c.offering_code) in wanted for c in rule.components)
        ]

    def knows_learner(self, provider: str, pseudonym: str) -> bool:
        """Whether the learner ever enrolled with ``provider``: a provider acts only for its own learners."""
        found = self._connection.execute(
            select(enrolments.c.id)
            .join(learners, learners.c.id == enrolments.c.learner_id)
            .where(enrolments.c.provider_id == self._provider_id(provider), learners.c.pseudonym == pseudonym)
            .limit(1)
        ).first()
        return found is not None

    @staticmethod
    def _holders() -> Any:
        """Pseudonyms with the credentials they hold, joined to each credential's provider and offering."""
        return (
            select(learners.c.pseudonym)
            .select_from(credentials)
            .join(enrolments, enrolments.c.id == credentials.c.enrolment_id)
            .join(editions, editions.c.id == enrolments.c.edition_id)
            .join(offerings, offerings.c.id == editions.c.offering_id)
            .join(providers, providers.c.id == offerings.c.provider_id)
            .join(learners, learners.c.id == enrolments.c.learner_id)
        )

    def _own_learners(self, provider: str) -> Any:
        return (
            select(learners.c.pseudonym)
            .join(enrolments, enrolments.c.learner_id == learners.c.id)
            .where(enrolments.c.provider_id == self._provider_id(provider))
        )

    def all_rules(self) -> list[StackRule]:
        """Every provider's rules, by provider and code."""
        return self._rules()

    def learners_holding_components(self, provider: str | None = None) -> list[str]:
        """Pseudonyms of the learners holding a credential for a component of some rule (of ``provider``'s
        rules, and only its own learners, when given): whom evaluating every rule has to look at."""
        part = and_(
            stack_rule_components.c.provider == providers.c.slug,
            stack_rule_components.c.offering_code == offerings.c.code,
        )
        query = self._holders().join(stack_rule_components, part)
        if provider is not None:
            query = query.join(stack_rules, stack_rules.c.id == stack_rule_components.c.rule_id).where(
                stack_rules.c.provider_id == self._provider_id(provider),
                learners.c.pseudonym.in_(self._own_learners(provider)),
            )
        return sorted(self._connection.execute(query.distinct()).scalars().all())

    def issued_to(self, pseudonyms: Sequence[str]) -> set[tuple[int, str]]:
        """``(rule id, pseudonym)`` of every stacked credential these learners hold, whatever its state."""
        if not pseudonyms:
            return set()
        rows = self._connection.execute(
            select(stacked_credentials.c.rule_id, stacked_credentials.c.learner).where(
                stacked_credentials.c.learner.in_(list(pseudonyms))
            )
        )
        return {(int(row.rule_id), str(row.learner)) for row in rows}

    def candidates(self, rule: StackRule) -> list[str]:
        """Pseudonyms of the provider's learners holding a credential for one of the rule's components and
        no stacked credential of it yet: who a bulk issue has to evaluate."""
        held = self._holders().where(
            or_(*(and_(providers.c.slug == c.provider, offerings.c.code == c.offering_code) for c in rule.components))
        )
        own = self._own_learners(rule.provider)
        issued = select(stacked_credentials.c.learner).where(stacked_credentials.c.rule_id == rule.id)
        query = held.where(learners.c.pseudonym.in_(own), learners.c.pseudonym.not_in(issued)).distinct()
        return sorted(self._connection.execute(query).scalars())

    # -- stacked credentials -------------------------------------------------------------------------------

    def _stacked_query(self) -> Any:
        return (
            select(stacked_credentials, providers.c.slug, stack_rules.c.code.label("rule_code"))
            .join(providers, providers.c.id == stacked_credentials.c.provider_id)
            .join(stack_rules, stack_rules.c.id == stacked_credentials.c.rule_id)
        )

    def _stacked(self, rows: Sequence[Row[Any]]) -> list[StackedCredential]:
        if not rows:
            return []
        refs: dict[int, list[ComponentReference]] = {}
        for part in self._connection.execute(
            select(stacked_components)
            .where(stacked_components.c.stacked_id.in_([row.id for row in rows]))
            .order_by(stacked_components.c.id)
        ):
            refs.setdefault(part.stacked_id, []).append(ComponentReference(part.credential_uuid, part.url, part.digest))
        found = []
        for row in rows:
            issued = utc(row.issued_at)
            assert issued is not None
            found.append(
                StackedCredential(
                    uuid=row.uuid,
                    provider=row.slug,
                    rule_code=row.rule_code,
                    learner=row.learner,
                    components=tuple(refs.get(row.id, [])),
                    revocation_index=row.revocation_index,
                    suspension_index=row.suspension_index,
                    issued_at=issued,
                    document_json=row.document,
                    state=StackedState(row.state),
                    state_reason=row.state_reason,
                    state_changed_at=utc(row.state_changed_at),
                )
            )
        return found

    def add_stacked(self, stacked: StackedCredential, rule_id: int) -> None:
        inserted = self._connection.execute(
            insert(stacked_credentials).values(
                uuid=stacked.uuid,
                provider_id=self._provider_id(stacked.provider),
                rule_id=rule_id,
                learner=stacked.learner,
                revocation_index=stacked.revocation_index,
                suspension_index=stacked.suspension_index,
                issued_at=stacked.issued_at,
                document=stacked.document_json,
                state=stacked.state.value,
            )
        ).inserted_primary_key
        assert inserted is not None
        self._connection.execute(
            insert(stacked_components),
            [
                {"stacked_id": inserted[0], "credential_uuid": c.credential_id, "url": c.url, "digest": c.digest}
                for c in stacked.components
            ],
        )

    def stacked_for(self, rule_id: int, learner: str) -> StackedCredential | None:
        rows = self._connection.execute(
            self._stacked_query().where(
                stacked_credentials.c.rule_id == rule_id, stacked_credentials.c.learner == learner
            )
        ).all()
        found = self._stacked(rows)
        return found[0] if found else None

    def get_stacked(self, uuid: str) -> StackedCredential:
        found = self._stacked(
            self._connection.execute(self._stacked_query().where(stacked_credentials.c.uuid == uuid)).all()
        )
        if not found:
            raise NotFound("no-credential", uuid=uuid)
        return found[0]

    def stacked_of_provider(self, provider: str) -> list[StackedCredential]:
        query = self._stacked_query().where(stacked_credentials.c.provider_id == self._provider_id(provider))
        return self._stacked(self._connection.execute(query.order_by(stacked_credentials.c.id.desc())).all())

    def stacked_of_learners(self, pseudonyms: Sequence[str]) -> list[StackedCredential]:
        if not pseudonyms:
            return []
        query = self._stacked_query().where(stacked_credentials.c.learner.in_(list(pseudonyms)))
        return self._stacked(self._connection.execute(query.order_by(stacked_credentials.c.id.desc())).all())

    def component_offerings(self, keys: Sequence[str]) -> dict[str, ComponentOffering]:
        """Title, ECTS and EQF level of the offerings ``provider/code`` in ``keys``, in one query (a wallet page
        shows hundreds of components; reading each whole offering took most of its time)."""
        pairs = {tuple(key.split("/", 1)) for key in keys}
        if not pairs:
            return {}
        rows = self._connection.execute(
            select(providers.c.slug, offerings.c.code, offerings.c.title, offerings.c.ects, offerings.c.eqf_level)
            .join(providers, providers.c.id == offerings.c.provider_id)
            .where(providers.c.slug.in_({p for p, _ in pairs}), offerings.c.code.in_({c for _, c in pairs}))
        ).all()
        return {
            f"{row.slug}/{row.code}": ComponentOffering(LangText(row.title), ects_from_column(row.ects), row.eqf_level)
            for row in rows
            if (row.slug, row.code) in pairs
        }

    def verdict_states(self, credential_uuids: Sequence[str]) -> dict[str, VerdictState]:
        """Per credential, its verdict's token and the verdict kept under it (``storage/verdicts.py``)."""
        rows = self._connection.execute(
            with_kept_verdict(select(credentials.c.uuid, *verdict_columns())).where(
                credentials.c.uuid.in_(list(credential_uuids))
            )
        ).all()
        states = verdict_states(self._connection, [row[1:] for row in rows])
        return {str(row[0]): state for row, state in zip(rows, states, strict=True)}

    def keep_verdicts(self, found: Mapping[str, tuple[str, bool]]) -> None:
        keep_verdicts(self._connection, found)

    def holdings(self, pseudonyms: Sequence[str]) -> list[Holding]:
        """These learners' credentials as rules read them, newest first (as ``credentials_of_learners``),
        each with its offering's ECTS and EQF level and its verdict's state, in one query (and one for the
        providers' part of the tokens) and without the documents: the evaluation job reads a document only
        to verify a credential whose verdict is not kept under its current token."""
        if not pseudonyms:
            return []
        rows = self._connection.execute(
            with_kept_verdict(
                self._holders().add_columns(
                    credentials.c.uuid,
                    providers.c.slug,
                    offerings.c.code,
                    credentials.c.issued_at,
                    offerings.c.ects,
                    offerings.c.eqf_level,
                    *verdict_columns(),
                )
            )
            .where(learners.c.pseudonym.in_(list(pseudonyms)))
            .order_by(credentials.c.issued_at.desc(), credentials.c.id.desc())
        ).all()
        states = verdict_states(self._connection, [row[7:] for row in rows])  # after the pseudonym and six above
        found = []
        for row, state in zip(rows, states, strict=True):
            issued = utc(row[4])
            assert issued is not None
            found.append(
                Holding(
                    uuid=str(row[1]),
                    learner=str(row[0]),
                    provider=str(row[2]),
                    offering_code=str(row[3]),
                    issued_on=issued.date(),
                    ects=ects_from_column(row[5]),
                    eqf_level=row[6],
                    verdict=state,
                )
            )
        return found

    def stacked_with_component(self, credential_uuid: str) -> list[StackedCredential]:
        ids = select(stacked_components.c.stacked_id).where(stacked_components.c.credential_uuid == credential_uuid)
        query = self._stacked_query().where(stacked_credentials.c.id.in_(ids))
        return self._stacked(self._connection.execute(query).all())

    def save_stacked_state(self, stacked: StackedCredential) -> None:
        self._connection.execute(
            update(stacked_credentials)
            .where(stacked_credentials.c.uuid == stacked.uuid)
            .values(
                state=stacked.state.value,
                state_reason=stacked.state_reason,
                state_changed_at=stacked.state_changed_at,
            )
        )
