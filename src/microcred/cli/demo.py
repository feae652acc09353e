"""``microcred demo``: load the demo register."""

from __future__ import annotations

import time

import typer

from microcred.cli.context import console, register, say
from microcred.errors import Invalid

__all__ = ["attach"]


def attach(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    seed: int = typer.Option(2024, "--seed", help="Seed of the generator: the same seed gives the same register."),
    scale: str = typer.Option("small", "--scale", help="small (seconds) or full (about 300,000 enrolments)."),
) -> None:
    """Load the demo register (real Flemish institutions, generated offerings and enrolments); idempotent."""
    from microcred.services.demo import SCALES

    if scale not in SCALES:
        raise Invalid.field("--scale", "one-of", scale, allowed=", ".join(SCALES))
    wired = register()
    wired.migrate()
    started = time.perf_counter()
    counts = wired.demo.load(seed=seed, scale=scale)
    summary = ", ".join(say(f"kind.{kind}", count=n) for kind, n in counts.items())
    console.print(say("demo.loaded", seconds=time.perf_counter() - started, summary=summary))
