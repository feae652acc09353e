"""What every command needs: the wired register, built once per invocation, and rich consoles."""

from __future__ import annotations

from functools import cache

from rich.console import Console

from microcred.bootstrap import Register, build
from microcred.errors import MicrocredError
from microcred.vocab import vocabulary

__all__ = ["console", "err_console", "register", "resolve_code"]

# No emoji codes: rich would print "did:key:z6Mk…" as "did🔑z6Mk…"; DIDs and ids must come out verbatim.
console = Console(emoji=False)
err_console = Console(stderr=True, emoji=False)


@cache
def register() -> Register:
    return build()


def resolve_code(vocab: str, text: str, *, option: str) -> str:
    """A vocabulary code from a code or an nl/en label the user typed; a clear error when unknown."""
    concept = vocabulary(vocab).resolve(text)
    if concept is None:
        known = ", ".join(vocabulary(vocab).codes()[:12])
        raise MicrocredError(f"{option}: {text!r} is not a known value (for example: {known})")
    return concept.code
