"""The error tree every layer raises; adapters map each class once (API, CLI, web).

An error says *why* with a stable reason code and its parameters (``NotFound("no-provider", slug="x")``),
never with a sentence: the sentence, in English or Dutch, comes from the one catalogue
(:mod:`microcred.i18n`, ``reason.<code>``) when the error is shown. An error about one input lists
:class:`FieldProblem` s, each with the ``field``, its own reason code and the offending ``value``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from microcred.i18n import reason as reason_text
from microcred.i18n import translate

__all__ = [
    "Conflict",
    "FieldProblem",
    "Forbidden",
    "Invalid",
    "MicrocredError",
    "NotFound",
    "RateLimited",
    "Throttled",
    "Unauthenticated",
]


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One thing wrong with one input field: a reason ``code`` (with ``params``) a person can read in words."""

    field: str
    code: str
    value: object = None
    row: int | None = None
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict, hash=False)

    @property
    def reason(self) -> str:
        """The reason in English (API problem items, logs)."""
        return self.text("en")

    def text(self, lang: str) -> str:
        """The reason in ``lang``, from the catalogue."""
        return reason_text(self.code, lang, **self.params)

    def describe(self, lang: str) -> str:
        """Where, why and what was given, in ``lang``: ``row 3, ects: must be … (got '90')``."""
        described = f"{self.field}: {self.text(lang)}"
        if self.row is not None:
            described = f"{translate('field_problem.row', lang, row=self.row)}, {described}"
        if self.value is not None:
            described += f" ({translate('field_problem.got', lang, value=self.value)})"
        return described

    def __str__(self) -> str:
        return self.describe("en")


class MicrocredError(Exception):
    """Base of every error microcred raises on purpose.

    ``code`` (per class) is the kind of problem (``not-found``, ``invalid``); ``reason`` (per error) is the
    stable code of what exactly went wrong, worded by the catalogue with ``params``.
    """

    code = "error"
    status = 500

    def __init__(self, reason: str, /, *, problems: list[FieldProblem] | None = None, **params: Any) -> None:
        self.reason = reason
        self.params: dict[str, Any] = params
        self.problems: list[FieldProblem] = list(problems or [])
        super().__init__(reason)

    @property
    def message(self) -> str:
        """What went wrong in English, without the field problems (the API's ``detail``)."""
        return self.text("en")

    def text(self, lang: str) -> str:
        """What went wrong in ``lang``, without the field problems."""
        return reason_text(self.reason, lang, **self.params)

    def describe(self, lang: str) -> str:
        """What went wrong in ``lang`` with each field problem, on one line (a CLI error, a failed job)."""
        if not self.problems:
            return self.text(lang)
        return self.text(lang) + ": " + "; ".join(p.describe(lang) for p in self.problems)

    def __str__(self) -> str:
        return self.describe("en")


class Invalid(MicrocredError):
    """The input breaks a rule of the register (a missing field, a value out of range, ...)."""

    code = "invalid"
    status = 422

    @classmethod
    def field(cls, name: str, reason: str, value: object = None, /, **params: Any) -> Invalid:
        """The error for one field: ``reason`` is the field problem's code, worded with ``params``."""
        return cls("invalid-input", problems=[FieldProblem(name, reason, value, params=params)])


class NotFound(MicrocredError):
    code = "not-found"
    status = 404


class Conflict(MicrocredError):
    """The request clashes with what the register already holds (a duplicate key, a stale state)."""

    code = "conflict"
    status = 409


class Unauthenticated(MicrocredError):
    code = "unauthenticated"
    status = 401


class Forbidden(MicrocredError):
    """The caller is known but may not do this (another provider's data, a missing scope)."""

    code = "forbidden"
    status = 403


class Throttled(MicrocredError):
    """Too many failed attempts from this account or client: wait ``retry_after`` seconds (issue 15, finding 4)."""

    code = "throttled"
    status = 429

    def __init__(self, reason: str, /, *, retry_after: int, **params: Any) -> None:
        super().__init__(reason, **params)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        """What an HTTP answer carries: how long to wait."""
        return {"Retry-After": str(self.retry_after)}


class RateLimited(Throttled):
    """Too many requests from one caller, client address or for one e-mail address in a short time."""

    code = "rate-limited"
