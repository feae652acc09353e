"""Every stack rule evaluated for every learner: who has started, who meets it, who is owed a stacked credential.

A job over 100,000 learners cannot take the wallet's path for each (read the learner's credentials, their
verdict tokens, the rules naming them, one transaction after another: about 20 learners a second). This
path reads a batch of learners at once -- their credentials, verdict tokens and component offerings in one
query each -- and checks a learner only against the rules that name one of the offerings they hold, through
an index of rules by component built once. A credential still counts only when it verifies
(``stacking_progress.held_credentials``: the same verdicts as every page); :func:`learner_evaluation` is the
per-learner reference path, which tests/services/test_stacking_bulk.py and the benchmark compare it with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from microcred.domain import Credential
from microcred.domain.stacking import HeldCredential, StackProgress, StackRule, by_offering, evaluate_grouped
from microcred.services.dependencies import Dependencies
from microcred.services.stacking_progress import held_credentials

__all__ = ["BATCH", "LearnerEvaluation", "RuleTally", "evaluate_all", "evaluations", "learner_evaluation"]

BATCH = 500  # learners read per batch: a few thousand credentials, well under SQLite's bound-parameter limit


@dataclass(frozen=True, slots=True)
class LearnerEvaluation:
    """One learner's progress on every rule they started (a credential held for a component), by rule."""

    learner: str  # pseudonym
    progress: tuple[StackProgress, ...]


@dataclass(slots=True)
class RuleTally:
    """How many learners started a rule, meet it, and meet it without holding its stacked credential yet."""

    provider: str
    code: str
    started: int = 0
    met: int = 0
    to_issue: int = 0

    def as_dict(self) -> dict[str, str | int]:
        return {
            "rule": f"{self.provider}/{self.code}",
            "started": self.started,
            "met": self.met,
            "to_issue": self.to_issue,
        }


def _started(rules: Sequence[StackRule], held: Sequence[HeldCredential], today: date) -> tuple[StackProgress, ...]:
    """``rules`` evaluated on ``held``, by provider and code. Both paths pass only rules naming an offering
    of ``held``, so each is started: a credential held for a component counts or is excluded with a reason
    (``evaluate`` looks only at the rule's components, so ``held`` need not be narrowed to them)."""
    grouped = by_offering(held)
    return tuple(evaluate_grouped(rule, grouped, today) for rule in sorted(rules, key=lambda r: (r.provider, r.code)))


def learner_evaluation(deps: Dependencies, pseudonym: str, *, provider: str | None = None) -> LearnerEvaluation:
    """The reference path: one learner's credentials read and verified, then the rules naming one of them
    read, each evaluated (what a wallet page does; of ``provider``'s rules only, when given)."""
    with deps.uow() as work:
        credentials = work.wallet.credentials_of_learners([pseudonym])
    held = held_credentials(deps, credentials)
    with deps.uow() as work:
        rules = work.stacking.rules_with_components(sorted({(h.provider, h.offering_code) for h in held}))
    rules = [rule for rule in rules if provider is None or rule.provider == provider]
    return LearnerEvaluation(pseudonym, _started(rules, held, deps.clock().date()))


class _RuleIndex:
    """The rules by component key, so a learner is checked only against rules naming what they hold."""

    def __init__(self, rules: Sequence[StackRule]) -> None:
        self._by_key: dict[str, list[StackRule]] = {}
        for rule in rules:
            for component in rule.components:
                self._by_key.setdefault(component.key, []).append(rule)

    def names(self, credential: Credential) -> bool:
        return f"{credential.provider}/{credential.offering_code}" in self._by_key

    def rules_for(self, held: Sequence[HeldCredential]) -> list[StackRule]:
        found: dict[int, StackRule] = {}
        for credential in held:
            for rule in self._by_key.get(credential.key, ()):
                found[id(rule)] = rule
        return list(found.values())


def evaluations(
    deps: Dependencies,
    *,
    provider: str | None = None,
    learners: Sequence[str] | None = None,
    batch: int = BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[LearnerEvaluation]:
    """Each learner holding a component of some rule (of ``provider``'s rules and learners, when given; or
    just ``learners``), with their progress on the rules they started, read ``batch`` learners at a time."""
    with deps.uow() as work:
        rules = work.stacking.rules_of(provider) if provider is not None else work.stacking.all_rules()
        if learners is None:
            learners = work.stacking.learners_holding_components(provider)
    index, today, total = _RuleIndex(rules), deps.clock().date(), len(learners)
    for start in range(0, total, batch):
        chunk = learners[start : start + batch]
        with deps.uow() as work:
            credentials = [c for c in work.wallet.credentials_of_learners(chunk) if index.names(c)]
        mine: dict[str, list[HeldCredential]] = {}
        for credential, one in zip(credentials, held_credentials(deps, credentials), strict=True):
            mine.setdefault(credential.learner, []).append(one)
        for learner in chunk:
            held = mine.get(learner, [])
            yield LearnerEvaluation(learner, _started(index.rules_for(held), held, today))
        if progress is not None:
            progress(min(start + batch, total), total)


def evaluate_all(
    deps: Dependencies, *, provider: str | None = None, progress: Callable[[int, int], None] | None = None
) -> tuple[int, list[RuleTally]]:
    """How many learners were looked at, and per rule (by provider and code) how many started, meet it and
    are owed its stacked credential: the eligibility job's result, counts only (no learner is named)."""
    with deps.uow() as work:
        rules = work.stacking.rules_of(provider) if provider is not None else work.stacking.all_rules()
    tallies = {(rule.provider, rule.code): RuleTally(rule.provider, rule.code) for rule in rules}
    ids = {(rule.provider, rule.code): rule.id for rule in rules}
    looked, pending = 0, []
    for found in evaluations(deps, provider=provider, progress=progress):
        looked += 1
        pending.append(found)
        if len(pending) >= BATCH:
            _tally(deps, pending, tallies, ids)
            pending = []
    _tally(deps, pending, tallies, ids)
    return looked, list(tallies.values())


def _tally(
    deps: Dependencies,
    found: Sequence[LearnerEvaluation],
    tallies: dict[tuple[str, str], RuleTally],
    ids: dict[tuple[str, str], int | None],
) -> None:
    met = [(one.learner, p.rule) for one in found for p in one.progress if p.met]
    with deps.uow() as work:
        issued = work.stacking.issued_to(sorted({learner for learner, _ in met}))
    for learner, rule in met:
        tallies[(rule.provider, rule.code)].met += 1
        tallies[(rule.provider, rule.code)].to_issue += (ids[(rule.provider, rule.code)], learner) not in issued
    for one in found:
        for progress in one.progress:
            tallies[(progress.rule.provider, progress.rule.code)].started += 1
