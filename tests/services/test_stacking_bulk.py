"""Evaluating every rule for every learner in batches (services/stacking_bulk.py) gives exactly what the
per-learner reference path gives, on a generated register: learners at three providers with random
credentials, some revoked, one provider untrusted, rules of every kind and constraint."""

from __future__ import annotations

import random
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import delete, func, select

from microcred.domain import Learner, LearnerScheme, pseudonymise
from microcred.services import issuance
from microcred.services.dependencies import Dependencies
from microcred.services.jobs import submit_stack_evaluation
from microcred.services.stacking_bulk import evaluate_all, evaluations, learner_evaluation
from microcred.services.verdicts import VERIFICATIONS
from microcred.services.worker import JobWorker
from microcred.settings import Settings
from microcred.storage.stacking_tables import credential_verdicts
from tests.databases import TEST_PEPPER
from tests.services.stacking_setup import OFFERINGS, Stacked, _passed, rule, seed

if TYPE_CHECKING:
    from microcred.bootstrap import Register

# Each test builds a generated register of learners and rules and runs both paths over it (a second or more):
# `make test` runs them, the inner loop (`make test-fast`) does not.
pytestmark = pytest.mark.slow

LEARNERS = 30


def _generated(settings: Settings) -> Stacked:
    stacked = seed(settings)
    register, rng = stacked.register, random.Random(19)
    offerings = [(slug, code) for slug, found in OFFERINGS.items() for code, _, _ in found]
    given: list[tuple[str, str]] = []
    with register.uow() as work:
        for n in range(LEARNERS):
            shared = f"VL-{n:06d}"  # the register scheme: one pseudonym at every provider
            learner = pseudonymise(shared, provider="hoge", pepper=TEST_PEPPER, scheme=LearnerScheme.REGISTER)
            for slug, code in rng.sample(offerings, rng.randrange(len(offerings) + 1)):
                work.learners.save(Learner(learner, email=f"l{n}@example.be"), provider=slug)
                reference = f"{code}-gen-{n}"
                work.enrolments.save(_passed(slug, reference, f"{code}-2024", learner))
                given.append((slug, reference))
        work.commit()
    for slug, reference in given:
        credential = issuance.issue_for_enrolment(
            slug, reference, uow=register.uow, keys=register.key_store, settings=settings, clock=stacked.clock
        )
        stacked.credentials[reference] = credential
    for reference in rng.sample(sorted(stacked.credentials), 6):
        stacked.credentials[reference] = stacked.revoke(reference)
    both = [{"provider": "hoge", "offering_code": c} for c in ("A", "B")]
    others = [*both, {"provider": "andere", "offering_code": "C"}, {"provider": "wild", "offering_code": "W"}]
    put = register.stacking.put_rule
    put("hoge", rule())
    put("hoge", rule("TWO", kind="n-of", required_count=2, components=others, other_providers=True))
    put("hoge", rule("LEVEL", kind="all", components=others, other_providers=True, min_eqf_level=6))
    put("hoge", rule("OWN", kind="n-of", required_count=1, components=others, other_providers=True))
    put("andere", rule("ECTS", kind="ects", min_ects="8", components=others, other_providers=True))
    put("andere", rule("YOUNG", kind="n-of", required_count=1, components=others, other_providers=True,
                       max_age_months=2))  # fmt: skip
    stacked.clock.now = datetime(2025, 9, 15, 12, 0, tzinfo=UTC)  # YOUNG's components are too old by then
    return stacked


@pytest.fixture
def generated(settings: Settings) -> Stacked:
    return _generated(settings)


@pytest.mark.parametrize("provider", [None, "hoge"])
@pytest.mark.parametrize("batch", [1, 7, 500])
def test_the_batched_path_gives_every_learner_what_the_reference_path_gives(
    generated: Stacked, provider: str | None, batch: int
) -> None:
    deps = generated.register.dependencies
    fast = list(evaluations(deps, provider=provider, batch=batch))
    assert len(fast) > LEARNERS // 2
    reference = [learner_evaluation(deps, one.learner, provider=provider) for one in fast]
    assert fast == reference
    assert all(p.started for one in fast for p in one.progress)  # only rules naming a held offering
    outcomes = Counter((p.rule.code, p.met) for one in fast for p in one.progress)
    assert any(met for _, met in outcomes), outcomes
    assert any(not met for _, met in outcomes), outcomes
    exclusions = {s.exclusion for one in fast for p in one.progress for s in p.components}
    assert exclusions > {None}, "the register has no excluded credential: the comparison proves little"


def _forget_verdicts(register: Register) -> None:
    with register.engine.begin() as connection:
        connection.execute(delete(credential_verdicts))


def _kept_verdicts(register: Register) -> int:
    with register.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(credential_verdicts)).scalar_one())


def test_the_batched_path_verifies_what_it_counts(generated: Stacked) -> None:
    deps = generated.register.dependencies
    _forget_verdicts(generated.register)
    before = VERIFICATIONS.value
    found = list(evaluations(deps))
    assert VERIFICATIONS.value - before >= len(found)  # nothing counted on a verdict it did not reach
    revoked = {c.uuid for c in generated.credentials.values() if c.state.value != "active"}
    counted = {s.counted.credential_id for one in found for p in one.progress for s in p.components if s.counted}
    assert revoked
    assert not revoked & counted


