"""Drift: `provider add` and `offering add` take their records' fields as the definition declares them."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
import typer

from microcred.cli import catalogue
from microcred.cli.catalogue import OFFERING_OPTIONS, PROVIDER_OPTIONS
from microcred.cli.main import app
from microcred.cli.options import RecordOptions
from microcred.domain.fields import FieldKind


def _command(group: str, name: str) -> Any:
    root: Any = typer.main.get_command(app)
    return root.commands[group].commands[name]


def _options(command: Any) -> dict[str, Any]:
    return {p.opts[0]: p for p in command.params if p.param_type_name == "option"}


def _flag(*names: str) -> str:
    return "--" + "-".join(name.replace("_", "-") for name in names)


@pytest.mark.parametrize(
    ("group", "options", "own"),
    [("provider", PROVIDER_OPTIONS, set()), ("offering", OFFERING_OPTIONS, {"--publish", "--help"})],
)
def test_a_commands_options_are_its_records_fields(group: str, options: RecordOptions, own: set[str]) -> None:
    command = _command(group, "add")
    record = options.record
    expected: dict[str, str] = {}  # flag -> the help of the field it gives
    for name in options.fields:
        top, _, sub_name = name.partition(".")
        field = record.field(top)
        if sub_name:
            sub = field.sub.field(sub_name)
            expected[_flag(field.option_name, sub.option_name)] = sub.help.en
        elif field.kind is FieldKind.TRANSLATED:
            expected |= {_flag(field.option_name, p.name): p.help.en for p in field.parts}
        elif field.kind is FieldKind.RECORDS:
            [text] = [s for s in field.sub.fields if s.kind is FieldKind.TRANSLATED]
            expected[_flag(field.option_name)] = text.help.en
        else:
            expected[_flag(field.option_name)] = field.help.en
    shown = _options(command)
    assert [flag for flag in shown if flag not in own] == list(expected)
    for flag, text in expected.items():
        assert (shown[flag].help or "").startswith(text.removesuffix(".")), flag
    arguments = [p.name for p in command.params if p.param_type_name == "argument"]
    assert arguments == list(options.arguments)
    assert all(name in record.key for name in arguments), "arguments are the record's key"


def test_an_option_takes_its_fields_type_and_the_records_default() -> None:
    parameters = inspect.signature(catalogue.offering_add).parameters
    assert [parameters[name].annotation for name in ("eqf_level", "hours", "isced_field", "languages")] == [
        int | None,
        int | None,
        str | None,
        list[str],
    ]
    shown = _options(_command("offering", "add"))
    assert (shown["--kind"].default, shown["--language"].multiple) == ("micro-credential", True)
    provider = _options(_command("provider", "add"))
    assert (provider["--country"].default, provider["--type"].required, provider["--name-nl"].required) == (
        "BE",
        True,
        True,
    )
