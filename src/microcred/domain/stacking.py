"""Stack rules: how micro-credentials add up to a larger credential, and how far a learner has come.

A rule belongs to the *awarding* provider. It names its components (offerings, of this provider or of
others) and one of three kinds: all of them, ``n`` of them, or at least ``X`` ECTS from them; constraints
narrow what counts (a minimum EQF level, a maximum age of the component credential, whether components
of other providers count at all). Evaluating a rule is a pure function of the learner's held credentials,
each already verified by the caller: a credential that did not verify never counts.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from microcred.domain.offering import CODE_PATTERN
from microcred.domain.provider import SLUG_PATTERN
from microcred.domain.values import MAX_ECTS, LangText
from microcred.errors import FieldProblem, Invalid

__all__ = [
    "MAX_COMPONENTS",
    "CompiledRule",
    "ComponentOffering",
    "ComponentState",
    "Exclusion",
    "HeldCredential",
    "Holding",
    "RuleKind",
    "StackComponent",
    "StackProgress",
    "StackRule",
    "VerdictState",
    "by_offering",
    "evaluate",
    "months_before",
]

MAX_COMPONENTS = 50
_ZERO = Decimal(0)
_ISSUED_ON = operator.attrgetter("issued_on")
_CODE = re.compile(CODE_PATTERN)
_SLUG = re.compile(SLUG_PATTERN)


class RuleKind(StrEnum):
    ALL = "all"  # every component
    N_OF = "n-of"  # at least ``required_count`` components
    ECTS = "ects"  # components worth at least ``min_ects`` together


class Exclusion(StrEnum):
    """Why a credential the learner holds for a component does not count (worded as ``stack.exclusion.…``)."""

    NOT_VERIFIED = "not-verified"
    TOO_OLD = "too-old"
    LEVEL_TOO_LOW = "level-too-low"
    OTHER_PROVIDER = "other-provider"


@dataclass(frozen=True, slots=True)
class StackComponent:
    """One offering that counts towards a rule: ``provider/offering_code``."""

    provider: str
    offering_code: str

    @property
    def key(self) -> str:
        return f"{self.provider}/{self.offering_code}"


@dataclass(slots=True)
class StackRule:
    """A larger credential and the micro-credentials that earn it, owned by the awarding ``provider``."""

    provider: str
    code: str
    title: LangText = field(default_factory=LangText.of)
    kind: RuleKind = RuleKind.ALL
    components: list[StackComponent] = field(default_factory=list)
    required_count: int | None = None
    min_ects: Decimal | None = None
    min_eqf_level: int | None = None
    max_age_months: int | None = None
    other_providers: bool = False
    ects: Decimal | None = None
    eqf_level: int | None = None
    id: int | None = None

    def problems(self) -> list[FieldProblem]:
        """Every rule the record breaks, each naming its field."""
        found: list[FieldProblem] = []
        if not isinstance(self.code, str) or not _CODE.match(self.code):
            found.append(FieldProblem("code", "code-format", self.code))
        if not isinstance(self.title, LangText) or not self.title:
            found.append(FieldProblem("title", "title-required"))
        found += _component_problems(self.provider, self.components, other_providers=self.other_providers)
        found += self._kind_problems()
        for name in ("min_eqf_level", "eqf_level"):
            level = getattr(self, name)
            if level is not None and (isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 8):
                found.append(FieldProblem(name, "level-range", level))
        age = self.max_age_months
        if age is not None and (isinstance(age, bool) or not isinstance(age, int) or not 1 <= age <= 600):
            found.append(FieldProblem("max_age_months", "stack-age-range", age))
        if self.ects is not None and not _is_ects(self.ects, most=MAX_ECTS):
            found.append(FieldProblem("ects", "stack-ects-range", self.ects))
        return found

    def _kind_problems(self) -> list[FieldProblem]:
        count, total = self.required_count, len(self.components)
        if self.kind is RuleKind.N_OF:
            if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= max(total, 1):
                return [FieldProblem("required_count", "stack-count-range", count, params={"most": total})]
        elif count is not None:
            return [FieldProblem("required_count", "stack-only-for-kind", count, params={"kind": "n-of"})]
        if self.kind is RuleKind.ECTS:
            if self.min_ects is None or not _is_ects(self.min_ects, most=MAX_ECTS):
                return [FieldProblem("min_ects", "stack-ects-range", self.min_ects)]
        elif self.min_ects is not None:
            return [FieldProblem("min_ects", "stack-only-for-kind", self.min_ects, params={"kind": "ects"})]
        return []

    def validate(self) -> None:
        found = self.problems()
        if found:
            raise Invalid("invalid-input", problems=found)

    def met_by(self, counted: Sequence[HeldCredential]) -> bool:
        """Whether these counting credentials (at most one per component) meet the rule: the one definition
        of "met", read by a learner's progress and by the evaluation job's counts alike."""
        if self.kind is RuleKind.ALL:
            return len(counted) == len(self.components)
        if self.kind is RuleKind.N_OF:
            return len(counted) >= (self.required_count or len(self.components))
        return self.min_ects is not None and sum((c.ects or _ZERO for c in counted), _ZERO) >= self.min_ects


def _is_ects(value: object, *, most: Decimal) -> bool:
    return isinstance(value, Decimal) and value.is_finite() and Decimal(0) < value <= most


def _component_problems(
    provider: str, components: Sequence[StackComponent], *, other_providers: bool
) -> list[FieldProblem]:
    if not components:
        return [FieldProblem("components", "stack-components-required")]
    if len(components) > MAX_COMPONENTS:
        return [
            FieldProblem("components", "stack-too-many-components", len(components), params={"most": MAX_COMPONENTS})
        ]
    found: list[FieldProblem] = []
    seen: set[str] = set()
    for index, component in enumerate(components):
        where = f"components[{index}]"
        if not _SLUG.match(component.provider):
            found.append(FieldProblem(f"{where}.provider", "slug-format", component.provider))
        if not _CODE.match(component.offering_code):
            found.append(FieldProblem(f"{where}.offering_code", "code-format", component.offering_code))
        if component.key in seen:
            found.append(FieldProblem(where, "stack-component-twice", component.key))
        seen.add(component.key)
        if component.provider != provider and not other_providers:
            found.append(FieldProblem(f"{where}.provider", "stack-other-provider", component.provider))
    return found


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (31 March - 1 month = 28/29 February)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, candidate)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - day 28 exists in every month


@dataclass(frozen=True, slots=True)
class ComponentOffering:
    """What rules read of a component's offering: its title (shown), ECTS and EQF level (evaluated)."""

    title: LangText
    ects: Decimal | None
    eqf_level: int | None


