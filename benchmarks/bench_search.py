"""Catalogue search latency on the full demo register (SQLite): median and worst of repeated queries.

Writes benchmarks/results/search.json. The target is under 100 ms per search, including the editions
looked up for the page of hits.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from microcred.bootstrap import build
from microcred.services.search import CatalogueQuery
from microcred.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "search.json"
MICROCRED = str(Path(sys.executable).parent / "microcred")
QUERIES = {
    "everything": CatalogueQuery(),
    "one word": CatalogueQuery(text="data"),
    "prefix": CatalogueQuery(text="duurza"),
    "two words + level": CatalogueQuery(text="zorg data", eqf_level=6),
    "filters only": CatalogueQuery(ects_min=Decimal(3), ects_max=Decimal(6), language="en"),
    "page 5": CatalogueQuery(page=5),
}


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="microcred-bench-search-"))
    url = f"sqlite:///{workdir / 'microcred.db'}"
    env = {**os.environ, "MICROCRED_DATABASE_URL": url}
    subprocess.run([MICROCRED, "init"], env=env, cwd=workdir, check=True, capture_output=True)
    scale = os.environ.get("BENCH_SCALE", "full")
    subprocess.run([MICROCRED, "demo", "--scale", scale], env=env, cwd=workdir, check=True, capture_output=True)
    register = build(Settings(database_url=url))
    with register.uow() as work:
        offerings = work.offerings.count()
    results: dict[str, dict[str, float | int]] = {}
    for name, query in QUERIES.items():
        register.search.search_offerings(query)  # warm-up
        times, total = [], 0
        for _ in range(50):
            start = time.perf_counter()
            total = register.search.search_offerings(query).total
            times.append((time.perf_counter() - start) * 1000)
        results[name] = {"hits": total, "median_ms": round(statistics.median(times), 2), "max_ms": round(max(times), 2)}
        shown = results[name]
        print(f"{name:20} {total:6} hits  median {shown['median_ms']:6.1f} ms  max {shown['max_ms']:6.1f} ms")
    register.close()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"scale": scale, "offerings": offerings, "queries": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
