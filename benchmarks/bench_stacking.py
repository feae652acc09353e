"""Rule evaluation (``domain.stacking.evaluate``): one learner with 50 credentials against 200 rules, and
100,000 learners against one rule, in process. Verifying each credential (RDFC canonicalisation and a
signature, ``services/stacking.held_credentials``) is *not* included: it is done once per credential and
dominates the wallet page; see docs/stacking.md. Writes benchmarks/results/stacking.json.
"""

from __future__ import annotations

import json
import platform
import random
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from microcred.domain import LangText
from microcred.domain.stacking import HeldCredential, RuleKind, StackComponent, StackRule, evaluate

RESULTS = Path(__file__).resolve().parent / "results" / "stacking.json"
TODAY = date(2026, 6, 30)
OFFERINGS = [StackComponent(f"p{n % 20}", f"MC-{n}") for n in range(400)]


def _rules(count: int, rng: random.Random) -> list[StackRule]:
    rules = []
    for n in range(count):
        parts = rng.sample(OFFERINGS, 5)
        kind = (RuleKind.ALL, RuleKind.N_OF, RuleKind.ECTS)[n % 3]
        rules.append(
            StackRule(
                provider=parts[0].provider, code=f"R-{n}", title=LangText.of(en=f"Rule {n}"), kind=kind,
                components=parts, required_count=3 if kind is RuleKind.N_OF else None,
                min_ects=Decimal(12) if kind is RuleKind.ECTS else None, other_providers=True,
                min_eqf_level=5, max_age_months=60,
            )
        )  # fmt: skip
    return rules


def _held(
    count: int, rng: random.Random, learner: int = 0, among: list[StackComponent] = OFFERINGS
) -> list[HeldCredential]:
    return [
        HeldCredential(
            credential_id=f"urn:uuid:{learner}-{n}", url="", digest="", provider=part.provider,
            offering_code=part.offering_code, issued_on=TODAY - timedelta(days=rng.randrange(2000)),
            ects=Decimal(4), eqf_level=rng.choice((5, 6)), verified=rng.random() > 0.05,
        )
        for n, part in enumerate(rng.sample(among, count))
    ]  # fmt: skip


def main() -> None:
    rng = random.Random(19)
    rules, held = _rules(200, rng), _held(50, rng)
    rounds = 50
    started = time.perf_counter()
    for _ in range(rounds):
        for rule in rules:
            evaluate(rule, held, TODAY)
    wallet_ms = (time.perf_counter() - started) * 1000 / rounds
    rule = rules[0]
    learners = [_held(rng.randrange(6), rng, learner, rule.components) for learner in range(100_000)]
    started = time.perf_counter()
    met = sum(evaluate(rule, mine, TODAY).met for mine in learners)
    per_second = len(learners) / (time.perf_counter() - started)
    result = {
        "python": platform.python_version(),
        "one_learner_50_credentials_200_rules_ms": round(wallet_ms, 2),
        "learners_per_second_one_rule": round(per_second),
        "learners_meeting_the_rule": met,
        "excludes": "verifying each credential (done once per credential, before evaluation)",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
