"""Time the first parliament report after new data: 1 % new enrolments imported into the 10 M register.

Issue 21: the change token cost 2.5-4.3 s per report and any change meant copying the whole register into
DuckDB again (64 s; 49.6 s and 7 GB through the CLI). Now the token is one row and the snapshot takes only the
rows changed since (decision 0038). On the register of ``bench_report.py`` (cached in benchmarks/.cache/), this
script, in one run:

1. times the reference: the report after a change that the snapshot cannot follow (no snapshot kept), so the
   register is copied in full (token + full copy + report), and reading the old per-table token;
2. imports 1 % new enrolments through the import's own storage path (``bulk.save_enrolments``, one batch per
   5,000 rows as the import writes them) and times the next report end to end (token + refresh + report)
   through the library (``services.reports.parliament_report``, in a fresh process so its peak memory is its
   own), ``BENCH_REFRESH_ROUNDS`` times (3; every round is recorded and the median round is the figure: one
   run varied by 0.3 s from the next on a quiet machine); then another 1 % and the next report through the
   CLI (``microcred report parliament``, start-up included), then the report again with nothing changed, then
   the first import's enrolments updated as passed (results imported) and the next report through the library;
3. removes the enrolments it imported, so the next run starts from the same 10 M register.

Each step runs in its own process: wall time, CPU time and peak RSS (VmHWM; ``ru_maxrss`` in a child counts the
bench's own peak, see ``_peak_rss_mb``) are that step's. Results go to
benchmarks/results/report_refresh.json (``report_refresh-<n>.json`` for another size) with the load average.
``BENCH_ENROLMENTS=200000`` runs it on a small register (kept apart: ``.cache/report-200000.db``).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench_report import CACHE, ENROLMENTS, check_register, generate, write_results  # type: ignore[import-not-found]

from microcred.bootstrap import build
from microcred.domain import AgeBand, ContractType, EmploymentStatus, Enrolment, Outcome
from microcred.domain.values import Change
from microcred.settings import Settings

HERE = Path(__file__).parent
SHARE = 0.01  # of the register's enrolments, per import
FROM, TO = "2020-21", "2024-25"
TARGET_SECONDS, TARGET_MB = 3.0, 1024
ROUNDS = int(os.environ.get("BENCH_REFRESH_ROUNDS", "3"))  # imports and first reports; the median is the figure


def _settings() -> Settings:
    return Settings(database_url=f"sqlite:///{CACHE}", environment="test")


def _load() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def _peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM). Not ``ru_maxrss``: a child started by ``subprocess`` (vfork, then exec)
    inherits the parent's peak in it, Linux keeping the larger across execve, so each report step read the bench's
    own peak after its import (1,289 MB) instead of the report's (about 680 MB)."""
    status = Path("/proc/self/status").read_text(encoding="ascii")
    return round(int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) / 1024, 1)


def _report_step(mode: str) -> dict[str, Any]:
    """One report in this process (run as a child): ``full`` drops every kept snapshot first."""
    from microcred.services.reports import parliament_report
    from microcred.stats.cache import snapshot_files, snapshots_refreshed, snapshots_taken

    register = build(_settings())
    if mode == "full":
        with register.uow() as work:
            for old in snapshot_files(work.statistics):
                old.unlink()
    started, cpu = time.perf_counter(), time.process_time()
    report = parliament_report(register.uow, from_year=FROM, to_year=TO)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "wall_seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "peak_rss_mb": _peak_rss_mb(),
        "ru_maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),  # see _peak_rss_mb
        "full_copies": snapshots_taken(),
        "refreshes": snapshots_refreshed(),
        "enrolments_2023_24": report.enrolments.figure("enrolments", "2023-24").value,
    }


def _child(mode: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--step", mode], check=True, capture_output=True, text=True, cwd=HERE
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _cli() -> dict[str, Any]:
    """``microcred report parliament`` as a user runs it: wall time and peak memory from /usr/bin/time."""
    out = HERE / ".cache" / "refresh-report.json"
    env = {**os.environ, "MICROCRED_DATABASE_URL": f"sqlite:///{CACHE}", "MICROCRED_ENVIRONMENT": "test"}
    command = [str(Path(sys.executable).with_name("microcred")), "report", "parliament", "--from", FROM]
    command += ["--to", TO, "--format", "json", "--out", str(out)]
    started = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%U %S %M", *command], check=False, env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"the CLI failed: {done.stderr[-2000:]}")
    user, system, peak_kb = done.stderr.strip().splitlines()[-1].split()
    out.unlink(missing_ok=True)
    return {"wall_seconds": round(wall, 3), "cpu_seconds": round(float(user) + float(system), 3)} | {
        "peak_rss_mb": round(int(peak_kb) / 1024, 1)
    }


RUN = f"{time.time_ns():x}"  # new references on every run, whatever an interrupted run left


def _import_share(
    round_: int, outcome: Outcome = Outcome.ENROLLED, expected: Change = Change.CREATED
) -> dict[str, Any]:
    """1 % new enrolments of existing learners in the editions of the last year, through the bulk path; their
    references start with ``N`` (the generated ones with ``R``), so ``_remove_imports`` finds them. The same
    round again with another ``outcome`` updates them (``expected``: ``Change.UPDATED``), as importing results does."""
    register = build(_settings())
    count = max(1, int(ENROLMENTS * SHARE))
    run = RUN
    created = 0
    started, cpu = time.perf_counter(), time.process_time()
    with register.uow() as work:
        provider_ids = work.bulk.provider_ids()
        batch: list[tuple[int, int, Enrolment]] = []
        editions = {slug: work.bulk.edition_ids(pid) for slug, pid in provider_ids.items()}
        chosen = [(slug, code, eid) for slug, codes in editions.items() for code, eid in codes.items()]
        chosen = [c for c in chosen if c[1].endswith("-2024")] or chosen
        for number in range(count):
            slug, code, edition_id = chosen[(number * 7919) % len(chosen)]
            enrolment = Enrolment(
                provider=slug,
                reference=f"N{run}-{round_}-{number}",
                edition_code=code,
                learner=f"{(number * 104_729) % (ENROLMENTS // 5):064x}",
                enrolment_date=date(2024, 10, 1),
                learner_scheme=None,  # as every generated enrolment: a scheme never coded would force a full copy
                contract_type=ContractType.CREDIT,
                employment_status=list(EmploymentStatus)[number % 4],
                age_band=list(AgeBand)[number % 8],
                outcome=outcome,
                outcome_date=None if outcome is Outcome.ENROLLED else date(2025, 6, 30),
            )
            batch.append((provider_ids[slug], edition_id, enrolment))
            if len(batch) == 5_000:
                created += work.bulk.save_enrolments(batch).count(expected)
                batch = []
        if batch:
            created += work.bulk.save_enrolments(batch).count(expected)
        work.commit()
    if created != count:
        raise SystemExit(f"the import {expected} {created} enrolments of {count}: the bench measures nothing new")
    register.close()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"rows": count, "wall_seconds": round(wall, 1), "cpu_seconds": round(cpu, 1)}