@dataclass(frozen=True, slots=True)
class VerdictState:
    """A credential's token of what its verdict as a component depends on besides its own document (its
    state, its provider's status lists, keys and trust), and the verdict the register keeps under exactly
    that token: None when none is kept or the token moved since, so it must be verified again."""

    token: str
    kept: bool | None


@dataclass(frozen=True, slots=True)
class Holding:
    """A learner's credential as the evaluation job reads it: what rules look at, without its document,
    and its verdict's state (``StackingRepository.verdict_states``)."""

    uuid: str
    learner: str  # pseudonym
    provider: str
    offering_code: str
    issued_on: date
    ects: Decimal | None
    eqf_level: int | None
    verdict: VerdictState


@dataclass(frozen=True, slots=True)
class HeldCredential:
    """A credential of the learner for one offering, as the caller verified it (signature, status, trust)."""

    credential_id: str
    url: str
    digest: str | None  # SRI form: sha256-<base64>; None when its document was not read (the job's counts)
    provider: str
    offering_code: str
    issued_on: date
    ects: Decimal | None
    eqf_level: int | None
    verified: bool

    @property
    def key(self) -> str:
        return f"{self.provider}/{self.offering_code}"


@dataclass(frozen=True, slots=True)
class ComponentState:
    component: StackComponent
    counted: HeldCredential | None = None
    excluded: HeldCredential | None = None
    exclusion: Exclusion | None = None


@dataclass(frozen=True, slots=True)
class StackProgress:
    """Where a learner stands on one rule: what counts, what does not and why, and whether it is met."""

    rule: StackRule
    components: tuple[ComponentState, ...]

    @property
    def done(self) -> list[ComponentState]:
        return [state for state in self.components if state.counted is not None]

    @property
    def missing(self) -> list[ComponentState]:
        return [state for state in self.components if state.counted is None]

    @property
    def ects_done(self) -> Decimal:
        return sum((s.counted.ects or Decimal(0) for s in self.done if s.counted is not None), Decimal(0))

    @property
    def started(self) -> bool:
        return any(s.counted is not None or s.excluded is not None for s in self.components)

    @property
    def met(self) -> bool:
        return self.rule.met_by([s.counted for s in self.components if s.counted is not None])

    @property
    def still_needed(self) -> Decimal:
        """Components (all, n-of) or ECTS (ects) still to earn; 0 when met."""
        rule = self.rule
        if rule.kind is RuleKind.ALL:
            return Decimal(len(self.missing))
        if rule.kind is RuleKind.N_OF:
            return Decimal(max(0, (rule.required_count or 0) - len(self.done)))
        return max(Decimal(0), (rule.min_ects or Decimal(0)) - self.ects_done)


def _exclusion(rule: StackRule, held: HeldCredential, oldest: date | None) -> Exclusion | None:
    if not held.verified:
        return Exclusion.NOT_VERIFIED
    if held.provider != rule.provider and not rule.other_providers:
        return Exclusion.OTHER_PROVIDER
    if rule.min_eqf_level is not None and (held.eqf_level is None or held.eqf_level < rule.min_eqf_level):
        return Exclusion.LEVEL_TOO_LOW
    if oldest is not None and held.issued_on < oldest:
        return Exclusion.TOO_OLD
    return None


