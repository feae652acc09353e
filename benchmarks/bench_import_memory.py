"""Peak memory of a streamed import at two sizes: it must stay flat, not grow with the number of rows.

Each size runs in a fresh process (peak RSS is per process): the register is prepared, then the
enrolments file of ``bench_import.py`` is imported (in column blocks, as the service does). The script
records the process's peak RSS before the import (the baseline: interpreter, libraries, the register) and
after it, and writes benchmarks/results/import_memory.json. Target (issue 21): the peaks at 1,000,000 and
5,000,000 rows within 10 % of each other. Sizes default to those two; a quick run:
``BENCH_IMPORT_MEMORY_SIZES=100000,500000`` or ``python benchmarks/bench_import_memory.py 100000 500000``.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
RESULTS = HERE / "results" / "import_memory.json"
SIZES = tuple(int(size) for size in os.environ.get("BENCH_IMPORT_MEMORY_SIZES", "1000000,5000000").split(","))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(rows: int) -> dict[str, float]:
    """Import ``rows`` enrolments in this process; baseline and peak RSS in MB, and seconds."""
    sys.path.insert(0, str(HERE))
    os.environ["BENCH_IMPORT_ROWS"] = str(rows)  # bench_import reads its row count when imported
    import bench_import

    from microcred.bootstrap import build
    from microcred.services import imports
    from microcred.settings import Settings

    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        paths = bench_import._write_fixtures(folder)
        settings = Settings(
            database_url=f"sqlite:///{folder / 'bench.db'}", environment="test", pseudonym_pepper=bench_import.PEPPER
        )
        wired = build(settings)
        wired.migrate()
        for kind, path in zip(("providers", "offerings", "editions"), paths[:3], strict=True):
            assert imports.import_file(kind, path, wired.uow, pepper=bench_import.PEPPER, max_bytes=1 << 31).committed
        baseline = _peak_mb()
        load = os.getloadavg()[0]
        started, cpu = time.perf_counter(), time.process_time()
        report = imports.import_file("enrolments", paths[3], wired.uow, pepper=bench_import.PEPPER, max_bytes=1 << 31)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        if not (report.committed and report.created == rows):
            raise SystemExit(report.render())
        wired.close()
    return {
        "baseline_rss_mb": round(baseline),
        "peak_rss_mb": round(_peak_mb()),
        "import_seconds": round(seconds, 1),
        "import_cpu_seconds": round(cpu, 1),
        "load_average_before": round(load, 2),
    }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(measure(int(sys.argv[2]))))
        return
    runs = []
    for rows in [int(arg) for arg in sys.argv[1:]] or list(SIZES):
        done = (
            subprocess.run([sys.executable, __file__, "--one", str(rows)], check=True, capture_output=True, text=True)
            .stdout.strip()
            .splitlines()[-1]
        )
        measured = json.loads(done)
        measured["growth_mb"] = measured["peak_rss_mb"] - measured["baseline_rss_mb"]
        runs.append({"rows": rows, **measured})
        print(json.dumps(runs[-1]), flush=True)
    peaks = [run["peak_rss_mb"] for run in runs]
    result = {
        "benchmark": "peak memory of a streamed enrolments import (CSV into SQLite), one process per size",
        "runs": runs,
        "largest_over_smallest_peak": round(max(peaks) / min(peaks), 3),
        "target": "peaks within 10 % of each other (1,000,000 and 5,000,000 rows)",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "load_average_after": [round(load, 2) for load in os.getloadavg()],  # issue 21: every figure
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
