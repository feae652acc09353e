"""Load test of the HTTP API: ``microcred serve`` over loopback, driven by wrk, on SQLite and PostgreSQL.

For each backend: a fresh database with the full demo register, one issued credential, then the server in
its own processes. Two scenarios — catalogue search (GET /api/v1/catalogue?q=…) and credential
verification (POST /api/v1/verify) — are swept over 1..64 concurrent connections; the reported figure is
the highest throughput whose p99 latency stays under 100 ms. wrk is closed-loop (each connection sends
its next request when the answer arrives), so more connections means a higher offered rate.

Uses wrk from Debian (installed with apt-get when missing and running as root); otherwise falls back to
a Python asyncio + httpx generator, labelled as such in the results (it is much weaker than wrk).
Writes benchmarks/results/api.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import re
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
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = (1, 2, 4, 8, 16, 32, 64)
P99_LIMIT_MS = 100.0
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))  # one process: wrk needs the other core(s)
POSTGRES_WORKERS = (1, 2)  # issue 16: the same run measures one and two server processes on PostgreSQL
SEARCH_PATH = "/api/v1/catalogue?q=data&limit=20"


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
def _server(env: dict[str, str], log: Path, workers: int) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "microcred"), "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
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
            raise RuntimeError(f"microcred serve did not become ready:\n{log.read_text()[-2000:]}")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


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
    }


def _sweep(wrk: str | None, url: str, body_file: Path | None) -> dict[str, Any]:
    script = None
    if wrk is not None and body_file is not None:
        script = body_file.with_suffix(".lua")
        script.write_text(
            'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            f'wrk.body = io.open("{body_file}", "rb"):read("*a")\n'
        )
    sweep = []
    for connections in CONNECTIONS:
        if wrk is not None:
            point = _run_wrk(wrk, url, connections, script)
        else:
            body = body_file.read_bytes() if body_file is not None else None
            point = asyncio.run(_python_load(url, connections, body))
        sweep.append(point)
        print(
            f"    {connections:>3} connections: {point['requests_per_second']:>8.1f} req/s, "
            f"p50 {point['p50_ms']:.1f} ms, p99 {point['p99_ms']:.1f} ms, non-2xx {point['non_2xx']}"
        )
        if point["p50_ms"] > P99_LIMIT_MS:
            break  # even the median is past the limit: more connections only queue
    within = [p for p in sweep if p["p99_ms"] < P99_LIMIT_MS and p["non_2xx"] == 0]
    best = max(within, key=lambda p: p["requests_per_second"]) if within else None
    return {"best_under_p99_limit": best, "sweep": sweep}


def _backend(name: str, database_url: str, wrk: str | None, workers: tuple[int, ...]) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix=f"microcred-bench-{name}-"))
    env = _env(database_url, workdir)
    try:
        subprocess.run([str(BIN / "microcred"), "init"], env=env, check=True, capture_output=True, cwd=workdir)
        loaded = subprocess.run(
            [str(BIN / "microcred"), "demo", "--scale", "full"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            cwd=workdir,
        ).stdout.strip()
        print(f"== {name}: {' '.join(loaded.split())}")
        credential = workdir / "credential.json"
        credential.write_text(json.dumps(_issue_one_credential(database_url)))
        results: dict[str, Any] = {"demo": " ".join(loaded.split())}
        for count in workers:
            print(f"  {count} server process(es)")
            measured: dict[str, Any] = {}
            with _server(env, workdir / f"serve-{count}.log", count) as base:
                assert httpx.post(
                    f"{base}/api/v1/verify",
                    content=credential.read_bytes(),
                    headers={"Content-Type": "application/json"},
                ).json()["verified"]
                print("  catalogue search")
                search = _sweep(wrk, base + SEARCH_PATH, None)
                measured["catalogue_search"] = {"request": f"GET {SEARCH_PATH}", **search}
                print("  credential verification")
                verify = _sweep(wrk, base + "/api/v1/verify", credential)
                measured["verify"] = {"request": "POST /api/v1/verify", **verify}
            results[f"workers_{count}"] = measured
        return results
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    wrk = _ensure_wrk()
    if wrk is not None:
        generator = subprocess.run([wrk, "--version"], check=False, capture_output=True, text=True).stdout
        generator = generator.splitlines()[0]
    else:
        generator = "python asyncio + httpx (fallback: wrk not available; far weaker than wrk)"
    print(f"load generator: {generator}; server workers: {WORKERS}; {SECONDS} s per point")
    report: dict[str, Any] = {
        "generator": generator,
        "server": f"microcred serve --workers N: SQLite {WORKERS}, PostgreSQL {POSTGRES_WORKERS}; logs at WARNING",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "seconds_per_point": SECONDS,
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "p99_limit_ms": P99_LIMIT_MS,
    }
    with tempfile.TemporaryDirectory() as directory:
        report["sqlite"] = _backend("sqlite", f"sqlite:///{directory}/bench.db", wrk, (WORKERS,))
    with ExitStack() as stack:
        try:
            server = stack.enter_context(throwaway_postgres())
        except (RuntimeError, OSError, subprocess.CalledProcessError) as missing:
            # a machine without PostgreSQL still gets its SQLite figures, and the file says why the rest is absent
            report["postgresql"] = {"skipped": f"no PostgreSQL server to start: {missing}"}
            print(f"PostgreSQL skipped: {missing}")
        else:
            report["postgresql"] = _backend("postgresql", server.create_database("bench_api"), wrk, POSTGRES_WORKERS)
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    for backend, counts in (("sqlite", (WORKERS,)), ("postgresql", POSTGRES_WORKERS)):
        if "skipped" in report[backend]:
            continue
        for count, scenario in ((c, s) for c in counts for s in ("catalogue_search", "verify")):
            best = report[backend][f"workers_{count}"][scenario]["best_under_p99_limit"]
            shown = (
                (
                    f"{best['requests_per_second']:.0f} req/s, p50 {best['p50_ms']} ms, p99 {best['p99_ms']} ms "
                    f"at {best['connections']} connections"
                )
                if best
                else "p99 never under the limit"
            )
            print(f"{backend:>10} {count} process(es) {scenario:<17} {shown}")
    print(f"written {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
