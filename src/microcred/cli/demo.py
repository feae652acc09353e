"""``microcred demo``: load the demo register."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import typer

from microcred.cli.context import console, register, say
from microcred.errors import Invalid

if TYPE_CHECKING:
    from microcred.services.demo_showcase import Showcase

__all__ = ["attach"]


def attach(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    seed: int = typer.Option(2024, "--seed", help="Seed of the generator: the same seed gives the same register."),
    scale: str = typer.Option("small", "--scale", help="small (seconds) or full (about 300,000 enrolments)."),
) -> None:
    """Load the demo register (real Flemish institutions, generated offerings and enrolments); idempotent.
    Outside production it also makes a desk login per provider and two wallet learners, and prints them."""
    from microcred.services.demo import SCALES

    if scale not in SCALES:
        raise Invalid.field("--scale", "one-of", scale, allowed=", ".join(SCALES))
    wired = register()
    wired.migrate()
    started = time.perf_counter()
    loaded = wired.demo.load(seed=seed, scale=scale)
    summary = ", ".join(say(f"kind.{kind}", count=n) for kind, n in loaded.counts.items())
    console.print(say("demo.loaded", seconds=time.perf_counter() - started, summary=summary))
    if loaded.showcase is not None:  # never in production: the demo makes no accounts there
        _print_try_it(loaded.showcase, wired.settings.public_base_url.rstrip("/"), str(wired.settings.outbox_dir))


def _print_try_it(showcase: Showcase, url: str, outbox: str) -> None:
    """Where each role starts, with the demo's logins (README, "Try it", walks through them)."""
    console.print(say("demo.try_it"))
    emails = " / ".join(learner.email for learner in showcase.learners)
    console.print(say("demo.learner", url=url, emails=emails, outbox=outbox), soft_wrap=True)
    console.print(say("demo.desk", url=url, password=showcase.desk_password), soft_wrap=True)
    for login in showcase.desk_logins:
        console.print(say("demo.desk_login", email=login.email, provider=login.provider), soft_wrap=True)
    console.print(say("demo.employer", url=url, share_url=showcase.share_url), soft_wrap=True)
    console.print(say("demo.policy", url=url), soft_wrap=True)
