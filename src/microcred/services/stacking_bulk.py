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

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from microcred.domain.stacking import CompiledRule, HeldCredential, RuleKind, StackProgress, StackRule, by_offering
from microcred.services.dependencies import Dependencies
from microcred.services.stacking_progress import held_credentials, held_of_holdings

__all__ = ["BATCH", "LearnerEvaluation", "RuleTally", "evaluate_all", "evaluations", "learner_evaluation"]

_ZERO = Decimal(0)
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
    (a rule looks only at its own components, so ``held`` need not be narrowed to them)."""
    grouped = by_offering(held)
    ordered = sorted(rules, key=lambda r: (r.provider, r.code))
    return tuple(CompiledRule(rule, today).progress(grouped) for rule in ordered)


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
    """The rules compiled for the day, by component key, so a learner is checked only against rules naming
    what they hold (in the order of provider and code, as the reference path gives them)."""

    def __init__(self, rules: Sequence[StackRule], today: date) -> None:
        ordered = sorted(rules, key=lambda r: (r.provider, r.code))
        self.compiled = [CompiledRule(rule, today) for rule in ordered]
        self._positions: dict[str, list[int]] = {}  # component key -> positions in ``compiled`` naming it
        self._ects_positions: dict[str, list[int]] = {}  # the same, of the ECTS rules only
        for position, compiled in enumerate(self.compiled):
            for component in compiled.rule.components:
                self._positions.setdefault(component.key, []).append(position)
                if compiled.rule.kind is RuleKind.ECTS:
                    self._ects_positions.setdefault(component.key, []).append(position)

    def names(self, provider: str, offering_code: str) -> bool:
        return f"{provider}/{offering_code}" in self._positions

    def held_per_rule(self, by_key: Mapping[str, Sequence[HeldCredential]]) -> tuple[Counter[int], dict[int, Decimal]]:
        """Per rule naming one of ``by_key`` (by the position of its :class:`CompiledRule`): how many of its
        components the learner holds a credential for; and per ECTS rule among them the sum over those
        components of their largest ECTS (what ``CompiledRule.may_be_met`` reads)."""
        held: Counter[int] = Counter()
        ects: dict[int, Decimal] = {}
        for key, candidates in by_key.items():
            positions = self._positions.get(key)
            if positions is None:
                continue
            held.update(positions)
            ects_positions = self._ects_positions.get(key)
            if ects_positions:
                most = max(c.ects or _ZERO for c in candidates)
                for position in ects_positions:
                    ects[position] = ects.get(position, _ZERO) + most
        return held, ects

    def rules_for(self, by_key: Mapping[str, object]) -> list[CompiledRule]:
        found = {position for key in by_key for position in self._positions.get(key, ())}
        return [self.compiled[position] for position in sorted(found)]


def _rules(deps: Dependencies, provider: str | None) -> list[StackRule]:
    with deps.uow() as work:
        return work.stacking.rules_of(provider) if provider is not None else work.stacking.all_rules()


def _batches(
    deps: Dependencies,
    index: _RuleIndex,
    *,
    provider: str | None,
    learners: Sequence[str] | None,
    batch: int,
    progress: Callable[[int, int], None] | None,
    whole: bool = True,
) -> Iterator[list[tuple[str, dict[str, list[HeldCredential]]]]]:
    """Per ``batch`` learners (those holding a component of some rule, when not given), each learner with
    their verified credentials for a component of some rule, grouped by :func:`by_offering`. ``whole``
    reads every credential whole, as a wallet page does; otherwise (the job's counts) without documents
    and digests, a document read only to verify a credential whose verdict is not kept."""
    if learners is None:
        with deps.uow() as work:
            learners = work.stacking.learners_holding_components(provider)
    total = len(learners)
    for start in range(0, total, batch):
        chunk = learners[start : start + batch]
        mine: dict[str, list[HeldCredential]] = {}
        if whole:
            with deps.uow() as work:
                credentials = [
                    c for c in work.wallet.credentials_of_learners(chunk) if index.names(c.provider, c.offering_code)
                ]
            owners = [c.learner for c in credentials]
            held = held_credentials(deps, credentials)
        else:
            with deps.uow() as work:
                holdings = [h for h in work.stacking.holdings(chunk) if index.names(h.provider, h.offering_code)]
            owners = [h.learner for h in holdings]
            held = held_of_holdings(deps, holdings)
        for learner, one in zip(owners, held, strict=True):
            mine.setdefault(learner, []).append(one)
        yield [(learner, by_offering(mine.get(learner, ()))) for learner in chunk]
        if progress is not None:
            progress(min(start + batch, total), total)


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
    index = _RuleIndex(_rules(deps, provider), deps.clock().date())
    for found in _batches(deps, index, provider=provider, learners=learners, batch=batch, progress=progress):
        for learner, grouped in found:
            yield LearnerEvaluation(learner, tuple(rule.progress(grouped) for rule in index.rules_for(grouped)))


def evaluate_all(
    deps: Dependencies, *, provider: str | None = None, progress: Callable[[int, int], None] | None = None
) -> tuple[int, list[RuleTally]]:
    """How many learners were looked at, and per rule (by provider and code) how many started, meet it and
    are owed its stacked credential: the eligibility job's result, counts only (no learner is named).

    Whether a learner meets a rule is decided by ``CompiledRule.standing`` -- the same choice of what counts
    and the same "met" as the progress :func:`evaluations` gives, without building it (profiled, building
    every pair's progress was two thirds of the job). Every rule naming an offering the learner holds is started
    (a held credential for a component counts or is excluded with a reason); ``standing`` decides "met" only
    where the learner holds enough components (and ECTS) for it to be possible (``CompiledRule.may_be_met``),
    which leaves out most pairs (profiled: ``standing`` on every pair was half of the job, verdicts kept)."""
    rules = _rules(deps, provider)
    index = _RuleIndex(rules, deps.clock().date())
    tallies = {id(rule): RuleTally(rule.provider, rule.code) for rule in rules}
    by_position = [tallies[id(compiled.rule)] for compiled in index.compiled]
    started: Counter[int] = Counter()
    looked = 0
    for found in _batches(deps, index, provider=provider, learners=None, batch=BATCH, progress=progress, whole=False):
        looked += len(found)
        met: list[tuple[str, int]] = []
        for learner, grouped in found:
            held, ects = index.held_per_rule(grouped)
            started.update(held.keys())
            for position, count in held.items():
                compiled = index.compiled[position]
                if count < compiled.fewest:  # most pairs: tested here, before a call
                    continue
                if compiled.may_be_met(count, ects.get(position, _ZERO)) and compiled.standing(grouped)[1]:
                    met.append((learner, position))
        with deps.uow() as work:
            issued = work.stacking.issued_to(sorted({learner for learner, _ in met}))
        for learner, position in met:
            by_position[position].met += 1
            by_position[position].to_issue += (index.compiled[position].rule.id, learner) not in issued
    for position, tally in enumerate(by_position):
        tally.started = started[position]
    return looked, list(tallies.values())
