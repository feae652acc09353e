"""Stacking speed (issue 19): the wallet page of a learner with 50 credentials and 200 rules, end to end
(``GET /wallet`` on the real app over a SQLite register: credentials, verdicts, every rule, the template),
with no verdict kept (every credential verified) and with the verdicts kept in the register
(``services/verdicts.py``); and rule evaluation alone (``domain.stacking.evaluate``): one learner with 50
credentials against 200 rules, and 100,000 learners against one rule; and the ``evaluate-stack-rules`` job
(every rule for every learner, through the worker) on a register of ``BENCH_JOB_LEARNERS`` generated
learners (5,000 by default; 0 skips it) plus the demo's, with and without kept verdicts, against the
per-learner reference path on a sample in the same run. The job's register is built in bulk (learners and
enrolments in a few statements, credentials signed by the register's own issuance) and kept under
benchmarks/.cache/ by size, so a second run starts at once; a small quick run: ``BENCH_JOB_LEARNERS=300``.
``BENCH_WALLET=0`` skips the page. Wall and CPU time are both recorded (the machine is shared: CPU time is
what the code costs), with the load average. Writes benchmarks/results/stacking.json.
"""

from __future__ import annotations

import json
import os
import platform
import random
import re
import statistics
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from microcred.domain import LangText
from microcred.domain.stacking import HeldCredential, RuleKind, StackComponent, StackRule, evaluate

RESULTS = Path(__file__).resolve().parent / "results" / "stacking.json"
CACHE_DIR = Path(__file__).resolve().parent / ".cache"  # generated job registers, by size (not committed)
CACHE_VERSION = "v1"  # bump when the generated register changes
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


def _forget_verdicts(register: Any) -> None:
    """Delete every verdict the register keeps, so the next look verifies every credential again."""
    from sqlalchemy import delete

    from microcred.storage.stacking_tables import credential_verdicts

    with register.engine.begin() as connection:
        connection.execute(delete(credential_verdicts))


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the form has no CSRF token"
    return found.group(1)


