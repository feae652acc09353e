"""The evaluation job's counts (``CompiledRule.standing``) say exactly what a learner's progress says
(``CompiledRule.progress``: ``started`` and ``met``), for rules of every kind and constraint over generated
credentials: held for some components or none, several for one component, verified or not, of the awarding
provider or another, of every EQF level, young and old. Decision 0042: one rule, one decider."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from microcred.domain import LangText
from microcred.domain.stacking import (
    CompiledRule,
    Exclusion,
    HeldCredential,
    RuleKind,
    StackComponent,
    StackRule,
    by_offering,
    evaluate,
)

TODAY = date(2026, 3, 31)  # the end of a long month: the age limit lands on 28/29 February or the 30th
OFFERINGS = [StackComponent(provider, f"MC-{n}") for provider in ("own", "other") for n in range(4)]


@st.composite
def rules(draw: st.DrawFn) -> StackRule:
    components = draw(st.lists(st.sampled_from(OFFERINGS), min_size=1, max_size=6, unique=True))
    kind = draw(st.sampled_from(list(RuleKind)))
    return StackRule(
        provider="own",
        code="R",
        title=LangText.of(en="Rule"),
        kind=kind,
        components=components,
        required_count=draw(st.integers(1, len(components))) if kind is RuleKind.N_OF else None,
        min_ects=Decimal(draw(st.integers(1, 20))) if kind is RuleKind.ECTS else None,
        min_eqf_level=draw(st.none() | st.integers(4, 7)),
        max_age_months=draw(st.none() | st.integers(1, 36)),
        other_providers=draw(st.booleans()),
    )


@st.composite
def held(draw: st.DrawFn) -> list[HeldCredential]:
    found = []
    for n, offering in enumerate(draw(st.lists(st.sampled_from(OFFERINGS), max_size=10))):  # repeats: several
        found.append(
            HeldCredential(
                credential_id=f"urn:uuid:{n}",
                url="",
                digest="",
                provider=offering.provider,
                offering_code=offering.offering_code,
                issued_on=TODAY - timedelta(days=draw(st.integers(0, 1500))),
                ects=draw(st.none() | st.sampled_from([Decimal(3), Decimal("4.5"), Decimal(6)])),
                eqf_level=draw(st.none() | st.integers(4, 8)),
                verified=draw(st.booleans()),
            )
        )
    return found


@settings(max_examples=400, deadline=None)
@given(rule=rules(), mine=held())
def test_the_counts_say_what_the_progress_says(rule: StackRule, mine: list[HeldCredential]) -> None:
    compiled, grouped = CompiledRule(rule, TODAY), by_offering(mine)
    progress = compiled.progress(grouped)
    assert compiled.standing(grouped) == (progress.started, progress.met)
    assert evaluate(rule, mine, TODAY) == progress
    held_components = sum(1 for component in rule.components if component.key in grouped)
    most_ects = sum(
        (max(c.ects or Decimal(0) for c in grouped[component.key]) for component in rule.components
         if component.key in grouped),
        Decimal(0),
    )  # fmt: skip
    if progress.met:  # the job decides "met" only where this says it may be
        assert compiled.may_be_met(held_components, most_ects)
    assert progress.started == (held_components > 0)  # the job counts every rule naming a held one started


def _credential(offering: StackComponent, **changes: object) -> HeldCredential:
    values: dict[str, object] = {
        "credential_id": f"urn:uuid:{offering.key}",
        "url": "",
        "digest": "",
        "provider": offering.provider,
        "offering_code": offering.offering_code,
        "issued_on": TODAY,
        "ects": Decimal(5),
        "eqf_level": 6,
        "verified": True,
    }
    values.update(changes)
    return HeldCredential(**values)  # type: ignore[arg-type]


def test_every_exclusion_is_seen_by_both_paths() -> None:
    """A hand-made case per constraint, so the property above is not satisfied by rules that exclude nothing."""
    own, other = OFFERINGS[0], OFFERINGS[4]
    rule = StackRule("own", "R", kind=RuleKind.N_OF, components=[own, other], required_count=1,
                     min_eqf_level=6, max_age_months=12)  # fmt: skip
    cases = {
        Exclusion.NOT_VERIFIED: _credential(own, verified=False),
        Exclusion.OTHER_PROVIDER: _credential(other),
        Exclusion.LEVEL_TOO_LOW: _credential(own, eqf_level=5),
        Exclusion.TOO_OLD: _credential(own, issued_on=date(2025, 3, 30)),
    }
    for exclusion, credential in cases.items():
        compiled = CompiledRule(rule, TODAY)
        progress = compiled.progress(by_offering([credential]))
        assert [s.exclusion for s in progress.components if s.excluded] == [exclusion]
        assert compiled.standing(by_offering([credential])) == (True, False)
    counted = _credential(own, issued_on=date(2025, 3, 31))  # exactly 12 months old: still counts
    assert CompiledRule(rule, TODAY).standing(by_offering([counted, _credential(other)])) == (True, True)
