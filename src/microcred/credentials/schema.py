"""Validation against 1EdTech's official Open Badges 3.0 AchievementCredential JSON Schema, offline.

The schema (draft 2019-09) is shipped unmodified in ``schemas/`` with its attribution; every ``$ref``
resolves inside the package, and any other reference fails instead of being fetched.
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

__all__ = ["SchemaProblem", "validate_definition", "validate_open_badge_credential"]

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
    errors = sorted(_validator().iter_errors(credential), key=lambda error: list(error.absolute_path))
    problems = [SchemaProblem(_path(error), error.message) for error in _leaves(errors)]
    return list(dict.fromkeys(problems))