def _wallet_page(folder: Path) -> dict[str, Any]:
    """A learner (one INSZ, so one learner at every provider) with a passed enrolment and a credential in 50
    of the demo's offerings, 200 rules of 5 components over 100 offerings; the wallet opened by its e-mailed
    link, then ``GET /wallet`` timed."""
    from fastapi.testclient import TestClient

    from microcred.asgi import create_app
    from microcred.bootstrap import build
    from microcred.domain import Enrolment, Learner, OfferingStatus, Outcome, pseudonymise
    from microcred.services import catalogue, issuance
    from microcred.services.demo import load_demo
    from microcred.services.verdicts import VERIFICATIONS
    from microcred.settings import Settings
    from microcred.testing import mail_text

    pepper, insz, address = "benchmark-pepper-0123456789", "85073000160", "learner@example.be"
    settings = Settings(
        database_url=f"sqlite:///{folder / 'register.db'}", environment="test", pseudonym_pepper=pepper,
        log_level="WARNING", outbox_dir=folder / "outbox",
    )  # fmt: skip
    register = build(settings)
    try:
        register.migrate()
        load_demo(register.uow, pepper=pepper, scale="small")
        with register.uow() as work:
            offerings = [
                (o, work.editions.list_for_offering(o.provider, o.code))
                for o in catalogue.list_offerings(register.uow)
                if o.status is OfferingStatus.PUBLISHED and o.ects is not None
            ]
        offerings = [(o, e) for o, e in offerings if e][:100]
        held = offerings[:50]
        with register.uow() as work:
            for number, (offering, editions) in enumerate(held):
                learner = pseudonymise(insz, provider=offering.provider, pepper=pepper)
                work.learners.save(Learner(learner, email=address), provider=offering.provider)
                work.enrolments.save(
                    Enrolment(
                        offering.provider, f"BENCH-{number}", editions[0].code, learner,
                        enrolment_date=editions[0].start_date, outcome=Outcome.PASSED, grade="14",
                        outcome_date=editions[0].end_date,
                    )
                )  # fmt: skip
            work.commit()
        for number, (offering, _) in enumerate(held):
            issuance.issue_for_enrolment(
                offering.provider, f"BENCH-{number}", uow=register.uow, keys=register.key_store,
                settings=settings, clock=register.clock,
            )  # fmt: skip
        rng = random.Random(19)
        for n in range(200):
            parts = rng.sample([o for o, _ in offerings], 5)
            components = [{"provider": o.provider, "offering_code": o.code} for o in parts]
            register.stacking.put_rule(
                parts[0].provider,
                {"code": f"BENCH-{n}", "title": {"nl": f"Stapel {n}", "en": f"Stack {n}"}, "kind": "n-of",
                 "required_count": 3, "components": components, "other_providers": True},
            )  # fmt: skip
        with TestClient(create_app(register)) as client:
            client.post("/wallet/link", data={"csrf_token": _csrf(client.get("/wallet").text), "email": address})
            message = sorted((folder / "outbox").glob("*.eml"))[-1]
            access = re.search(r"/wallet/open\?access=([^\s]+)", mail_text(message.read_bytes()))
            assert access, "no access link in the e-mail"
            landing = client.get(f"/wallet/open?access={access.group(1)}")
            token = re.search(r'name="access" value="([^"]+)"', landing.text)
            assert token
            opened = client.post("/wallet/open", data={"csrf_token": _csrf(landing.text), "access": token.group(1)})
            assert opened.status_code == 200, opened.text[:300]

            def timed(*, keep: bool) -> float:
                if not keep:
                    _forget_verdicts(register)
                started, cpu = time.perf_counter(), time.process_time()
                page = client.get("/wallet")
                elapsed = (time.perf_counter() - started) * 1000
                cpu_ms.append((time.process_time() - cpu) * 1000)
                assert page.status_code == 200
                return elapsed

            cpu_ms: list[float] = []  # the app runs in the test client's thread, in this process
            uncached = [timed(keep=False) for _ in range(3)]
            timed(keep=True)  # the first view after a change verifies; what follows reuses the verdicts
            verified_before = VERIFICATIONS.value
            del cpu_ms[:]
            cached = [timed(keep=True) for _ in range(20)]
            assert VERIFICATIONS.value == verified_before, "a kept verdict was verified again"
    finally:
        register.close()
    return {
        "wallet_page_every_credential_verified_ms_median": round(statistics.median(uncached), 1),
        "wallet_page_verdicts_kept_ms_median": round(statistics.median(cached), 1),
        "wallet_page_verdicts_kept_ms_best": round(min(cached), 1),
        "wallet_page_verdicts_kept_ms_p95": round(statistics.quantiles(cached, n=20)[18], 1),
        "wallet_page_verdicts_kept_ms_worst": round(max(cached), 1),
        "wallet_page_verdicts_kept_cpu_ms_median": round(statistics.median(cpu_ms), 1),
    }


def _register(folder: Path, name: str, *, demo: bool = True) -> tuple[Any, Any]:
    """A migrated SQLite register with the small demo's catalogue (unless it is there already), and its
    settings."""
    from microcred.bootstrap import build
    from microcred.services.demo import load_demo
    from microcred.settings import Settings

    pepper = "benchmark-pepper-0123456789"
    settings = Settings(
        database_url=f"sqlite:///{folder / name}", environment="test", pseudonym_pepper=pepper,
        log_level="WARNING", outbox_dir=folder / "outbox", serve_jobs=False,  # the bench runs the worker itself
    )  # fmt: skip
    register = build(settings)
    register.migrate()
    if demo:
        load_demo(register.uow, pepper=pepper, scale="small")
    return register, settings


