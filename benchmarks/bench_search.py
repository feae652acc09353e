"""Catalogue search: quality on the judged query set, and latency on the full demo register.

Quality: the judged queries of tests/search/judged_queries.json over the demo register that `make run`
loads, on SQLite and on a throw-away PostgreSQL: mean nDCG@10 and recall@10, overall and per language,
and each query's figures. Latency (SQLite, the full register unless BENCH_SCALE says otherwise): median,
p99 and worst of repeated searches, including the editions looked up for the page of hits. The target is a
p99 under 100 ms; the load test of the HTTP API (bench_api.py) finds the rate at which that still holds.

Writes benchmarks/results/search.json.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from microcred.bootstrap import build
from microcred.domain import Offering
from microcred.services.search import CatalogueQuery, search_offerings
from microcred.settings import Settings
from microcred.testing import throwaway_postgres

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the judged set and its measures live with the tests that pin them
from tests.search.judged import Measured, judged_queries, measure  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "search.json"
MICROCRED = str(Path(sys.executable).parent / "microcred")
TODAY = date(2026, 2, 1)
QUERIES = {
    "everything": CatalogueQuery(),
    "one word": CatalogueQuery(text="data"),
    "prefix": CatalogueQuery(text="duurza"),
    "stemmed": CatalogueQuery(text="sustainability"),
    "two words + level": CatalogueQuery(text="zorg data", eqf_level=6),
    "exact title": CatalogueQuery(text="Duurzaam financieren"),
    "filters only": CatalogueQuery(ects_min=Decimal(3), ects_max=Decimal(6), language="en"),
    "page 5": CatalogueQuery(page=5),
}
ROUNDS = 200


def _load(url: str, workdir: Path, scale: str) -> None:
    env = {**os.environ, "MICROCRED_DATABASE_URL": url, "MICROCRED_ENVIRONMENT": "development"}
    subprocess.run([MICROCRED, "init"], env=env, cwd=workdir, check=True, capture_output=True)
    subprocess.run([MICROCRED, "demo", "--scale", scale], env=env, cwd=workdir, check=True, capture_output=True)


def _quality(url: str) -> dict[str, Any]:
    register = build(Settings(database_url=url))
    try:

        def found(text: str) -> list[Offering]:
            page = search_offerings(CatalogueQuery(text=text, page_size=100), register.uow, today=TODAY)
            return [hit.offering for hit in page.hits]

        everything = found("")
        measured = [measure(judged, found(judged.text), everything) for judged in judged_queries()]
    finally:
        register.close()

    def means(chosen: list[Measured]) -> dict[str, float]:
        return {
            "ndcg@10": round(statistics.mean(m.ndcg for m in chosen), 3),
            "recall@10": round(statistics.mean(m.recall for m in chosen), 3),
            "queries": len(chosen),
        }

    return {
        "all": means(measured),
        **{language: means([m for m in measured if m.language == language]) for language in ("nl", "en")},
        "per_query": {m.text: {"ndcg@10": round(m.ndcg, 3), "recall@10": round(m.recall, 3)} for m in measured},
    }


def _latency(url: str) -> dict[str, dict[str, float | int]]:
    register = build(Settings(database_url=url))
    results: dict[str, dict[str, float | int]] = {}
    try:
        for name, query in QUERIES.items():
            register.search.search_offerings(query)  # warm-up
            times, total = [], 0
            for _ in range(ROUNDS):
                start = time.perf_counter()
                total = register.search.search_offerings(query).total
                times.append((time.perf_counter() - start) * 1000)
            times.sort()
            results[name] = {
                "hits": total,
                "median_ms": round(statistics.median(times), 2),
                "p99_ms": round(times[int(len(times) * 0.99) - 1], 2),
                "max_ms": round(times[-1], 2),
            }
            shown = results[name]
            print(
                f"  {name:20} {total:6} hits  median {shown['median_ms']:6.1f} ms  "
                f"p99 {shown['p99_ms']:6.1f} ms  max {shown['max_ms']:6.1f} ms"
            )
    finally:
        register.close()
    return results


def main() -> None:
    load_before = [round(load, 2) for load in os.getloadavg()]
    workdir = Path(tempfile.mkdtemp(prefix="microcred-bench-search-"))
    quality: dict[str, Any] = {}
    small = f"sqlite:///{workdir / 'small.db'}"
    _load(small, workdir, "small")
    quality["sqlite"] = _quality(small)
    with throwaway_postgres() as server:
        postgres = server.create_database("bench_search")
        _load(postgres, workdir, "small")
        quality["postgresql"] = _quality(postgres)
    for backend, figures in quality.items():
        print(f"judged queries on {backend}: " + ", ".join(f"{part} {figures[part]}" for part in ("all", "nl", "en")))
    scale = os.environ.get("BENCH_SCALE", "full")
    full = f"sqlite:///{workdir / 'microcred.db'}"
    _load(full, workdir, scale)
    register = build(Settings(database_url=full))
    with register.uow() as work:
        offerings = work.offerings.count()
    register.close()
    print(f"latency on SQLite, {offerings} offerings ({scale}), {ROUNDS} searches each:")
    latency = _latency(full)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "quality": quality,
                "latency": {"scale": scale, "offerings": offerings, "queries": latency},
                "load_average_before": load_before,
                "load_average_after": [round(load, 2) for load in os.getloadavg()],
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
