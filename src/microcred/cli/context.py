"""What every command needs: the wired register, built once per invocation, and rich consoles."""

from __future__ import annotations

from functools import cache

from rich.console import Console

from microcred.bootstrap import Register, build
from microcred.errors import MicrocredError
from microcred.vocab import vocabulary

__all__ = ["console", "err_console", "register", "resolve_code"]

console = Console()
err_console = Console(stderr=True)


@cache
def register() -> Register:
    return build()


def resolve_code(vocab: str, text: str, *, option: str) -> str:
    """A vocabulary code from a code or an nl/en label the user typed; a clear error when unknown."""
    concept = vocabulary(vocab).resolve(text)
    if concept is None:
        known = ", ".join(vocabulary(vocab).codes()[:12])
        raise MicrocredError("option-unknown-value", option=option, text=text, known=known)
    return concept.code
