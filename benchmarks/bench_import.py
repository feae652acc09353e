"""Import one million enrolment rows (CSV) into SQLite and PostgreSQL: first import and unchanged re-import.

Targets (issue 21): on SQLite the first import under 15 s with every check made, the unchanged re-import
of the same file under 5 s. Generates the CSV in a temporary directory (a provider, one offering, 200
editions, 1M enrolments with student numbers that get pseudonymised on the way in) and imports it through
the real service, end to end (reading, every check, pseudonyms, storage, commit). In the same run the
row-by-row path (``in_columns=False``, what imports did before decision 0037) imports the same file into
a fresh register as the reference, and each figure gets its ratio. Wall and CPU seconds and the load
average are recorded next to every figure; peak memory at two sizes is ``bench_import_memory.py``.

Sizes: ``BENCH_IMPORT_ROWS`` (or the first argument), default 1,000,000; ``BENCH_IMPORT_BACKENDS``
(default ``sqlite,postgresql``); ``BENCH_IMPORT_REFERENCE=0`` leaves the row-by-row run out;
``BENCH_IMPORT_DEMO=0`` leaves out the full demo load. Writes benchmarks/results/import.json.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from microcred.bootstrap import build
from microcred.services import imports
from microcred.services.demo import load_demo
from microcred.settings import Settings
from microcred.testing import throwaway_postgres

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS") or (sys.argv[1] if len(sys.argv) > 1 else 1_000_000))
BACKENDS = tuple(os.environ.get("BENCH_IMPORT_BACKENDS", "sqlite,postgresql").split(","))
REFERENCE = os.environ.get("BENCH_IMPORT_REFERENCE", "1") != "0"
DEMO = os.environ.get("BENCH_IMPORT_DEMO", "1") != "0"
EDITIONS = 200
PEPPER = "benchmark-pepper-0123456789"
RESULTS = Path(__file__).parent / "results" / "import.json"
TARGETS = {"sqlite_import_seconds": 15, "sqlite_reimport_unchanged_seconds": 5}


def _write_fixtures(folder: Path) -> tuple[Path, Path, Path, Path]:
    providers = folder / "providers.csv"
    providers.write_text("slug,name_nl,type\nbench,Benchmarkhogeschool,university-college\n", encoding="utf-8")
    offerings = folder / "offerings.csv"
    offerings.write_text("provider,code,kind,status,title_nl\nbench,MC-1,micro-credential,draft,Meten\n", "utf-8")
    editions = folder / "editions.csv"
    with editions.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["provider", "code", "offering_code", "start_date", "end_date", "capacity"])
        for number in range(EDITIONS):
            start = date(2020, 9, 1) + timedelta(days=number * 7)
            writer.writerow(["bench", f"E{number:04d}", "MC-1", start, start + timedelta(days=120), 100_000])
    enrolments = folder / "enrolments.csv"
    outcomes = ("passed", "failed", "withdrawn", "enrolled")
    with enrolments.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow([
            "aanbieder", "referentie", "editiecode", "studentnummer", "inschrijvingsdatum",
            "contracttype", "arbeidsstatus", "leeftijdsgroep", "resultaat", "score", "resultaatdatum",
        ])  # fmt: skip
        for number in range(ROWS):
            edition = number % EDITIONS
            start = date(2020, 9, 1) + timedelta(days=edition * 7)
            outcome = outcomes[number % 4]
            decided = outcome in ("passed", "failed")
            writer.writerow([
                "bench", f"R{number:08d}", f"E{edition:04d}", f"r{number * 7919 % 10_000_000:07d}", start.isoformat(),
                "02", "employed" if number % 3 else "job-seeking", "35-44", outcome,
                str(10 + number % 10) if decided else "", (start + timedelta(days=120)).isoformat() if decided else "",
            ])  # fmt: skip
    return providers, offerings, editions, enrolments


def _timed(action: Callable[[], imports.ImportReport]) -> tuple[imports.ImportReport, dict[str, Any]]:
    load = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    report = action()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return report, {"seconds": round(wall, 2), "cpu_seconds": round(cpu, 2), "load_average_before": round(load, 2)}


def _run(url: str, paths: tuple[Path, Path, Path, Path], *, in_columns: bool) -> dict[str, Any]:
    """First import and unchanged re-import of the enrolments into a fresh register at ``url``."""
    wired = build(Settings(database_url=url, environment="test", pseudonym_pepper=PEPPER, log_level="WARNING"))
    try:
        wired.migrate()
        for kind, path in zip(("providers", "offerings", "editions"), paths[:3], strict=True):
            assert imports.import_file(kind, path, wired.uow, pepper=PEPPER, max_bytes=1 << 31).committed

        def enrolments() -> imports.ImportReport:
            return imports.import_file(
                "enrolments", paths[3], wired.uow, pepper=PEPPER, max_bytes=1 << 31, in_columns=in_columns
            )

        report, first = _timed(enrolments)
        if not (report.committed and report.created == ROWS):
            raise SystemExit(report.render())
        again, second = _timed(enrolments)
        if not (again.committed and again.unchanged == ROWS):
            raise SystemExit("the second import of the same file changed something:\n" + again.render())
    finally:
        wired.close()
    return {
        "import": first | {"rows_per_second": round(ROWS / first["seconds"])},
        "reimport_unchanged": second,
    }


@contextlib.contextmanager
def _databases(backend: str, folder: Path) -> Iterator[Callable[[str], str]]:
    """A new empty database per call, on SQLite (a file) or on a throw-away PostgreSQL server."""
    if backend == "sqlite":
        yield lambda name: f"sqlite:///{folder / name}.db"
    else:
        with throwaway_postgres() as server:
            yield server.create_database


def _ratios(columns: dict[str, Any], reference: dict[str, Any]) -> dict[str, float]:
    return {
        f"{step}_speedup": round(reference[step]["seconds"] / columns[step]["seconds"], 1)
        for step in ("import", "reimport_unchanged")
    }


def _demo(folder: Path) -> dict[str, Any]:
    demo = build(Settings(database_url=f"sqlite:///{folder / 'demo.db'}", environment="test"))
    demo.migrate()
    started = time.perf_counter()
    counts = load_demo(demo.uow, pepper=PEPPER, seed=2024, scale="full")
    seconds = time.perf_counter() - started
    demo.close()
    return {"demo_full_seconds": round(seconds, 1), "demo_full_enrolments": counts["enrolments"]}


def main() -> None:
    result: dict[str, Any] = {
        "benchmark": "import enrolments CSV (first import, unchanged re-import), in column blocks, next to the "
        "row-by-row path in the same run",
        "rows": ROWS,
        "targets": TARGETS,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        started = time.perf_counter()
        paths = _write_fixtures(folder)
        result["generate_seconds"] = round(time.perf_counter() - started, 1)
        result["file_mb"] = round(paths[3].stat().st_size / 1e6, 1)
        for backend in BACKENDS:
            with _databases(backend, folder) as database:
                measured = {"in_columns": _run(database(f"{backend}_columns"), paths, in_columns=True)}
                if REFERENCE:
                    measured["row_by_row"] = _run(database(f"{backend}_rows"), paths, in_columns=False)
                    measured["ratios"] = _ratios(measured["in_columns"], measured["row_by_row"])
            result[backend] = measured
            print(json.dumps({backend: measured}), file=sys.stderr, flush=True)
        if DEMO:
            result |= _demo(folder)
    result["peak_rss_mb_whole_run"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    result["load_average_after"] = [round(load, 2) for load in os.getloadavg()]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