def _learners_with_credentials(register: Any, settings: Any, learners: int, rng: random.Random) -> list[Any]:
    """``learners`` learners (one register-scheme id each, so one pseudonym at every provider), each with a
    passed enrolment in 1 to 5 of up to 200 offerings, written straight in bulk (a few statements, not one
    repository call per row: that took minutes per thousand learners), then a signed credential for every
    one through the register's own issuance (``issue_for_edition``: the real documents, proofs and status
    list entries). The offerings used."""
    from sqlalchemy import insert, select

    from microcred.domain import Enrolment, LearnerScheme, OfferingStatus, Outcome, pseudonymise
    from microcred.services import catalogue, issuance
    from microcred.storage.mapping import enrolment_values
    from microcred.storage.tables import editions, enrolments, providers
    from microcred.storage.tables import learners as learner_rows

    with register.uow() as work:
        pool = [
            (o, editions_of[0])
            for o in catalogue.list_offerings(register.uow)
            if o.status is OfferingStatus.PUBLISHED and o.ects is not None
            for editions_of in [work.editions.list_for_offering(o.provider, o.code)]
            if editions_of
        ][:200]
    pepper = settings.pseudonym_pepper.get_secret_value()
    pseudonyms = [
        pseudonymise(f"VL-{n:07d}", provider="x", pepper=pepper, scheme=LearnerScheme.REGISTER) for n in range(learners)
    ]
    now = register.clock()
    with register.engine.begin() as connection:
        connection.execute(insert(learner_rows), [{"pseudonym": p} for p in pseudonyms])
        ids = dict(connection.execute(select(learner_rows.c.pseudonym, learner_rows.c.id)).all())
        edition_ids = {
            (slug, code): (edition_id, provider_id)
            for slug, code, edition_id, provider_id in connection.execute(
                select(providers.c.slug, editions.c.code, editions.c.id, providers.c.id).join(
                    providers, providers.c.id == editions.c.provider_id
                )
            )
        }
        rows = []
        for n, pseudonym in enumerate(pseudonyms):
            for number, (offering, edition) in enumerate(rng.sample(pool, rng.randrange(1, 6))):
                edition_id, provider_id = edition_ids[(offering.provider, edition.code)]
                enrolment = Enrolment(
                    offering.provider, f"B-{n}-{number}", edition.code, pseudonym, enrolment_date=edition.start_date,
                    outcome=Outcome.PASSED, grade="14", outcome_date=edition.end_date,
                    learner_scheme=LearnerScheme.REGISTER,
                )  # fmt: skip
                rows.append(
                    {"provider_id": provider_id, "edition_id": edition_id, "learner_id": ids[pseudonym],
                     "created_at": now, "updated_at": now, **enrolment_values(enrolment)}
                )  # fmt: skip
        for start in range(0, len(rows), 10_000):
            connection.execute(insert(enrolments), rows[start : start + 10_000])
    for offering, edition in pool:
        issuance.issue_for_edition(
            offering.provider, edition.code, uow=register.uow, keys=register.key_store, settings=settings,
            clock=register.clock, batch_size=5_000,
        )  # fmt: skip
    return [offering for offering, _ in pool]


def _job_register(folder: Path, learners: int) -> tuple[Any, Any, float]:
    """The job's register: the small demo, ``learners`` generated learners with their credentials, 200 rules
    of 5 components over the 80 most used offerings. Built once per size and kept under benchmarks/.cache
    (a copy is opened, so a run never changes the kept one); how long building took (0 when it was kept)."""
    import shutil

    cached = CACHE_DIR / f"stacking-job-{learners}-{CACHE_VERSION}.db"
    if not cached.exists():
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        register, settings = _register(CACHE_DIR, f"{cached.name}.part")
        try:
            rng = random.Random(21)
            offerings = _learners_with_credentials(register, settings, learners, rng)
            for n in range(200):
                parts = rng.sample(offerings, 5)
                kind = ("all", "n-of", "ects")[n % 3]
                register.stacking.put_rule(
                    parts[0].provider,
                    {"code": f"JOB-{n}", "title": {"en": f"Stack {n}"}, "kind": kind, "other_providers": True,
                     "components": [{"provider": o.provider, "offering_code": o.code} for o in parts],
                     **({"required_count": 3} if kind == "n-of" else {}),
                     **({"min_ects": 12} if kind == "ects" else {})},
                )  # fmt: skip
        finally:
            register.close()
        (CACHE_DIR / f"{cached.name}.part").rename(cached)
        built = time.perf_counter() - started
    else:
        built = 0.0
    shutil.copyfile(cached, folder / "job.db")
    register, settings = _register(folder, "job.db", demo=False)
    return register, settings, built


