"""``microcred init`` and ``microcred serve``: the schema and the web server."""

from __future__ import annotations

import typer

from microcred.cli.context import console, register, say

__all__ = ["attach"]


def attach(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("serve")(serve)


def init() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    wired = register()
    wired.migrate()
    console.print(say("init.ready", url=wired.engine.url.render_as_string(hide_password=True)))


def serve(
    host: str | None = typer.Option(None, help="Address to listen on (default from settings: 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port to listen on (default from settings: 8000)."),
    workers: int = typer.Option(1, help="Number of worker processes."),
) -> None:
    """Serve the web app and the API (uvicorn)."""
    import uvicorn  # imported here: only this command needs the server

    settings = register().settings
    uvicorn.run(
        "microcred.asgi:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=settings.log_level.lower(),
        access_log=False,
    )
