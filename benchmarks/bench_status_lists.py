"""Bulk issuing for one provider past its status lists' size: credentials/s with storage and list updates,
next to the signing-only rate and the old one-transaction-per-credential rate, in the same run (issue 21).

Issue 16 and 21: a provider issues ``BENCH_CREDENTIALS`` credentials (300,000 by default, past two lists of
131,072) through a durable bulk-issuing job, exactly as ``microcred issue --edition``, the API and the desk
issue: the job's worker issues ``BATCH_SIZE`` credentials per transaction (decision 0025), each index drawn
from its list's shuffled order, a full list opening the next one with its three list credentials signed, and
every credential checked against the OB 3.0 schema, signed and stored with its job item. The rate counts
all of it, from claiming the job to its end.

In the same run, two references:
- **signing only**: the same documents (the issued ones without their proof) checked against the schema and
  their proof computed again with the provider's key (``open_badge_proof``, what the issue path calls), no
  document built and nothing stored: the ceiling bulk issuing can approach;
- **one transaction per credential**: ``BENCH_SINGLE`` credentials (2,000 by default) of another edition issued
  one at a time (``issue_for_enrolment``), which is what a bulk job did before decision 0025.
Both are reported with the ratio of the batched rate to them, and the batched rate per CPU second next to
issue 21's target (1,500 credentials/s on one core, decision 0036). Then ``BENCH_REVOCATIONS`` credentials spread
over the lists are revoked the way the register did before migration credentials_0004 (its state indexes
dropped for the while, each of the list's three purposes rebuilt from every credential in the list's block,
as ``set_bits`` read them), and as many others the current way (the indexes back, one read of the list's
revoked and suspended credentials for every purpose), with the ratio of the two rates.

The demo register gives a provider with a published offering; two editions get the passed enrolments through
the importer (not timed). On a shared machine the wall-clock rates understate the code, so each rate is
also given in this process's CPU time (``*_per_cpu_s``). ``BENCH_BACKENDS`` is ``sqlite,postgresql`` by
default (PostgreSQL: a throw-away server, as the tests use); ``BENCH_LIST_SIZE`` overrides the list size
(production: at least 131,072). The load average is written before, after the batched issue and at the
end. Writes benchmarks/results/status_lists.json; ``BENCH_QUICK=1`` is a quick run (5,000 credentials, 200 one
at a time, 5 s of signing, 10 revocations; each figure can still be set on its own), for a loaded machine.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from microcred.bootstrap import Register, build
from microcred.credentials.ob3 import open_badge_proof
from microcred.domain import CredentialState, Edition, OfferingStatus, StatusPurpose
from microcred.services import catalogue, imports, issuance
from microcred.services.demo import load_demo
from microcred.services.status_lists import sign_status_list
from microcred.settings import Settings
from microcred.storage.credential_tables import credentials
from microcred.storage.repositories import SqlProviderRepository
from microcred.testing import throwaway_postgres

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
CREDENTIALS = int(os.environ.get("BENCH_CREDENTIALS", "5000" if QUICK else "300000"))
SINGLE = int(os.environ.get("BENCH_SINGLE", "200" if QUICK else "2000"))
LIST_SIZE = int(os.environ.get("BENCH_LIST_SIZE", "131072"))
REVOCATIONS = int(os.environ.get("BENCH_REVOCATIONS", "10" if QUICK else "30"))
SIGNING_SECONDS = float(os.environ.get("BENCH_SECONDS", "5" if QUICK else "10"))
TARGET_PER_CPU_S = 1500  # issue 21: bulk issuing with storage at the speed of signing, on one core
BACKENDS = tuple(os.environ.get("BENCH_BACKENDS", "sqlite,postgresql").split(","))
PEPPER = "benchmark-pepper-0123456789"
EDITION, SINGLE_EDITION = "BENCH-STATUS", "BENCH-SINGLE"
RESULTS = Path(__file__).parent / "results" / "status_lists.json"


def _load() -> list[float]:
    return [round(load, 2) for load in os.getloadavg()]


def _enrol(register: Register, folder: Path, provider: str, edition: str, count: int, prefix: str) -> None:
    enrolments = folder / f"{edition}.csv"
    with enrolments.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["aanbieder", "referentie", "editiecode", "studentnummer", "inschrijvingsdatum",
                         "contracttype", "arbeidsstatus", "leeftijdsgroep", "resultaat", "resultaatdatum"])  # fmt: skip
        for number in range(count):
            writer.writerow([provider, f"{prefix}{number:08d}", edition, f"{prefix.lower()}{number:09d}", "2024-09-01",
                             "02", "employed", "35-44", "passed", "2025-01-31"])  # fmt: skip
    report = imports.import_file(
        "enrolments", enrolments, register.uow, pepper=PEPPER, max_bytes=1 << 31, provider=provider
    )
    if not (report.committed and report.created == count):
        raise SystemExit(report.render())


def _prepare(register: Register, folder: Path) -> str:
    """The demo register, and two editions of its first published offering with passed enrolments."""
    load_demo(register.uow, pepper=PEPPER, scale="small")
    offering = next(o for o in catalogue.list_offerings(register.uow) if o.status is OfferingStatus.PUBLISHED)
    with register.uow() as work:
        for code in (EDITION, SINGLE_EDITION):
            work.editions.save(Edition(offering.provider, code, offering.code, date(2024, 9, 1), date(2025, 1, 31)))
        work.commit()
    _enrol(register, folder, offering.provider, EDITION, CREDENTIALS, "S")
    _enrol(register, folder, offering.provider, SINGLE_EDITION, SINGLE, "T")
    return offering.provider


def _signing_only(register: Register, provider: str, documents: list[dict[str, Any]]) -> tuple[float, float]:
    """Schema check and proof of the issued documents again, without storage: credentials/s (wall, CPU)."""
    now = register.clock()
    with register.uow() as work:
        key, method = register.key_store.signing_key(work, provider, now)
    unsigned = [{name: value for name, value in document.items() if name != "proof"} for document in documents]
    count, started, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - started < SIGNING_SECONDS:
        open_badge_proof(unsigned[count % len(unsigned)], signing_key=key, verification_method=method, created=now)
        count += 1
    return count / (time.perf_counter() - started), count / (time.process_time() - cpu)


def _one_at_a_time(register: Register, provider: str) -> tuple[float, float]:
    """The path a bulk job took before decision 0025: one transaction per credential; credentials/s (wall, CPU)."""
    with register.uow() as work:
        references = work.credentials.passed_without_credential(provider, SINGLE_EDITION)
    started, cpu = time.perf_counter(), time.process_time()
    for reference in references:
        register.issuance.issue_for_enrolment(provider, reference)
    return len(references) / (time.perf_counter() - started), len(references) / (time.process_time() - cpu)


def _bits_before(work: Any, provider: str, purpose: StatusPurpose, number: int) -> list[int]:
    """A list's bits for ``purpose`` as ``set_bits`` read them before credentials_0004: every credential in
    the list's block, filtered by state (the bench issues no stacked credentials, whose read was the same)."""
    first = work.credentials.list_position(provider, number, 0)
    size = work.credentials.status_list_size(provider, number)
    connection: Connection = work.connection
    provider_id = SqlProviderRepository(connection).id_of(provider)
    in_list = (
        (credentials.c.provider_id == provider_id)
        & (credentials.c.revocation_index >= first)
        & (credentials.c.revocation_index < first + size)
    )
    revoked, suspended = CredentialState.REVOKED.value, CredentialState.SUSPENDED.value
    if purpose is StatusPurpose.MESSAGE:
        rows = connection.execute(
            select(credentials.c.revocation_index, credentials.c.state).where(
                in_list, credentials.c.state.in_((revoked, suspended))
            )
        ).all()
        return [2 * (int(index) - first) + (state == suspended) for index, state in rows]
    state = revoked if purpose is StatusPurpose.REVOCATION else suspended
    column = credentials.c.revocation_index if purpose is StatusPurpose.REVOCATION else credentials.c.suspension_index
    read = connection.execute(select(column).where(in_list, credentials.c.state == state)).scalars()
    return [int(index) - first for index in read]