def _all_rules_job(folder: Path, learners: int) -> dict[str, Any]:
    """Evaluating all 200 rules for every learner as the ``evaluate-stack-rules`` job runs it (the worker,
    the batched path of services/stacking_bulk.py), first with no verdict kept and then with the verdicts
    kept, against the per-learner reference path (``learner_evaluation``) on a sample in the same run; the
    sample's results must be identical on both paths."""
    from sqlalchemy import func, select

    from microcred.services.stacking_bulk import evaluations, learner_evaluation
    from microcred.services.worker import JobWorker
    from microcred.storage.credential_tables import credentials

    register, _, made_s = _job_register(folder, learners)
    try:
        deps, worker = register.dependencies, JobWorker(register.dependencies)
        with register.engine.connect() as connection:
            issued = connection.execute(select(func.count()).select_from(credentials)).scalar_one()

        def job() -> tuple[float, float, dict[str, Any]]:
            submitted = register.jobs.submit_stack_evaluation(None)
            began, cpu = time.perf_counter(), time.process_time()
            assert worker.run_once()
            took, took_cpu = time.perf_counter() - began, time.process_time() - cpu
            done = register.jobs.get_job(submitted.id, owner=None)
            assert done.state == "succeeded", done.error
            return took, took_cpu, done.result

        _forget_verdicts(register)
        cold_s, cold_cpu, result = job()
        warm_s, warm_cpu, again = job()
        assert again == result
        looked = result["learners"]
        sample = [one.learner for one in evaluations(deps)][: min(500, looked)]
        began, cpu = time.perf_counter(), time.process_time()
        reference = [learner_evaluation(deps, learner) for learner in sample]
        reference_s, reference_cpu = time.perf_counter() - began, time.process_time() - cpu
        assert list(evaluations(deps, learners=sample)) == reference, "the two paths disagree"
    finally:
        register.close()
    rules = result["rules"]
    return {
        "job_learners": looked,
        "job_credentials_in_register": issued,
        "job_rules": len(rules),
        "job_learners_started_a_rule_sum": sum(r["started"] for r in rules),
        "job_learners_meeting_a_rule_sum": sum(r["met"] for r in rules),
        "job_register_built_s": round(made_s, 1),
        "job_no_verdict_kept_s": round(cold_s, 2),
        "job_no_verdict_kept_learners_per_second": round(looked / cold_s),
        "job_verdicts_kept_s": round(warm_s, 2),
        "job_verdicts_kept_learners_per_second": round(looked / warm_s),
        "reference_sample_learners": len(sample),
        "reference_verdicts_kept_learners_per_second": round(len(sample) / reference_s, 1),
        "job_verdicts_kept_vs_reference": round((looked / warm_s) / (len(sample) / reference_s), 1),
        "job_no_verdict_kept_learners_per_cpu_second": round(looked / cold_cpu),
        "job_verdicts_kept_learners_per_cpu_second": round(looked / warm_cpu),
        "reference_verdicts_kept_learners_per_cpu_second": round(len(sample) / reference_cpu, 1),
        "job_verdicts_kept_vs_reference_cpu": round((looked / warm_cpu) / (len(sample) / reference_cpu), 1),
        "job_results_identical_to_reference_on_the_sample": True,
    }


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
        "load_average_at_start": os.getloadavg(),
    }
    learners_in_job = int(os.environ.get("BENCH_JOB_LEARNERS", "5000"))
    if learners_in_job:
        with tempfile.TemporaryDirectory() as folder:
            result.update(_all_rules_job(Path(folder), learners_in_job))
        result["load_average_after_job"] = os.getloadavg()
    if os.environ.get("BENCH_WALLET", "1") != "0":
        with tempfile.TemporaryDirectory() as folder:
            result.update(_wallet_page(Path(folder)))
        result["load_average_at_end"] = os.getloadavg()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
