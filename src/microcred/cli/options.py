"""Command-line options derived from a record's field definition, and the record's values read from them.

A command lists the fields it takes (``"title"``, ``"quality_assurances.agency"`` for one sub-record's
field); each becomes an option named after the field's ``option`` name (``--eqf``), with the field's help,
the record's default, and a type from the field's kind: a code is resolved from a code or label, a list
option may be repeated, a translated text gives one option per language (``--title-nl``).
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

import typer

from microcred.cli.context import resolve_code
from microcred.domain import ects
from microcred.domain.fields import Field, FieldKind, Record
from microcred.errors import Invalid
from microcred.vocab import vocabulary

__all__ = ["Option", "RecordOptions"]

_SHORT_LIST = 8  # a vocabulary this short is listed in the option's help


@dataclass(frozen=True, slots=True)
class Option:
    """One parameter of a command: the field (and language or sub-field) whose value it gives."""

    parameter: str  # the Python name typer passes the value under
    flag: str  # "--title-nl"; empty for an argument
    field: Field  # the field (or the sub-field) it gives
    path: tuple[str, ...]  # (field,), (field, language) or (field, sub-field)
    annotation: Any
    default: Any
    help: str


@dataclass(frozen=True)
class RecordOptions:
    """The options a command takes for ``record``: ``arguments`` first, then ``fields`` in their order."""

    record: Record[Any]
    arguments: tuple[str, ...]
    fields: tuple[str, ...]
    defaults: Mapping[str, Any] | None = None  # a command's own default for a field without one

    def options(self) -> list[Option]:
        found = [self._argument(self.record.field(name)) for name in self.arguments]
        for name in self.fields:
            top, _, sub = name.partition(".")
            field = self.record.field(top)
            found += self._sub_option(field, field.sub.field(sub)) if sub else self._options(field)
        return found

    def command(self, function: Callable[..., None], *extra: inspect.Parameter) -> Callable[..., None]:
        """``function`` (taking ``**given``) with a signature typer reads: one parameter per option."""
        parameters = [
            inspect.Parameter(
                option.parameter,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=option.annotation,
                default=typer.Option(option.default, *([option.flag] if option.flag else []), help=option.help)
                if option.flag
                else typer.Argument(option.default, help=option.help),
            )
            for option in self.options()
        ]
        function.__signature__ = inspect.Signature([*parameters, *extra])  # type: ignore[attr-defined]
        return function

    def values(self, given: Mapping[str, Any], *, language: str = "nl") -> dict[str, Any]:
        """The record's plain values (see ``Record.build``) from the options given; Invalid naming the option."""
        values: dict[str, Any] = {}
        sub_records: dict[str, dict[str, Any]] = {}
        for option in self.options():
            value = _parsed(option, given[option.parameter])
            name = option.path[0]
            field = self.record.field(name)
            if field.kind is FieldKind.TRANSLATED:
                values.setdefault(name, {})[option.path[1]] = value
            elif field.kind is FieldKind.RECORDS and len(option.path) == 2:
                sub_records.setdefault(name, {})[option.path[1]] = (option, value)
            elif field.kind is FieldKind.RECORDS:  # texts in the command's language, one record each
                values[name] = [{"text": {language: text}} for text in value]
            else:
                values[name] = value
        for name, given_subs in sub_records.items():
            values[name] = _one_record(given_subs)
        return values

    def _argument(self, field: Field) -> Option:
        return Option(field.name, "", field, (field.name,), str, ..., field.help.en)

    def _options(self, field: Field) -> list[Option]:
        if field.kind is FieldKind.TRANSLATED:
            must = not self.record.has_default(field.name)  # the record needs it: the Dutch text is asked for
            return [
                Option(f"{field.name}_{part.name}", _flag(field.option_name, part.name), part,
                       (field.name, part.name), str | None, ... if must and part.name == "nl" else None, part.help.en)
                for part in field.parts
            ]  # fmt: skip
        if field.kind is FieldKind.RECORDS:  # repeated texts, one learning outcome each
            return [Option(field.name, _flag(field.option_name), field, (field.name,), list[str], [], _repeat(field))]
        default = self._default(field)
        annotation = list[str] if field.is_list else _scalar_type(self.record, field)
        if default is None and not field.is_list:
            annotation = annotation | None
        return [Option(field.name, _flag(field.option_name), field, (field.name,), annotation, default, _help(field))]

    def _sub_option(self, field: Field, sub: Field) -> list[Option]:
        default = (self.defaults or {}).get(f"{field.name}.{sub.name}")
        return [
            Option(f"{field.option_name}_{sub.option_name}", _flag(field.option_name, sub.option_name), sub,
                   (field.name, sub.name), str | None, default, _help(sub))
        ]  # fmt: skip

    def _default(self, field: Field) -> Any:
        if field.is_list:
            return []
        if (self.defaults or {}).get(field.name) is not None:
            return (self.defaults or {})[field.name]
        if not self.record.has_default(field.name):
            return ... if field.required else None
        declared = next(f for f in dataclasses.fields(self.record.type) if f.name == field.name)
        default = None if declared.default is dataclasses.MISSING else declared.default
        return default.value if isinstance(default, Enum) else default


def _scalar_type(record: Record[Any], field: Field) -> Any:
    if field.kind is FieldKind.INTEGER or (field.kind is FieldKind.CODE and record.value_type(field.name) is int):
        return int
    return str


def _flag(*names: str) -> str:
    return "--" + "-".join(name.replace("_", "-") for name in names)


def _help(field: Field) -> str:
    """The field's help, with the codes of a short vocabulary it does not name yet, or how to write it."""
    text = field.help.en.removesuffix(".")
    if field.kind is FieldKind.DATE:
        return f"{text} (YYYY-MM-DD)."
    if field.kind is FieldKind.CODES:
        return _repeat(field)
    codes = vocabulary(field.vocab).codes() if field.kind is FieldKind.CODE and field.vocab else ()
    if len(codes) > _SHORT_LIST:
        return f"{text}; a code or label."
    if codes and field.minimum is None and not all(code in text for code in codes):  # not a level 1-8
        return f"{text}: {', '.join(codes[:-1])} or {codes[-1]}."
    return f"{text}."


def _repeat(field: Field) -> str:
    """The help of an option given once per item: a list's, or a learning outcome's text."""
    texts = [sub for sub in field.sub.fields if sub.kind is FieldKind.TRANSLATED] if field.record else [field]
    return f"{texts[0].help.en} Repeat the option for more."


def _parsed(option: Option, value: Any) -> Any:
    """The plain value of an option as given: codes resolved, study points and dates read; Invalid otherwise."""
    field, flag = option.field, option.flag
    if value is None or value == "":
        return None
    if field.kind is FieldKind.CODES:
        return [resolve_code(str(field.vocab), item, option=flag) for item in value]
    if field.kind is FieldKind.CODE and isinstance(value, str):
        return resolve_code(str(field.vocab), value, option=flag)
    if field.kind is FieldKind.ECTS:
        return ects(value, field=flag)
    if field.kind is FieldKind.DATE:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise Invalid.field(flag, "date-format", value) from None
    return value


def _one_record(given: Mapping[str, tuple[Option, Any]]) -> list[dict[str, Any]]:
    """The one sub-record the options describe when its first option is given (none otherwise)."""
    options = list(given.values())
    leading, value = options[0]
    if value is None:
        return []
    for option, sub_value in options[1:]:
        if sub_value is None and option.field.required:
            raise Invalid.field(option.flag, "required-with", option=leading.flag)
    return [{option.path[1]: sub_value for option, sub_value in options}]
