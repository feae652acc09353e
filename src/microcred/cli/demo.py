"""``microcred demo``: load the demo register."""

from __future__ import annotations

import typer

from microcred.cli.context import console, register
from microcred.services.demo import load_small_demo

__all__ = ["attach"]


def attach(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo() -> None:
    """Load the demo register (real Flemish institutions, demo offerings and enrolments); idempotent."""
    wired = register()
    wired.migrate()
    counts = load_small_demo(wired.uow, pepper=wired.settings.pseudonym_pepper.get_secret_value())
    console.print("demo register loaded: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
