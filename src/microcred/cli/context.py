"""What every command needs: the wired register, built once per invocation, rich consoles, and the words.

The command line speaks English unless ``microcred --lang nl …`` asks for Dutch; every line it writes of
its own comes from the i18n catalogue (``cli.*``) through :func:`say`.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from typing import TYPE_CHECKING, Any

from rich.console import Console

from microcred.errors import Invalid, MicrocredError
from microcred.i18n import LANGUAGES, translate
from microcred.vocab import vocabulary

if TYPE_CHECKING:
    from microcred.bootstrap import Register

__all__ = ["console", "err_console", "language", "register", "resolve_code", "say", "use_language"]

# No emoji codes: rich would print "did:key:z6Mk…" as "did🔑z6Mk…"; DIDs and ids must come out verbatim.
console = Console(emoji=False)
err_console = Console(stderr=True, emoji=False)
_language: ContextVar[str] = ContextVar("cli_language", default="en")


def use_language(lang: str) -> None:
    """Speak ``lang`` (nl or en) for the rest of this invocation."""
    if lang not in LANGUAGES:
        raise Invalid.field("--lang", "one-of", lang, allowed=", ".join(LANGUAGES))
    _language.set(lang)


def language() -> str:
    return _language.get()


def say(key: str, /, **values: Any) -> str:
    """The command line's message ``cli.<key>`` in the chosen language."""
    return translate(f"cli.{key}", language(), **values)


@cache
def register() -> Register:
    """The wired register, built on first use: ``microcred --help`` and usage errors never load storage."""
    from microcred.bootstrap import build

    return build()


def resolve_code(vocab: str, text: str, *, option: str) -> str:
    """A vocabulary code from a code or an nl/en label the user typed; a clear error when unknown."""
    concept = vocabulary(vocab).resolve(text)
    if concept is None:
        known = ", ".join(vocabulary(vocab).codes()[:12])
        raise MicrocredError("option-unknown-value", option=option, text=text, known=known)
    return concept.code