def test_the_tallies_count_the_reference_outcomes_and_leave_out_who_holds_the_stacked_credential(
    generated: Stacked,
) -> None:
    deps, register = generated.register.dependencies, generated.register
    learners = [one.learner for one in evaluations(deps)]
    started, met = Counter[str](), Counter[str]()
    for learner in learners:
        for progress in learner_evaluation(deps, learner).progress:
            started[progress.rule.code] += 1
            met[progress.rule.code] += progress.met
    looked, tallies = evaluate_all(deps)
    assert looked == len(learners)
    by_code = {t.code: t for t in tallies}
    assert {code: t.started for code, t in by_code.items() if t.started} == dict(started)
    assert {code: t.met for code, t in by_code.items() if t.met} == {c: n for c, n in met.items() if n}
    assert all(t.to_issue == t.met for t in tallies)
    issued = register.stacking.issue_all("hoge", "OWN")
    assert issued
    _, again = evaluate_all(deps)
    own = next(t for t in again if t.code == "OWN")
    assert own.met == by_code["OWN"].met
    assert own.to_issue == own.met - len(issued)


def test_the_evaluation_job_stores_the_tallies_as_counts_only(generated: Stacked) -> None:
    register = generated.register
    job = submit_stack_evaluation("hoge", uow=register.uow, clock=register.clock)  # no in-process worker woken
    assert JobWorker(register.dependencies).run_once()
    done = register.jobs.get_job(job.id, owner="hoge")
    looked, tallies = evaluate_all(register.dependencies, provider="hoge")
    assert done.state == "succeeded", done.error
    assert done.result == {"learners": looked, "rules": [tally.as_dict() for tally in tallies]}
    assert [rule["rule"] for rule in done.result["rules"]] == ["hoge/LEVEL", "hoge/OWN", "hoge/PG", "hoge/TWO"]
    assert not {one.learner for one in evaluations(register.dependencies)} & set(str(done.result).split("'"))


def _reference_tallies(deps: Dependencies) -> dict[str, tuple[int, int]]:
    started, met = Counter[str](), Counter[str]()
    for one in evaluations(deps):
        for progress in learner_evaluation(deps, one.learner).progress:
            started[progress.rule.code] += 1
            met[progress.rule.code] += progress.met
    return {code: (started[code], met[code]) for code in started}


def test_the_counts_read_no_document_yet_verify_what_moved(generated: Stacked) -> None:
    """The job's counts read credentials without their documents and reuse kept verdicts; a credential never
    verified, or whose token moved (a revocation), is read whole and verified first."""
    deps = generated.register.dependencies
    _forget_verdicts(generated.register)
    before = VERIFICATIONS.value
    _, cold = evaluate_all(deps)
    assert VERIFICATIONS.value > before  # nothing was kept: each credential was verified
    assert _kept_verdicts(generated.register) == VERIFICATIONS.value - before  # and its verdict kept
    assert {t.code: (t.started, t.met) for t in cold if t.started} == _reference_tallies(deps)
    verified = VERIFICATIONS.value
    _, warm = evaluate_all(deps)
    assert VERIFICATIONS.value == verified  # every verdict kept
    assert warm == cold
    active = [r for r, c in generated.credentials.items() if c.state.value == "active" and r.startswith("A-gen-")]
    assert active
    for reference in active:  # every learner's credential for hoge/A: a count must change
        generated.credentials[reference] = generated.revoke(reference)
    _, after = evaluate_all(deps)
    assert VERIFICATIONS.value > verified  # the revoked credentials (and their provider's others) verified again
    assert {t.code: (t.started, t.met) for t in after if t.started} == _reference_tallies(deps)
    assert after != cold, "revoking a counted component changed no count: the test proves little"


_ANOTHER_PROCESS = """
import sys
from pathlib import Path
from microcred.bootstrap import build
from microcred.services.stacking_bulk import evaluate_all
from microcred.services.verdicts import VERIFICATIONS
from tests.databases import settings_for
register = build(settings_for(sys.argv[1], Path(sys.argv[2])))
looked, _ = evaluate_all(register.dependencies)
register.close()
print(looked, VERIFICATIONS.value)
"""


def test_kept_verdicts_outlive_the_process_that_made_them(generated: Stacked, settings: Settings) -> None:
    """Verdicts are kept in the register: another process (a web worker beside the job, the job's next run)
    verifies nothing again; a per-process cache made every run past its 200,000 verdicts verify them all."""
    _forget_verdicts(generated.register)
    looked, _ = evaluate_all(generated.register.dependencies)
    run = subprocess.run(
        [sys.executable, "-c", _ANOTHER_PROCESS, settings.database_url, str(settings.outbox_dir)],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert run.stdout.split() == [str(looked), "0"], run.stderr[-2000:]
    assert looked
