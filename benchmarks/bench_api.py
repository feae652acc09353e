"""Load test of the HTTP API: ``microcred serve`` over loopback, driven by wrk, on SQLite and PostgreSQL.

For each backend: a fresh database with the demo register (full by default), one issued credential, then
the server in its own processes. Three scenarios are swept over 1..64 concurrent connections: a popular
catalogue search (one query again and again: the catalogue cache answers it), varied catalogue searches
(hundreds of queries in turn, more than the cache keeps: the database answers each), and credential
verification (POST /api/v1/verify). Per scenario it reports the highest throughput whose p99 latency stays
under 100 ms, the p99 at 16 connections, and the CPU time per request of the server processes and of wrk
(from /proc and getrusage: on a shared machine these say more than the rates).

Each backend is measured three ways in the same run: the reference (the settings before issue 21: one
process, asyncio and h11, 40 threads, no catalogue cache, started with plain uvicorn), then ``microcred serve``
with one and with two processes. wrk is closed-loop (each connection sends its next request when the answer
arrives), so more connections means a higher offered rate.

``BENCH_API_QUICK=1``: the small demo register, 2 s per point and 1, 4 and 16 connections only, for a look
on a busy machine. Uses wrk from Debian (installed with apt-get when missing and running as root);
otherwise falls back to a Python asyncio + httpx generator, labelled as such in the results (it is much
weaker than wrk). Writes benchmarks/results/api.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

from microcred.bootstrap import build
from microcred.domain import OfferingStatus, Outcome
from microcred.services import catalogue, enrolments, issuance
from microcred.settings import Settings
from microcred.testing import free_port, throwaway_postgres

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "api.json"
BIN = Path(sys.executable).parent
QUICK = os.environ.get("BENCH_API_QUICK", "0") == "1"
SECONDS = int(os.environ.get("BENCH_SECONDS", "2" if QUICK else "5"))
SCALE = "small" if QUICK else "full"
CONNECTIONS = (1, 4, 16) if QUICK else (1, 2, 4, 8, 16, 32, 64)
P99_LIMIT_MS = 100.0
CROWD = 16  # issue 21: at 16 connections the p99 must stay under 250 ms
SEARCH_PATH = "/api/v1/catalogue?q=data&limit=20"
# (label, command, processes, extra environment): the reference is how `serve` ran before issue 21.
SETUPS: tuple[tuple[str, str, int, dict[str, str]], ...] = (
    ("reference", "uvicorn", 1, {"MICROCRED_HTTP_THREADS": "40", "MICROCRED_CATALOGUE_CACHE_SIZE": "0"}),
    ("serve", "serve", 1, {}),
    ("serve", "serve", 2, {}),
)


def _env(database_url: str, workdir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "MICROCRED_DATABASE_URL": database_url,
        "MICROCRED_ENVIRONMENT": "development",
        "MICROCRED_LOG_LEVEL": "WARNING",  # one JSON line per request would measure stderr, not the API
        "MICROCRED_OUTBOX_DIR": str(workdir / "outbox"),
        # wrk sends every request from one loopback address: the per-address verification limit (1/s after 30)
        # would answer 429 to nearly all of them and the bench would measure refusals, not verification.
        "MICROCRED_VERIFICATION_RATE": "1000000",
        "MICROCRED_VERIFICATION_BURST": "1000000",
    }


def _issue_one_credential(database_url: str) -> dict[str, Any]:
    """A real credential of the demo register to verify: a passed enrolment of a published offering."""
    register = build(Settings(database_url=database_url))
    try:
        for offering in catalogue.list_offerings(register.uow):
            if offering.status is not OfferingStatus.PUBLISHED:
                continue
            for edition in enrolments.list_editions(offering.provider, offering.code, register.uow):
                passed = enrolments.enrolments_page(
                    offering.provider, edition.code, register.uow, outcome=Outcome.PASSED, limit=1
                ).items
                if passed:
                    credential = issuance.issue_for_enrolment(
                        offering.provider,
                        passed[0].reference,
                        uow=register.uow,
                        keys=register.key_store,
                        settings=register.settings,
                        clock=register.clock,
                    )
                    return credential.document
        raise RuntimeError("the demo register has no passed enrolment to issue a credential for")
    finally:
        register.close()


@contextmanager
def _server(env: dict[str, str], log: Path, command: str, workers: int) -> Iterator[tuple[str, int]]:
    """The server's base URL and process id; ``uvicorn`` starts the app as ``serve`` did before issue 21."""
    port = free_port()
    if command == "uvicorn":
        argv = [str(BIN / "uvicorn"), "microcred.asgi:create_app", "--factory", "--loop", "asyncio", "--http", "h11"]
        argv += ["--no-access-log", "--log-level", "warning", "--workers", str(workers)]
    else:
        argv = [str(BIN / "microcred"), "serve", "--workers", str(workers)]
    process = subprocess.Popen([*argv, "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError(f"the server did not become ready:\n{log.read_text()[-2000:]}")
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def _cpu_seconds(root: int) -> float | None:
    """User + system CPU seconds of a process and all its descendants (Linux /proc); None elsewhere."""
    proc = Path("/proc")
    if not (proc / str(root) / "stat").exists():
        return None
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    tree, grown = {root}, True
    while grown:
        found = {pid for pid, parent in parents.items() if parent in tree} - tree
        grown = bool(found)
        tree |= found
    return sum(times.get(pid, 0.0) for pid in tree)


def _ensure_wrk() -> str | None:
    found = shutil.which("wrk")
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, capture_output=True)
        found = shutil.which("wrk")
    return found


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip()).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def _run_wrk(wrk: str, url: str, connections: int, script: Path | None) -> dict[str, Any]:
    command = [wrk, "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{SECONDS}s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    total = re.search(r"(\d+) requests in", output)
    percentiles = dict(re.findall(r"^\s*(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    if "50" not in percentiles or "99" not in percentiles:
        raise RuntimeError(f"cannot read wrk's latency distribution:\n{output}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "connections": connections,
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50_ms": round(_ms(percentiles["50"]), 2),
        "p99_ms": round(_ms(percentiles["99"]), 2),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "requests": int(total.group(1)) if total else 0,
    }


async def _python_load(url: str, connections: int, body: bytes | None) -> dict[str, Any]:
    latencies: list[float] = []
    failures = 0
    deadline = time.perf_counter() + SECONDS

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal failures
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            if body is None:
                response = await client.get(url)
            else:
                response = await client.post(url, content=body, headers={"Content-Type": "application/json"})
            latencies.append((time.perf_counter() - started) * 1000)
            failures += response.status_code >= 400

    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=connections)) as client:
        await asyncio.gather(*(worker(client) for _ in range(connections)))
    latencies.sort()
    return {
        "connections": connections,
        "requests_per_second": round(len(latencies) / SECONDS, 1),
        "p50_ms": round(latencies[len(latencies) // 2], 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 2),
        "non_2xx": failures,
        "requests": len(latencies),
    }


def _post_script(body_file: Path) -> Path:
    script = body_file.with_suffix(".lua")
    script.write_text(
        'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.body = io.open("{body_file}", "rb"):read("*a")\n'
    )
    return script


def _varied_script(workdir: Path, words: list[str]) -> Path:
    """Each request the next query of its wrk thread's own cycle: its words x 50 page sizes (thread 1 asks
    limits 1-50, thread 2 51-100), more queries than the catalogue cache keeps (256), asked in order, so its
    least-recently-used order has dropped each before it comes round again: the database answers each."""
    if len(words) * 50 <= 256:
        raise RuntimeError(f"too few title words for the varied searches: {words}")
    script = workdir / "varied.lua"
    listed = ", ".join(f'"{word}"' for word in words)
    script.write_text(
        f"local words = {{{listed}}}\nlocal threads = 0\n"
        'function setup(thread)\n  thread:set("base", threads * 50)\n  threads = threads + 1\nend\n'
        "local n = 0\n"
        "request = function()\n  n = n + 1\n"
        "  local word = words[(n % #words) + 1]\n"
        "  local limit = base + 1 + (math.floor(n / #words) % 50)\n"
        '  return wrk.format("GET", "/api/v1/catalogue?q=" .. word .. "&limit=" .. limit)\nend\n'
    )
    return script


def _point(wrk: str | None, url: str, connections: int, script: Path | None, body: Path | None, pid: int) -> Any:
    """One load run, with the CPU the server processes and the load generator spent on it."""
    server_before = _cpu_seconds(pid)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    if wrk is not None:
        point = _run_wrk(wrk, url, connections, script)
    else:
        point = asyncio.run(_python_load(url, connections, body.read_bytes() if body is not None else None))
    server_after = _cpu_seconds(pid)
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    requests = max(point.pop("requests"), 1)
    generator = (children_after.ru_utime + children_after.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    if server_before is not None and server_after is not None:
        point["server_cpu_ms_per_request"] = round((server_after - server_before) * 1000 / requests, 3)
    if wrk is not None:
        point["wrk_cpu_ms_per_request"] = round(generator * 1000 / requests, 3)
    point["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return point


def _sweep(wrk: str | None, url: str, script: Path | None, body: Path | None, pid: int) -> dict[str, Any]:
    sweep = []
    for connections in CONNECTIONS:
        point = _point(wrk, url, connections, script, body, pid)
        sweep.append(point)
        print(
            f"    {connections:>3} connections: {point['requests_per_second']:>8.1f} req/s, "
            f"p50 {point['p50_ms']:.1f} ms, p99 {point['p99_ms']:.1f} ms, non-2xx {point['non_2xx']}, "
            f"server CPU {point.get('server_cpu_ms_per_request', '?')} ms/request, load {point['load_average'][0]}"
        )
        if point["p50_ms"] > P99_LIMIT_MS and connections >= CROWD:
            break  # even the median is past the limit: more connections only queue
    within = [p for p in sweep if p["p99_ms"] < P99_LIMIT_MS and p["non_2xx"] == 0]
    best = max(within, key=lambda p: p["requests_per_second"]) if within else None
    crowd = next((p for p in sweep if p["connections"] == CROWD), None)
    return {
        "best_under_p99_limit": best,
        f"p99_ms_at_{CROWD}_connections": crowd["p99_ms"] if crowd else None,
        "sweep": sweep,
    }


def _search_words(database_url: str) -> list[str]:
    """Words of published offerings' English titles: queries the catalogue has answers for."""
    register = build(Settings(database_url=database_url))
    try:
        words: list[str] = []
        for offering in catalogue.list_offerings(register.uow):
            for word in (offering.title.texts.get("en") or "").lower().split():
                if word.isascii() and word.isalpha() and len(word) >= 5 and word not in words:
                    words.append(word)
        return words[:40]
    finally:
        register.close()


def _backend(name: str, database_url: str, wrk: str | None) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix=f"microcred-bench-{name}-"))
    env = _env(database_url, workdir)
    try:
        subprocess.run([str(BIN / "microcred"), "init"], env=env, check=True, capture_output=True, cwd=workdir)
        loaded = subprocess.run(
            [str(BIN / "microcred"), "demo", "--scale", SCALE],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            cwd=workdir,
        ).stdout.strip()
        print(f"== {name}: {' '.join(loaded.split()[:14])}")
        credential = workdir / "credential.json"
        credential.write_text(json.dumps(_issue_one_credential(database_url)))
        post, varied = _post_script(credential), _varied_script(workdir, _search_words(database_url))
        results: dict[str, Any] = {"demo": " ".join(loaded.split()[:14])}
        for label, command, count, extra in SETUPS:
            print(f"  {label}: {count} server process(es)")
            measured: dict[str, Any] = {"command": command, "processes": count, "environment": extra}
            with _server({**env, **extra}, workdir / f"{label}-{count}.log", command, count) as (base, pid):
                answer = httpx.post(
                    f"{base}/api/v1/verify",
                    content=credential.read_bytes(),
                    headers={"Content-Type": "application/json"},
                )
                assert answer.json()["verified"], answer.text
                print("  catalogue search, one popular query")
                search = _sweep(wrk, base + SEARCH_PATH, None, None, pid)
                measured["catalogue_search"] = {"request": f"GET {SEARCH_PATH}", **search}
                print("  catalogue search, varied queries")
                spread = _sweep(wrk, base + "/api/v1/catalogue", varied, None, pid) if wrk else None
                measured["catalogue_search_varied"] = {
                    "request": "GET /api/v1/catalogue?q=<word>&limit=<1..100>",
                    **(spread or {}),
                }
                print("  credential verification")
                verify = _sweep(wrk, base + "/api/v1/verify", post, credential, pid)
                measured["verify"] = {"request": "POST /api/v1/verify", **verify}
            results[f"{label}_{count}"] = measured
        return results
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _summary(report: dict[str, Any], backend: str) -> None:
    """One line per setup and scenario, with the ratio to the same run's reference."""
    results = report[backend]
    reference = results.get("reference_1", {})
    for setup in (key for key in results if key != "demo"):
        for scenario in ("catalogue_search", "catalogue_search_varied", "verify"):
            measured = results[setup].get(scenario, {})
            best = measured.get("best_under_p99_limit")
            crowd = measured.get(f"p99_ms_at_{CROWD}_connections")
            base = (reference.get(scenario) or {}).get("best_under_p99_limit")
            ratio = (
                f", {best['requests_per_second'] / base['requests_per_second']:.1f}x the reference"
                if best and base
                else ""
            )
            shown = (
                f"{best['requests_per_second']:.0f} req/s at {best['connections']} connections "
                f"(p99 {best['p99_ms']} ms, server CPU {best.get('server_cpu_ms_per_request')} ms/request){ratio}"
                if best
                else "p99 never under the limit"
            )
            print(f"{backend:>10} {setup:<12} {scenario:<24} {shown}; p99 at {CROWD}: {crowd} ms")


def main() -> None:
    wrk = _ensure_wrk()
    if wrk is not None:
        generator = subprocess.run([wrk, "--version"], check=False, capture_output=True, text=True).stdout
        generator = generator.splitlines()[0]
    else:
        generator = "python asyncio + httpx (fallback: wrk not available; far weaker than wrk)"
    print(f"load generator: {generator}; {SECONDS} s per point; demo {SCALE}; load {os.getloadavg()[0]:.2f}")
    report: dict[str, Any] = {
        "generator": generator,
        "setups": [
            {"label": label, "command": command, "processes": count, "environment": extra}
            for label, command, count, extra in SETUPS
        ],
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "seconds_per_point": SECONDS,
        "demo_scale": SCALE,
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "p99_limit_ms": P99_LIMIT_MS,
    }
    with tempfile.TemporaryDirectory() as directory:
        report["sqlite"] = _backend("sqlite", f"sqlite:///{directory}/bench.db", wrk)
    _summary(report, "sqlite")
    with ExitStack() as stack:
        try:
            server = stack.enter_context(throwaway_postgres())
        except (RuntimeError, OSError, subprocess.CalledProcessError) as missing:
            # a machine without PostgreSQL still gets its SQLite figures, and the file says why the rest is absent
            report["postgresql"] = {"skipped": f"no PostgreSQL server to start: {missing}"}
            print(f"PostgreSQL skipped: {missing}")
        else:
            report["postgresql"] = _backend("postgresql", server.create_database("bench_api"), wrk)
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    for backend in ("sqlite", "postgresql"):
        if "skipped" not in report[backend]:
            _summary(report, backend)
    print(f"written {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
