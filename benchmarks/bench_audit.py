"""Time `microcred report audit` over every publishable scope and year range of the full demo register.

The full demo register (`microcred demo --scale full`, about 300,000 enrolments) is generated once into a
temporary SQLite database cached in benchmarks/.cache/. We time the audit twice: the first run copies the
register into the statistics snapshot, the second reuses it (as a second run of the command does). Results,
with the weakest cell the attacker found and the load average seen, go to benchmarks/results/audit.json.
``BENCH_AUDIT_SCALE=small`` gives a quick run on the small demo register, written to audit-small.json.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

from microcred.bootstrap import build
from microcred.settings import Settings

HERE = Path(__file__).parent
SCALE = os.environ.get("BENCH_AUDIT_SCALE", "full")
CACHE = HERE / ".cache" / f"demo-{SCALE}.db"
TARGET_SECONDS = 60.0


def _load() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def _cpu() -> float:
    """CPU seconds this process used (the wall time on a shared machine also counts other people's work)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    generation_seconds = None
    if not CACHE.exists():
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        partial = CACHE.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        print(f"generating the {SCALE} demo register into {CACHE} (once; minutes for the full one)")
        started = time.perf_counter()
        register = build(Settings(database_url=f"sqlite:///{partial}", environment="test"))
        register.migrate()
        register.demo.load(seed=2024, scale=SCALE)
        register.close()
        partial.rename(CACHE)
        generation_seconds = time.perf_counter() - started
    register = build(Settings(database_url=f"sqlite:///{CACHE}", environment="test"))
    load_before = _load()
    print(f"load average {load_before} on {os.cpu_count()} cpus")
    runs, cpu = [], []
    for _ in range(2):
        started, used = time.perf_counter(), _cpu()
        found = register.reports.audit_disclosure()
        runs.append(time.perf_counter() - started)
        cpu.append(_cpu() - used)
        print(
            f"audit {runs[-1]:.1f} s, {cpu[-1]:.1f} s of CPU (attack {found.seconds:.1f} s): {found.reports} "
            f"reports over {found.scopes} "
            f"scopes and {found.ranges} year ranges, {found.cells:,} cells, {found.protected:,} below k "
            f"(recognitions: {found.recognition_cells:,} cells, {found.recognition_protected:,} below k); "
            f"{'passed' if found.passed else 'FAILED'}"
        )
    register.close()
    weakest = found.weakest
    if weakest is not None:
        print(f"weakest: {weakest.describe()}")
    load_after = _load()
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / ("audit.json" if SCALE == "full" else f"audit-{SCALE}.json")).write_text(
        json.dumps(
            {
                "register": f"demo --scale {SCALE} --seed 2024",
                "cpus": os.cpu_count(),
                "load_average_before": load_before,
                "load_average_after": load_after,
                "generation_seconds": None if generation_seconds is None else round(generation_seconds, 1),
                "audit_first_seconds": round(runs[0], 2),
                "audit_reusing_snapshot_seconds": round(runs[1], 2),
                "audit_cpu_seconds": [round(c, 2) for c in cpu],
                "scopes": found.scopes,
                "year_ranges": found.ranges,
                "reports_compared": found.reports,
                "cells": found.cells,
                "protected_cells": found.protected,
                "recognition_cells": found.recognition_cells,
                "recognition_protected_cells": found.recognition_protected,
                "k": found.k,
                "required_values": found.required,
                "weakest": None if weakest is None else weakest.describe(),
                "weakest_values": None if weakest is None else weakest.values,
                "narrowed": len(found.narrowed),
                "mismatches": len(found.mismatches),
                "passed": found.passed,
                "target_seconds": TARGET_SECONDS,
                "met_target": max(runs) < TARGET_SECONDS,
            },
            indent=1,
        )
        + "\n"
    )
    return 0 if found.passed else 1


if __name__ == "__main__":
    sys.exit(main())
