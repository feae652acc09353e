"""Import one million enrolment rows into SQLite: wall time and peak memory (target < 60 s, < 500 MB).

Generates the CSV in a temporary directory (a provider, one offering, 200 editions, 1M enrolments with
student numbers that get pseudonymised on the way in), imports it through the real service with the
bulk path, and writes benchmarks/results/import.json. Run with ``make bench`` or directly.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from microcred.bootstrap import build
from microcred.services import imports
from microcred.services.demo import load_demo
from microcred.settings import Settings

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
EDITIONS = 200
PEPPER = "benchmark-pepper-0123456789"
RESULTS = Path(__file__).parent / "results" / "import.json"


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


def main() -> None:
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        started = time.perf_counter()
        paths = _write_fixtures(folder)
        generated = time.perf_counter() - started
        settings = Settings(
            database_url=f"sqlite:///{folder / 'bench.db'}", environment="test", pseudonym_pepper=PEPPER
        )
        wired = build(settings)
        wired.migrate()
        for kind, path in zip(("providers", "offerings", "editions"), paths[:3], strict=True):
            report = imports.import_file(kind, path, wired.uow, pepper=PEPPER, max_bytes=1 << 30)
            assert report.committed, report.render()
        started = time.perf_counter()
        report = imports.import_file("enrolments", paths[3], wired.uow, pepper=PEPPER, max_bytes=1 << 30)
        seconds = time.perf_counter() - started
        if not (report.committed and report.created == ROWS):
            raise SystemExit(report.render())
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        size_mb = paths[3].stat().st_size / 1e6
        started = time.perf_counter()
        again = imports.import_file("enrolments", paths[3], wired.uow, pepper=PEPPER, max_bytes=1 << 30)
        reimport_seconds = time.perf_counter() - started
        if again.unchanged != ROWS:
            raise SystemExit("the second import of the same file changed something:\n" + again.render())
        wired.close()
        demo = build(Settings(database_url=f"sqlite:///{folder / 'demo.db'}", environment="test"))
        demo.migrate()
        started = time.perf_counter()
        demo_counts = load_demo(demo.uow, pepper=PEPPER, seed=2024, scale="full")
        demo_seconds = time.perf_counter() - started
        demo.close()
    result = {
        "benchmark": "import enrolments CSV into SQLite",
        "rows": ROWS,
        "file_mb": round(size_mb, 1),
        "generate_seconds": round(generated, 1),
        "import_seconds": round(seconds, 1),
        "rows_per_second": round(ROWS / seconds),
        "peak_rss_mb": round(peak_mb),
        "reimport_unchanged_seconds": round(reimport_seconds, 1),
        "demo_full_seconds": round(demo_seconds, 1),
        "demo_full_enrolments": demo_counts["enrolments"],
        "targets": {"import_seconds": 60, "peak_rss_mb": 500, "demo_full_seconds": 60},
        "python": platform.python_version(),
        "machine": platform.machine(),
        "load_average_after": [round(load, 2) for load in os.getloadavg()],  # issue 21: every figure
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
