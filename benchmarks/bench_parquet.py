"""Time the parliament report over a Parquet facts dataset of 100 million enrolments (EU scale, issue 21).

The dataset is generated straight as Parquet, never through a register: DuckDB makes the snapshot's tables
(40 providers, 5,000 offerings, 6 academic years, as ``bench_report.py``) with the enrolments as a view over
``range()`` drawn by hashing the row number (one branch per academic year, enrolments spread over the year's
editions in proportion to their number), and ``stats.parquet.write_facts`` writes them (timed: the export at
this size). It is kept in ``benchmarks/.cache/facts-<size>/`` (never committed).

The user's action is one process that opens the dataset and writes the parliament report (universities and
university colleges, 2020-21 to 2024-25, k = 5) as HTML: ``report_from_facts`` then ``render``. It runs as a
child process so its wall time, CPU time (user + system, every thread) and peak memory are its own. The same-run
reference is the same report over the same facts copied into a DuckDB snapshot file ordered as the register's
snapshot is (the copy is timed once and kept; ``BENCH_PARQUET_SNAPSHOT=0`` skips it).

``BENCH_PARQUET_ENROLMENTS=10000000`` gives a quick run, kept and reported apart
(``results/parquet-10000000.json``); the default size writes ``results/parquet.json``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
ENROLMENTS = int(os.environ.get("BENCH_PARQUET_ENROLMENTS", "100000000"))
SIZE = "100m" if ENROLMENTS == 100_000_000 else str(ENROLMENTS)
DATASET = HERE / ".cache" / f"facts-{SIZE}"
SNAPSHOT = HERE / ".cache" / f"facts-{SIZE}.duckdb"
REFERENCE = os.environ.get("BENCH_PARQUET_SNAPSHOT", "1") != "0"
RUNS = int(os.environ.get("BENCH_PARQUET_RUNS", "3"))
PROVIDERS, OFFERINGS, YEARS = 40, 5_000, tuple(range(2019, 2025))
TYPES = ["university"] * 5 + ["university-college"] * 15 + ["school-of-arts"] * 5 + ["other-private"] * 15
KINDS = ["micro-credential", "course-units", "postgraduate", "further-training", "other"]
FIELDS = ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10"]
#: The learner-side values in code order (sorted, as the snapshot codes them), packed into ``profile``.
CODES = {
    "employment_status": ["employed", "job-seeking", "not-in-labour-force", "self-employed", "unknown"],
    "contract_type": ["01", "02", "03", "99"],
    "age_band": ["20-24", "25-29", "30-34", "35-44", "45-54", "55-64", "65+", "<20", "unknown"],
    "outcome": ["enrolled", "failed", "passed", "withdrawn"],
    "learner_ids": ["across-providers", "per-provider"],
}
BANDS = (
    "CASE WHEN t < 30 THEN '<3' WHEN t < 60 THEN '3-5' WHEN t < 110 THEN '6-10' WHEN t <= 200 THEN '11-20' "
    "ELSE '>20' END"
)


def _pick(values: list[str], code: str) -> str:
    return f"[{', '.join(repr(v) for v in values)}][{code} + 1]"


def generate(target: Path) -> float:
    """Make the facts in DuckDB and write them with ``write_facts``; returns the seconds ``write_facts`` took."""
    from microcred.stats.parquet import write_facts
    from microcred.stats.snapshot import CODED, Snapshot, connect

    db = connect()
    db.execute("SET memory_limit = '6GB'")
    db.execute(
        "CREATE TABLE stat_providers AS SELECT (i + 1)::INTEGER AS id, printf('p%02d', i) AS slug, "
        f"'Aanbieder ' || i AS name_nl, 'Provider ' || i AS name_en, {_pick(TYPES, 'i')} AS type "
        f"FROM range({PROVIDERS}) AS r(i)"
    )
    db.execute(
        "CREATE TABLE stat_offerings AS SELECT (o + 1)::INTEGER AS id, "
        "((hash(o, 'p') % 40)::BIGINT + 1)::INTEGER AS provider_id, 'O' || o AS code, 'Opleiding ' || o AS title_nl, "
        f"'Course ' || o AS title_en, {_pick(KINDS, 'o % 5')} AS kind, "
        f"CASE WHEN o % 5 = 0 THEN 'micro-credential-' || ['1', '2', '3a', '3b', 'untyped'][o // 5 % 5 + 1] "
        f"ELSE {_pick(KINDS, 'o % 5')} END AS offer_kind, {BANDS} AS ects_band, (5 + o % 3)::VARCHAR AS eqf, "
        f"'unknown' AS vks, {_pick(FIELDS, 'o % 10')} AS field, 'online' AS participation, t / 10 AS ects "
        f"FROM (SELECT o, [15, 30, 40, 50, 60, 100, 120, 150, 200, 300][(hash(o, 'e') % 10)::BIGINT + 1] AS t "
        f"FROM range({OFFERINGS}) AS r(o))"
    )
    db.execute(
        "CREATE TABLE stat_editions AS SELECT row_number() OVER (ORDER BY o.id, y)::INTEGER AS id, "
        "o.id AS offering_id, y::INTEGER AS academic_year, "
        "CASE WHEN o.id % 4 = 1 THEN NULL ELSE 25 END::INTEGER AS capacity, "
        "o.provider_id, p.slug AS provider, p.type AS provider_type, o.offer_kind, o.field "
        "FROM stat_offerings AS o JOIN stat_providers AS p ON p.id = o.provider_id, "
        f"range({YEARS[0]}, {YEARS[-1] + 1}) AS r(y) WHERE (o.id - 1 + y) % 7 <> 0 AND y >= {YEARS[0]} + (o.id - 1) % 3"
    )
    rows = [(name, code, value) for name in CODED for code, value in enumerate(CODES[name])]
    db.execute("CREATE TABLE stat_codes (dimension VARCHAR, code INTEGER, value VARCHAR)")
    db.executemany("INSERT INTO stat_codes VALUES (?, ?, ?)", rows)
    contract = "CASE WHEN c < 2 THEN 0 WHEN c < 18 THEN 1 WHEN c < 19 THEN 2 ELSE 3 END"
    working = "CASE WHEN s IN (0, 3) THEN 'working' WHEN s IN (1, 2) THEN 'not-working' ELSE 'unknown' END"
    learners = max(ENROLMENTS // 5, 1)
    total = db.execute("SELECT COUNT(*) FROM stat_editions").fetchone()[0]  # type: ignore[index]
    branches = []  # one per academic year, its year a constant: write_facts' per-year COPY reads only its branch
    for year in YEARS:
        db.execute(
            f"CREATE TABLE numbered_{year} AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, * "
            f"FROM stat_editions WHERE academic_year = {year}"
        )
        editions = db.execute(f"SELECT COUNT(*) FROM numbered_{year}").fetchone()[0]  # type: ignore[index]
        rows = ENROLMENTS * editions // total + (ENROLMENTS * editions % total > 0 and year == YEARS[-1])
        branches.append(
            f"SELECT {year}::INTEGER AS academic_year, e.offering_id, e.id AS edition_id, "
            f"((hash(i, 'l', {year}) % {learners})::BIGINT + 1)::INTEGER AS learner_id, e.provider, e.provider_type, "
            f"e.offer_kind, e.field, {working} AS working, {_pick(CODES['employment_status'], 's')} AS "
            f"employment_status, {_pick(CODES['contract_type'], contract)} AS contract_type, "
            f"{_pick(CODES['age_band'], 'a')} AS age_band, {_pick(CODES['outcome'], 'r')} AS outcome, "
            f"{_pick(CODES['learner_ids'], 'x')} AS learner_ids, "
            f"(((((s * 4 + {contract}) * 9 + a) * 4 + r) * 2) + x)::INTEGER AS profile "
            f"FROM (SELECT i, (hash(i, 'e', {year}) % {editions})::BIGINT AS n, "
            f"(hash(i, 's', {year}) % 5)::BIGINT AS s, (hash(i, 'c', {year}) % 20)::BIGINT AS c, "
            f"(hash(i, 'a', {year}) % 9)::BIGINT AS a, "
            f"(hash(i, 'r', {year}) % 4)::BIGINT AS r, CASE WHEN hash(i, 'x', {year}) % 10 = 0 THEN 1 ELSE 0 END AS x "
            f"FROM range({rows}) AS r(i)) JOIN numbered_{year} AS e USING (n)"
        )
    db.execute("CREATE VIEW stat_enrolments AS " + " UNION ALL ".join(branches))
    started = time.perf_counter()
    write_facts(Snapshot(db), target)
    seconds = time.perf_counter() - started
    db.close()
    return seconds


def copy_into_snapshot(dataset: Path, target: Path) -> float:
    """The reference: the same facts as a snapshot file, enrolments ordered by learner and year as the register's."""
    from microcred.stats.parquet import COLUMNS, open_facts
    from microcred.stats.snapshot import connect

    started = time.perf_counter()
    partial = target.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    views = open_facts(dataset)
    views.db.execute(f"ATTACH '{partial}' AS copy")
    views.db.execute("SET memory_limit = '6GB'")
    for table in COLUMNS:  # the views give the files' order: the enrolments are put in the register's
        order = " ORDER BY learner_id, academic_year" if table == "stat_enrolments" else ""
        views.db.execute(f"CREATE TABLE copy.{table} AS SELECT {', '.join(COLUMNS[table])} FROM {table}{order}")
    views.db.execute("DETACH copy")
    views.close()
    partial.rename(target)
    connect(target, read_only=True).close()
    return time.perf_counter() - started


