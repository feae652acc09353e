"""Bulk issuing for one provider past its status lists' size: credentials/s with storage and list updates.

Issue 16: a provider issues ``BENCH_CREDENTIALS`` credentials (300,000 by default, past two lists of
131,072) through the real service, one transaction per credential as a job issues them: the status index is
drawn from the list's shuffled order, a full list opens the next one (its three list credentials signed),
and the credential is signed and stored. The rate counts all of it, from the first credential to the last.
Then ``BENCH_REVOCATIONS`` credentials spread over the lists are revoked: each revocation rebuilds and
re-signs its list's three status list credentials, so revocations/s measures the list updates.

The demo register gives a provider with a published offering; one edition gets the passed enrolments
through the importer (not timed). ``BENCH_BACKENDS`` is ``sqlite,postgresql`` by default (PostgreSQL: a
throw-away server, as the tests use); ``BENCH_LIST_SIZE`` overrides the list size (production: at least
131,072). Writes benchmarks/results/status_lists.json; ``BENCH_CREDENTIALS=2000 BENCH_LIST_SIZE=1000`` is a
quick check that it works.
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

from microcred.bootstrap import Register, build
from microcred.domain import Edition, OfferingStatus, StatusPurpose
from microcred.services import catalogue, imports, issuance, status_lists
from microcred.services.demo import load_demo
from microcred.settings import Settings
from microcred.testing import throwaway_postgres

CREDENTIALS = int(os.environ.get("BENCH_CREDENTIALS", "300000"))
LIST_SIZE = int(os.environ.get("BENCH_LIST_SIZE", "131072"))
REVOCATIONS = int(os.environ.get("BENCH_REVOCATIONS", "30"))
BACKENDS = tuple(os.environ.get("BENCH_BACKENDS", "sqlite,postgresql").split(","))
PEPPER = "benchmark-pepper-0123456789"
EDITION = "BENCH-STATUS"
RESULTS = Path(__file__).parent / "results" / "status_lists.json"


def _prepare(register: Register, folder: Path) -> tuple[str, str]:
    """The demo register, and one edition of its first published offering with CREDENTIALS passed enrolments."""
    load_demo(register.uow, pepper=PEPPER, scale="small")
    offering = next(o for o in catalogue.list_offerings(register.uow) if o.status is OfferingStatus.PUBLISHED)
    with register.uow() as work:
        work.editions.save(Edition(offering.provider, EDITION, offering.code, date(2024, 9, 1), date(2025, 1, 31)))
        work.commit()
    enrolments = folder / "enrolments.csv"
    with enrolments.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["aanbieder", "referentie", "editiecode", "studentnummer", "inschrijvingsdatum",
                         "contracttype", "arbeidsstatus", "leeftijdsgroep", "resultaat", "resultaatdatum"])  # fmt: skip
        for number in range(CREDENTIALS):
            writer.writerow([offering.provider, f"S{number:08d}", EDITION, f"s{number:09d}", "2024-09-01",
                             "02", "employed", "35-44", "passed", "2025-01-31"])  # fmt: skip
    report = imports.import_file(
        "enrolments", enrolments, register.uow, pepper=PEPPER, max_bytes=1 << 31, provider=offering.provider
    )
    if not (report.committed and report.created == CREDENTIALS):
        raise SystemExit(report.render())
    return offering.provider, EDITION


def _run(register: Register, folder: Path) -> dict[str, Any]:
    provider, edition = _prepare(register, folder)
    done: list[float] = []
    started = started_issuing = time.perf_counter()
    issued = issuance.issue_for_edition(
        provider,
        edition,
        uow=register.uow,
        keys=register.key_store,
        settings=register.settings,
        clock=register.clock,
        progress=lambda count, total: done.append(time.perf_counter()) if count % LIST_SIZE == 0 else None,
    )
    seconds = time.perf_counter() - started
    if len(issued) != CREDENTIALS:
        raise SystemExit(f"issued {len(issued)} of {CREDENTIALS}")
    lists = sorted({credential.status_list for credential in issued})
    # In issue order, how often the next index of list 1 is higher: 1.0 for a counter, about 0.5 when drawn.
    first_list = [c.status_indexes[StatusPurpose.REVOCATION] for c in issued if c.status_list == 1]
    higher = sum(1 for a, b in itertools.pairwise(first_list) if b > a)
    step = max(1, CREDENTIALS // max(REVOCATIONS, 1))
    chosen = issued[::step][:REVOCATIONS]
    started = time.perf_counter()
    for credential in chosen:
        status_lists.change_state(
            credential.uuid, "revoke", "benchmark", uow=register.uow, keys=register.key_store,
            settings=register.settings, clock=register.clock,
        )  # fmt: skip
    revoke_seconds = time.perf_counter() - started
    return {
        "credentials": CREDENTIALS,
        "issue_seconds": round(seconds, 1),
        "credentials_per_s": round(CREDENTIALS / seconds, 1),
        "status_lists": len(lists),
        "seconds_when_each_list_filled": [round(moment - started_issuing, 1) for moment in done],
        "share_of_next_index_higher_in_list_1": round(higher / max(len(first_list) - 1, 1), 3),
        "revocations": len(chosen),
        "revocations_per_s": round(len(chosen) / revoke_seconds, 2) if chosen else None,
    }


@contextlib.contextmanager
def _database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
    else:
        with throwaway_postgres() as server:
            yield server.create_database("bench_status_lists")


def main() -> None:
    result: dict[str, Any] = {
        "benchmark": "issue credentials for one provider across status lists (storage and list updates included)",
        "list_size": LIST_SIZE,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "load_average_before": [round(load, 2) for load in os.getloadavg()],
    }
    for backend in BACKENDS:
        with tempfile.TemporaryDirectory() as folder_name, _database(backend, Path(folder_name)) as url:
            settings = Settings(database_url=url, environment="test", status_list_size=LIST_SIZE,
                                pseudonym_pepper=PEPPER, log_level="WARNING")  # fmt: skip
            register = build(settings)
            try:
                register.migrate()
                result[backend] = _run(register, Path(folder_name))
            finally:
                register.close()
        print(json.dumps({backend: result[backend]}), file=sys.stderr)
    result["load_average_after"] = [round(load, 2) for load in os.getloadavg()]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
