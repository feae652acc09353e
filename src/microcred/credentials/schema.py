"""Validation against 1EdTech's official Open Badges 3.0 AchievementCredential JSON Schema, offline.

The schema (draft 2019-09) is shipped unmodified in ``schemas/`` with its attribution; every ``$ref``
resolves inside the package, and any other reference fails instead of being fetched.

Two validators, each a kept library: ``jsonschema_rs`` (compiled, about 10 µs for a credential) answers
whether a document is valid, and only an invalid one is walked by ``jsonschema`` (about 2.4 ms), whose
errors give the paths and messages we report. Every credential issued or verified is checked, so the
compiled answer is what issuance and verification pay (issue 21); the two are cross-checked on generated
documents in ``tests/credentials/test_schema.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft201909Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT201909

__all__ = [
    "SchemaProblem",
    "is_open_badge_credential",
    "jsonschema_problems",
    "validate_definition",
    "validate_open_badge_credential",
]

_SCHEMA_FILE = "ob_v3p0_achievementcredential_schema.json"


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """One schema violation: where (a JSON path such as ``$.credentialSubject.achievement``) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@cache
def _schema_and_registry() -> tuple[dict[str, Any], Registry[Any]]:
    schema = json.loads((files("microcred.credentials") / "schemas" / _SCHEMA_FILE).read_text("utf-8"))
    resource = Resource.from_contents(schema, default_specification=DRAFT201909)
    # referencing's default Registry retrieves nothing: an unknown $ref fails instead of being fetched.
    return schema, Registry().with_resource(schema["$id"], resource)


@cache
def _validator() -> Draft201909Validator:
    schema, registry = _schema_and_registry()
    return Draft201909Validator(schema, registry=registry)


def _refuse(uri: str) -> Any:
    raise ValueError(f"the OB 3.0 schema is checked offline: {uri} is not fetched")


@cache
def _compiled_validator() -> Any:
    import jsonschema_rs

    schema, _ = _schema_and_registry()
    return jsonschema_rs.Draft201909Validator(schema, validate_formats=False, retriever=_refuse)


def is_open_badge_credential(credential: Any) -> bool:
    """Whether ``credential`` is valid under the official schema (the compiled validator's answer)."""
    validator = _compiled_validator()  # built outside the try: a schema that does not compile must fail loudly
    try:
        return bool(validator.is_valid(credential))
    except (ValueError, TypeError):  # a value JSON cannot hold: let jsonschema say what is wrong
        return False


@cache
def _definition_validator(name: str) -> Draft201909Validator:
    schema, registry = _schema_and_registry()
    if name not in schema.get("$defs", {}):
        raise KeyError(f"the OB 3.0 schema defines no {name!r}")
    return Draft201909Validator({"$ref": f"{schema['$id']}#/$defs/{name}"}, registry=registry)


def _path(error: ValidationError) -> str:
    parts = ["$"]
    for step in error.absolute_path:
        parts.append(f"[{step}]" if isinstance(step, int) else f".{step}")
    return "".join(parts)


def _leaves(errors: Iterable[ValidationError]) -> Iterable[ValidationError]:
    """The most specific errors: an ``anyOf`` failure is reported through its closest branch."""
    for error in errors:
        if error.context:
            best = min(error.context, key=lambda sub: (-len(sub.absolute_path), len(sub.context or ())))
            yield from _leaves([best])
        else:
            yield error


def validate_definition(name: str, value: Any, *, at: str = "$") -> list[SchemaProblem]:
    """Problems of ``value`` under one of the schema's own definitions (``$defs/<name>``), paths under ``at``."""
    errors = sorted(_definition_validator(name).iter_errors(value), key=lambda error: list(error.absolute_path))
    problems = [SchemaProblem(at + _path(error)[1:], error.message) for error in _leaves(errors)]
    return list(dict.fromkeys(problems))


def validate_open_badge_credential(credential: Mapping[str, Any]) -> list[SchemaProblem]:
    """Problems with an OpenBadgeCredential under the official schema; an empty list means valid."""
    if is_open_badge_credential(credential):
        return []
    return jsonschema_problems(credential)


def jsonschema_problems(credential: Mapping[str, Any]) -> list[SchemaProblem]:
    """The problems ``jsonschema`` finds, always walked (the reference the compiled validator is checked against)."""
    errors = sorted(_validator().iter_errors(credential), key=lambda error: list(error.absolute_path))
    problems = [SchemaProblem(_path(error), error.message) for error in _leaves(errors)]
    return list(dict.fromkeys(problems))