CHILD = """
import json, sys, time
from pathlib import Path
started = time.perf_counter()
from microcred.stats import Scope, Snapshot, build_report
from microcred.stats.parquet import report_from_facts
from microcred.stats.render import render
from microcred.stats.snapshot import connect
scope = Scope(2020, 2024, ("university", "university-college"))
source = Path(sys.argv[2])
if sys.argv[1] == "parquet":
    report = report_from_facts(source, scope, k=5)
else:
    snapshot = Snapshot(connect(source, read_only=True))
    report = build_report(snapshot, scope, k=5)
built = time.perf_counter()
html = render(report, "html", "nl")
peak = [line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM:")]
print(json.dumps({"peak_mib": int(peak[0].split()[1]) // 1024, "report_seconds": built - started,
                  "render_seconds": time.perf_counter() - built,
                  "html_bytes": len(html), "enrolments": report.enrolments.figure("enrolments", "total").value,
                  "digest": __import__("hashlib").sha256(repr(report).encode()).hexdigest()}))
"""


def run_child(kind: str, source: Path) -> dict[str, object]:
    """One process doing the user's action: its wall time, its CPU time (``wait4``) and its peak resident memory
    (VmHWM, which, unlike ``ru_maxrss``, does not count the benchmark's own memory the child was forked from)."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", CHILD, kind, str(source)], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    assert child.returncode == 0, f"the {kind} report failed"
    found: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    cpu = usage.ru_utime + usage.ru_stime
    found.update(wall_seconds=round(wall, 2), cpu_seconds=round(cpu, 2))  # peak_mib: the child's own VmHWM
    return found


def _load() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def main() -> int:
    free = shutil.disk_usage(HERE).free / 2**30
    print(f"{ENROLMENTS:,} enrolments; {free:.0f} GiB free; load average {_load()} on {os.cpu_count()} cpus")
    write_seconds = None
    if not DATASET.exists():
        print(f"generating the facts into {DATASET} (once)")
        write_seconds = generate(DATASET)
        print(f"  write_facts {write_seconds:.1f} s")
    size = sum(f.stat().st_size for f in DATASET.rglob("*.parquet")) / 2**20
    copy_seconds = None
    if REFERENCE and not SNAPSHOT.exists():
        copy_seconds = copy_into_snapshot(DATASET, SNAPSHOT)
        print(f"copied into the reference snapshot file in {copy_seconds:.1f} s")
    load_before = _load()
    runs = []
    for _ in range(RUNS):
        runs.append(run_child("parquet", DATASET))
        print(f"  parquet: {runs[-1]}")
    reference = []
    for _ in range(RUNS if REFERENCE else 0):
        reference.append(run_child("snapshot", SNAPSHOT))
        print(f"  snapshot: {reference[-1]}")
    load_after = _load()
    if reference:
        assert {r["digest"] for r in runs} == {r["digest"] for r in reference}, "the reports differ"
    best = min(runs, key=lambda r: float(str(r["wall_seconds"])))
    best_reference = min(reference, key=lambda r: float(str(r["wall_seconds"]))) if reference else None
    ratio = (
        None
        if best_reference is None
        else float(str(best["wall_seconds"])) / float(str(best_reference["wall_seconds"]))
    )
    print(
        f"report over Parquet, end to end (process start, report, HTML): best {best['wall_seconds']} s wall, "
        f"{best['cpu_seconds']} s CPU, {best['peak_mib']} MiB peak; over the snapshot file "
        f"{None if best_reference is None else best_reference['wall_seconds']} s (ratio {ratio and round(ratio, 2)}); "
        f"dataset {size:,.0f} MiB; load {load_before} -> {load_after}"
    )
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / ("parquet.json" if SIZE == "100m" else f"parquet-{SIZE}.json")).write_text(
        json.dumps(
            {
                "dataset": {
                    "enrolments": ENROLMENTS,
                    "providers": PROVIDERS,
                    "offerings": OFFERINGS,
                    "academic_years": len(YEARS),
                    "mib": round(size),
                },
                "machine": {"cpus": os.cpu_count(), "load_average": [load_before, load_after]},
                "write_facts_seconds": None if write_seconds is None else round(write_seconds, 1),
                "dataset_cached": write_seconds is None,
                "snapshot_copy_seconds": None if copy_seconds is None else round(copy_seconds, 1),
                "parquet_runs": runs,
                "snapshot_runs": reference,
                "parquet_to_snapshot_ratio": None if ratio is None else round(ratio, 2),
                "target_seconds": 30.0,
                "met_target": float(str(best["wall_seconds"])) < 30.0,
            },
            indent=1,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