def _revoke_as_before(register: Register, uuid: str) -> None:
    """A revocation as ``change_state`` made it before credentials_0004: each of the list's three purposes
    rebuilt from every credential in the list's block, then signed."""
    settings, keys = register.settings, register.key_store
    with register.uow() as work:
        provider = work.credentials.get(uuid).provider
        work.credentials.lock_status_lists(provider, size=settings.status_list_size)
        credential, now = work.credentials.get(uuid), register.clock()
        credential.revoke("benchmark", now)
        work.credentials.save_state(credential)
        number = credential.status_list
        for purpose in StatusPurpose:
            bits = _bits_before(work, provider, purpose, number)
            sign_status_list(work, provider, purpose, number, bits, keys=keys, settings=settings, now=now)
        work.commit()


_STATE_INDEXES = {  # migration credentials_0004's
    "ix_credentials_provider_state": "credentials",
    "ix_stacked_credentials_provider_state": "stacked_credentials",
}


def _revocations(register: Register, chosen: list[str]) -> dict[str, Any]:
    """The first half of ``chosen`` revoked as before (without the state indexes), the rest as now: per s."""
    before, now = chosen[: len(chosen) // 2], chosen[len(chosen) // 2 :]
    with register.engine.begin() as connection:
        for index in _STATE_INDEXES:
            connection.exec_driver_sql(f"DROP INDEX {index}")
    load_before = _load()
    started = time.perf_counter()
    for uuid in before:
        _revoke_as_before(register, uuid)
    old_rate = len(before) / (time.perf_counter() - started)
    with register.engine.begin() as connection:
        for index, table in _STATE_INDEXES.items():
            connection.exec_driver_sql(f"CREATE INDEX {index} ON {table} (provider_id, state, revocation_index)")
    load_between = _load()
    started = time.perf_counter()
    for uuid in now:
        register.issuance.revoke(uuid, "benchmark")
    new_rate = len(now) / (time.perf_counter() - started)
    return {
        "revocations_each_way": len(now),
        "revocations_per_s_before": round(old_rate, 2),
        "revocations_per_s": round(new_rate, 2),
        "revocations_now_to_before": round(new_rate / old_rate, 1),
        "load_average_before_revoking": load_before,
        "load_average_between_revoking": load_between,
        "load_average_after_revoking": _load(),
    }


def _run(register: Register, folder: Path) -> dict[str, Any]:
    provider = _prepare(register, folder)
    load_before = _load()
    started, cpu = time.perf_counter(), time.process_time()
    job = register.jobs.submit_issue(provider, EDITION)
    if not register.worker.run_once():
        raise SystemExit("the worker found no job")
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    load_after_batched = _load()
    finished = register.jobs.get_job(job.id, owner=provider)
    if finished.state != "succeeded" or finished.result.get("issued") != CREDENTIALS:
        raise SystemExit(f"job {finished.state}: {finished.result or finished.error}")
    step = max(1, CREDENTIALS // max(2 * REVOCATIONS, 1))
    lists: set[int] = set()
    first_list: list[int] = []  # list 1's indexes in issue order
    documents: list[dict[str, Any]] = []
    chosen: list[str] = []
    with register.uow() as work:  # streamed: 300,000 signed documents do not fit in memory at once
        for position, credential in enumerate(work.credentials.iterate_for_provider(provider)):
            lists.add(credential.status_list)
            if credential.status_list == 1:
                first_list.append(credential.status_indexes[StatusPurpose.REVOCATION])
            if len(documents) < 5000:
                documents.append(credential.document)
            if position % step == 0 and len(chosen) < 2 * REVOCATIONS:
                chosen.append(credential.uuid)
    rate, cpu_rate = CREDENTIALS / seconds, CREDENTIALS / cpu_seconds
    signing, signing_cpu = _signing_only(register, provider, documents)
    single, single_cpu = _one_at_a_time(register, provider)
    # In issue order, how often the next index of list 1 is higher: 1.0 for a counter, about 0.5 when drawn.
    higher = sum(1 for a, b in itertools.pairwise(first_list) if b > a)
    return {
        "credentials": CREDENTIALS,
        "batch_size": issuance.BATCH_SIZE,
        "issue_seconds": round(seconds, 1),
        "credentials_per_s": round(rate, 1),
        "credentials_per_cpu_s": round(cpu_rate, 1),
        "signing_only_per_s": round(signing, 1),
        "signing_only_per_cpu_s": round(signing_cpu, 1),
        "batched_to_signing_only": round(rate / signing, 3),
        "batched_to_signing_only_in_cpu": round(cpu_rate / signing_cpu, 3),
        "target_per_cpu_s": TARGET_PER_CPU_S,
        "batched_per_cpu_s_to_target": round(cpu_rate / TARGET_PER_CPU_S, 2),
        "one_transaction_per_credential": {
            "credentials": SINGLE,
            "per_s": round(single, 1),
            "per_cpu_s": round(single_cpu, 1),
        },
        "batched_to_one_transaction_per_credential": round(rate / single, 2),
        "status_lists": len(lists),
        "share_of_next_index_higher_in_list_1": round(higher / max(len(first_list) - 1, 1), 3),
        "load_average_before_issuing": load_before,
        "load_average_after_issuing": load_after_batched,
    } | _revocations(register, chosen)


@contextlib.contextmanager
def _database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
    else:
        with throwaway_postgres() as server:
            yield server.create_database("bench_status_lists")


def main() -> None:
    result: dict[str, Any] = {
        "benchmark": "bulk-issuing job for one provider across status lists (storage and list updates included), "
        "next to signing only and one transaction per credential",
        "list_size": LIST_SIZE,
        "quick": QUICK,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "load_average_before": _load(),
    }
    for backend in BACKENDS:
        with tempfile.TemporaryDirectory() as folder_name, _database(backend, Path(folder_name)) as url:
            # serve_jobs off: submitting would start an in-process worker that races the timed run_once below
            settings = Settings(database_url=url, environment="test", status_list_size=LIST_SIZE, serve_jobs=False,
                                pseudonym_pepper=PEPPER, log_level="WARNING")  # fmt: skip
            register = build(settings)
            try:
                register.migrate()
                result[backend] = _run(register, Path(folder_name))
            finally:
                register.close()
        print(json.dumps({backend: result[backend]}), file=sys.stderr)
    result["load_average_after"] = _load()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
