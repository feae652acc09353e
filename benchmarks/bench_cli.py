"""Time the command line's start-up: what a user waits for before any command does its work.

Each case runs in a fresh interpreter, as a user's shell starts it, several times; we report the median wall
time and CPU (children's rusage), next to the floor of the same interpreter doing nothing (``python -c pass``)
in the same run, so the ratio says what microcred itself adds. Issue 21's target: ``microcred --help`` under
0.5 s. ``microcred provider list`` is a real command on a small register (``microcred init`` and ``microcred demo``
run once, before the timing, in a temporary folder): what a user waits for when a command opens the register.
Results, with the load average seen, go to benchmarks/results/cli.json.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
MICROCRED = str(Path(sys.executable).with_name("microcred"))  # the console script a user runs
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
TARGET_SECONDS = 0.5
CASES = {
    "python -c pass (floor)": [sys.executable, "-c", "pass"],
    "microcred --help": [MICROCRED, "--help"],
    "microcred --version": [MICROCRED, "--version"],
    "microcred report --help": [MICROCRED, "report", "--help"],
    "microcred verify --help": [MICROCRED, "verify", "--help"],
    "microcred report parliament --help": [MICROCRED, "report", "parliament", "--help"],
    "microcred provider list (small register)": [MICROCRED, "provider", "list"],
}
REAL_COMMAND = "microcred provider list (small register)"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _small_register(folder: str) -> dict[str, str]:
    """The environment of a register in ``folder``, migrated and loaded with the small demo (not timed)."""
    env = {**os.environ, "MICROCRED_DATABASE_URL": f"sqlite:///{folder}/bench.db", "MICROCRED_ENVIRONMENT": "test"}
    for command in ([MICROCRED, "init"], [MICROCRED, "demo", "--scale", "small"]):
        subprocess.run(command, capture_output=True, check=True, env=env, cwd=folder)
    return env


def _time(command: list[str], env: dict[str, str], folder: str) -> tuple[float, float]:
    """Median wall and CPU seconds of ``RUNS`` runs (after one warm-up run for the file cache)."""
    subprocess.run(command, capture_output=True, check=True, env=env, cwd=folder)
    walls, cpus = [], []
    for _ in range(RUNS):
        started, used = time.perf_counter(), _children_cpu()
        subprocess.run(command, capture_output=True, check=True, env=env, cwd=folder)
        walls.append(time.perf_counter() - started)
        cpus.append(_children_cpu() - used)
    return statistics.median(walls), statistics.median(cpus)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        env = _small_register(folder)
        load = [round(value, 2) for value in os.getloadavg()]
        print(f"load average {load} on {os.cpu_count()} cpus; {RUNS} runs per case")
        results = {}
        for name, command in CASES.items():
            wall, cpu = _time(command, env, folder)
            results[name] = {"median_wall_seconds": round(wall, 3), "median_cpu_seconds": round(cpu, 3)}
            print(f"{name:<42} {wall:6.3f} s wall  {cpu:6.3f} s CPU")
    floor = results["python -c pass (floor)"]["median_cpu_seconds"] or 0.001
    help_cpu = results["microcred --help"]["median_cpu_seconds"]
    summary = {
        "benchmark": "cli start-up",
        "load_average_before": load,
        "load_average_after": [round(value, 2) for value in os.getloadavg()],
        "cpus": os.cpu_count(),
        "runs": RUNS,
        "cases": results,
        "help_cpu_over_interpreter_floor": round(help_cpu / floor, 1),
        "target_seconds": TARGET_SECONDS,
        "target_met_cpu": help_cpu < TARGET_SECONDS,
        "target_met_wall": results["microcred --help"]["median_wall_seconds"] < TARGET_SECONDS,
        "every_help_case_under_target_cpu": all(
            case["median_cpu_seconds"] < TARGET_SECONDS for name, case in results.items() if name != REAL_COMMAND
        ),
        "real_command": REAL_COMMAND,
        "real_command_cpu_over_help": round(results[REAL_COMMAND]["median_cpu_seconds"] / (help_cpu or 0.001), 1),
    }
    out = HERE / "results" / "cli.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"microcred --help: {help_cpu:.3f} s CPU, {summary['help_cpu_over_interpreter_floor']}x the floor; {out}")
    print(f"{REAL_COMMAND}: {summary['real_command_cpu_over_help']}x the CPU of --help")
    return 0


if __name__ == "__main__":
    sys.exit(main())