def by_offering(held: Sequence[HeldCredential]) -> dict[str, list[HeldCredential]]:
    """The learner's credentials by offering key, newest first: what :class:`CompiledRule` reads."""
    found: dict[str, list[HeldCredential]] = {}
    for credential in sorted(held, key=_ISSUED_ON, reverse=True):
        found.setdefault(credential.key, []).append(credential)
    return found


@functools.lru_cache(maxsize=8192)
def _nothing_held(component: StackComponent) -> ComponentState:
    """The state of a component the learner holds nothing for: immutable, so one instance serves every
    evaluation (most components of most rules on a wallet page are such)."""
    return ComponentState(component)


class CompiledRule:
    """A rule made ready to evaluate many learners on one day: its component keys and its oldest issue date
    that still counts, worked out once.

    It is the one place that decides which held credential counts for a component (:meth:`choose`): a
    learner's progress (:meth:`progress`, what a wallet page and the API show) and the evaluation job's
    counts (:meth:`standing`, which builds no progress) both go through it, and "met" is
    :meth:`StackRule.met_by` for both, so the two cannot drift apart (tests/domain/test_stacking_compiled.py
    compares them over generated rules and credentials)."""

    __slots__ = ("_parts", "fewest", "oldest", "rule")

    def __init__(self, rule: StackRule, on: date) -> None:
        self.rule = rule
        self.oldest = None if rule.max_age_months is None else months_before(on, rule.max_age_months)
        self._parts = tuple((c, c.key) for c in rule.components)
        self.fewest = _fewest_components(rule)
        """The fewest components a learner must hold something for to meet the rule: ``met_by`` needs every
        component (all), ``required_count`` of them (n-of), or at least one counted credential (ects: the
        minimum is above zero). Fewer held, and the rule is not met, whatever the credentials."""

    def may_be_met(self, components_held: int, most_ects: Decimal) -> bool:
        """False when the learner certainly does not meet the rule: they hold credentials for fewer than
        :attr:`fewest` of its components, or (an ects rule) ``most_ects`` -- the sum over the components
        they hold of their largest credential's ECTS -- is below its minimum. ``met_by`` counts at most one
        credential per component, so it can never reach more (the evaluation job asks :meth:`standing` only
        where this is True)."""
        if components_held < self.fewest:
            return False
        minimum = self.rule.min_ects
        return self.rule.kind is not RuleKind.ECTS or minimum is None or most_ects >= minimum

    def choose(
        self, candidates: Sequence[HeldCredential]
    ) -> tuple[HeldCredential | None, HeldCredential | None, Exclusion | None]:
        """Of one component's held credentials (newest first): the newest that counts, else the newest held
        one with the reason it does not -- as ``(counted, excluded, exclusion)``."""
        excluded, why = None, None
        for candidate in candidates:
            exclusion = _exclusion(self.rule, candidate, self.oldest)
            if exclusion is None:
                return candidate, None, None
            if excluded is None:
                excluded, why = candidate, exclusion
        return None, excluded, why

    def progress(self, by_key: Mapping[str, Sequence[HeldCredential]]) -> StackProgress:
        """The learner's progress, ``by_key`` being their credentials grouped by :func:`by_offering`."""
        states: list[ComponentState] = []
        for component, key in self._parts:
            candidates = by_key.get(key)
            if candidates is None:
                states.append(_nothing_held(component))
                continue
            counted, excluded, exclusion = self.choose(candidates)
            states.append(ComponentState(component, counted, excluded, exclusion))
        return StackProgress(self.rule, tuple(states))

    def standing(self, by_key: Mapping[str, Sequence[HeldCredential]]) -> tuple[bool, bool]:
        """Whether the learner started the rule and whether they meet it: ``progress(by_key)``'s ``started``
        and ``met``, by the same :meth:`choose` and ``met_by``, without building the progress (the
        evaluation job asks this for millions of learner-rule pairs and needs nothing else)."""
        started, counted = False, []
        for _, key in self._parts:
            candidates = by_key.get(key)
            if candidates is None:
                continue
            found, excluded, _ = self.choose(candidates)
            if found is not None:
                counted.append(found)
            started = started or found is not None or excluded is not None
        return started, self.rule.met_by(counted)


def _fewest_components(rule: StackRule) -> int:
    if rule.kind is RuleKind.ALL:
        return len(rule.components)
    if rule.kind is RuleKind.N_OF:
        return rule.required_count or len(rule.components)
    return 1


def evaluate(rule: StackRule, held: Sequence[HeldCredential], on: date) -> StackProgress:
    """The learner's progress on ``rule`` on day ``on``: per component the newest credential that counts,
    else the newest held one with the reason it does not."""
    return CompiledRule(rule, on).progress(by_offering(held))