def _remove_imports() -> int:
    """Every enrolment a run of this bench imported, out of the register again (by reference, through the unique
    index per provider), so each run starts from the generated register: it grew by 200,000 enrolments a run.
    The delete triggers log the removals as any removal; the next run's first report copies in full anyway."""
    import sqlite3

    db = sqlite3.connect(CACHE)
    with db:
        providers = [provider for (provider,) in db.execute("SELECT id FROM providers")]
        removed = sum(
            db.execute(
                "DELETE FROM enrolments WHERE provider_id = ? AND reference >= 'N' AND reference < 'O'", (provider,)
            ).rowcount
            for provider in providers
        )
    db.close()
    return removed


def _old_token_seconds() -> float:
    """The change token before decision 0038: per table the row count, highest id and latest updated_at."""
    import sqlite3

    db = sqlite3.connect(CACHE)
    started = time.perf_counter()
    for table in ("providers", "offerings", "editions", "enrolments"):
        db.execute(f"SELECT COUNT(*), MAX(id), MAX(updated_at) FROM {table}").fetchall()
    db.close()
    return time.perf_counter() - started


def main() -> int:
    if not CACHE.exists():
        print(f"generating {ENROLMENTS:,} enrolments into {CACHE} (once; minutes)")
        generate(CACHE)
    register = build(_settings())
    register.migrate()  # a register cached before the statistics generation (migration stats_0001_s5d)
    register.close()
    check_register(CACHE)
    if left := _remove_imports():
        print(f"removed {left:,} enrolments an interrupted run imported")
    load_before = _load()
    print(f"load average {load_before} on {os.cpu_count()} cpus; {ENROLMENTS:,} enrolments")
    old_token = _old_token_seconds()
    full = _child("full")
    print(f"reference, a report that copies the register in full: {full}; old change token {old_token:.2f} s")
    rounds = []
    for round_ in range(1, ROUNDS + 1):  # each round its own 1 % and its own first report
        imported = _import_share(round_)
        rounds.append(_child("report"))
        print(f"imported {imported}; first report after it (library): {rounds[-1]}")
    library = sorted(rounds, key=lambda r: float(r["wall_seconds"]))[len(rounds) // 2]  # the median round
    imported_again = _import_share(ROUNDS + 1)
    cli = _cli()
    print(f"first report after another import (CLI): {cli}")
    repeated = _child("report")
    print(f"the same report again, nothing changed (library): {repeated}")
    results = _import_share(1, Outcome.PASSED, Change.UPDATED)  # the first import's enrolments passed
    print(f"updated {results}")
    after_results = _child("report")
    print(f"first report after the update (library): {after_results}")
    load_after = _load()
    print(f"load average {load_after}; removed this run's {_remove_imports():,} enrolments again")
    write_results(
        "report_refresh",
        {
            "enrolments": ENROLMENTS,
            "cpus": os.cpu_count(),
            "load_average_before": load_before,
            "load_average_after": load_after,
            "reference_full_copy_report": full,
            "reference_old_change_token_seconds": round(old_token, 3),
            "import_1_percent": imported,
            "first_report_after_import_library": library,
            "first_report_after_import_library_rounds": rounds,
            "library_ratio_to_full_copy": round(full["wall_seconds"] / library["wall_seconds"], 1),
            "library_cpu_ratio_to_full_copy": round(full["cpu_seconds"] / max(library["cpu_seconds"], 0.001), 1),
            "import_1_percent_again": imported_again,
            "first_report_after_import_cli": cli,
            "report_unchanged_library": repeated,
            "update_1_percent_results": results,
            "first_report_after_update_library": after_results,
            "target_seconds": TARGET_SECONDS,
            "target_peak_rss_mb": TARGET_MB,
            "met_target_library": library["wall_seconds"] < TARGET_SECONDS and library["peak_rss_mb"] < TARGET_MB,
            "met_target_cli": cli["wall_seconds"] < TARGET_SECONDS and cli["peak_rss_mb"] < TARGET_MB,
        },
    )
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--step"]:
        print(json.dumps(_report_step(sys.argv[2])))
        sys.exit(0)
    sys.exit(main())
