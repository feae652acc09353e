"""The error tree every layer raises; adapters map each class once (API, CLI, web).

Each error carries a stable ``code`` and, where it is about one input, the ``field`` and the offending
``value`` so a person can find and fix it.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    """One thing wrong with one input field, in words a person understands."""

    field: str
    reason: str
    value: object = None
    row: int | None = None

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        shown = "" if self.value is None else f" (got {self.value!r})"
        return f"{where}{self.field}: {self.reason}{shown}"


class MicrocredError(Exception):
    """Base of every error microcred raises on purpose."""

    code = "error"
    status = 500

    def __init__(self, message: str, *, problems: list[FieldProblem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[FieldProblem] = list(problems or [])

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        return self.message + ": " + "; ".join(str(p) for p in self.problems)


class Invalid(MicrocredError):
    """The input breaks a rule of the register (a missing field, a value out of range, ...)."""

    code = "invalid"
    status = 422

    @classmethod
    def field(cls, name: str, reason: str, value: object = None) -> Invalid:
        return cls("invalid input", problems=[FieldProblem(name, reason, value)])


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

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        """What an HTTP answer carries: how long to wait."""
        return {"Retry-After": str(self.retry_after)}


class RateLimited(Throttled):
    """Too many requests from one caller, client address or for one e-mail address in a short time."""

    code = "rate-limited"
