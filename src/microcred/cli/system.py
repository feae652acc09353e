"""``microcred init`` and ``microcred serve``: the schema and the web server."""

from __future__ import annotations

import logging
import os
import signal

import typer

from microcred.cli.context import console, register, say

__all__ = ["attach"]


def attach(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("serve")(serve)
    app.command("worker")(worker)


def init() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    wired = register()
    wired.migrate()
    console.print(say("init.ready", url=wired.engine.url.render_as_string(hide_password=True)))


def serve(
    host: str | None = typer.Option(None, help="Address to listen on (default from settings: 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port to listen on (default from settings: 8000)."),
    workers: int = typer.Option(
        1, min=1, help="Number of worker processes (they share everything through the database)."
    ),
    jobs: bool = typer.Option(
        True,
        "--jobs/--no-jobs",
        help="Run queued jobs in each process too; --no-jobs when `microcred worker` runs them.",
    ),
) -> None:
    """Serve the web app and the API (uvicorn)."""
    import uvicorn  # imported here: only this command needs the server

    settings = register().settings
    if not jobs:  # the worker processes build their own settings from the environment
        os.environ["MICROCRED_SERVE_JOBS"] = "false"
    uvicorn.run(
        "microcred.asgi:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=settings.log_level.lower(),
        access_log=False,
    )


def worker(
    poll: float = typer.Option(1.0, min=0.1, help="Seconds to wait between looks at an empty queue."),
    until_idle: bool = typer.Option(
        False, "--until-idle", help="Stop once no job is left instead of waiting for more."
    ),
) -> None:
    """Run queued jobs (imports, bulk issuing, mailed credential offers) in this process until stopped; run as
    many as you like."""
    wired = register()
    logging.basicConfig(level=wired.settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    job_worker = wired.worker
    job_worker.poll_seconds = poll
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: job_worker.stop(wait=False))
    console.print(say("worker.ready", url=wired.engine.url.render_as_string(hide_password=True)))
    wired.freeze_start_up()
    job_worker.run(until_idle=until_idle)
    console.print(say("worker.stopped", count=job_worker.jobs_run))
