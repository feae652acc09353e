"""Test and benchmark helpers shipped with the package: a throw-away PostgreSQL server, a fixed clock, an
ASGI app served by uvicorn in a thread (for tests that need real connections and real timing) and the
reader of the outbox mailer's messages.

The PostgreSQL server is real (Debian's server binaries, ``initdb`` + ``pg_ctl``) and listens only on
loopback; as root it runs as the ``postgres`` system user because ``initdb`` refuses to run as root.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["FixedClock", "PostgresServer", "free_port", "mail_text", "served_in_thread", "throwaway_postgres"]


def mail_text(raw: bytes) -> str:
    """The plain-text body of a message as the outbox mailer wrote it (a multipart message's text part)."""
    body = email.message_from_bytes(raw, policy=email.policy.default).get_body(preferencelist=("plain",))
    if body is None:
        raise AssertionError("the message has no plain-text body")
    return str(body.get_content())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def served_in_thread(app: Any, *, port: int | None = None) -> Iterator[str]:
    """``app`` served by uvicorn on a loopback port (a free one unless given) in a thread of this process;
    yields its base URL."""
    import uvicorn

    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", ws="none", log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        thread.join(0.02)
    if not server.started:
        raise RuntimeError("uvicorn did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@dataclass
class FixedClock:
    """A clock that says what the test wants it to say."""

    now: datetime = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass(frozen=True)
class PostgresServer:
    port: int
    user: str = "postgres"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """Create a database and return its SQLAlchemy URL: empty, or a copy of ``template``.

        PostgreSQL copies a template file by file, much faster than migrating a new database; the
        template must have no open connections while it is copied."""
        import psycopg
        from psycopg import sql

        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres", autocommit=True
        ) as connection:
            connection.execute(statement)
        return self.url(name)


def _server_binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError("PostgreSQL server binaries not found: install Debian's 'postgresql' package")


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[PostgresServer]:
    """Start a PostgreSQL server in a temporary directory on a free loopback port; stop and delete it after."""
    binaries = _server_binaries()
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    workdir = Path(tempfile.mkdtemp(prefix="microcred-pg-"))
    if as_root:
        shutil.chown(workdir, "postgres", "postgres")
    data, port = workdir / "data", free_port()
    user = "postgres"
    subprocess.run(
        [
            *prefix,
            str(binaries / "initdb"),
            "-D",
            str(data),
            "-U",
            user,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        capture_output=True,
    )
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {workdir} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    subprocess.run(
        [
            *prefix,
            str(binaries / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(workdir / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield PostgresServer(port=port, user=user)
    finally:
        subprocess.run(
            [*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(workdir, ignore_errors=True)
