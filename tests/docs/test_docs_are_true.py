"""Documentation that must not drift: every setting is in the README's configuration table."""

from __future__ import annotations

from pathlib import Path

import pytest

from microcred.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented_in_the_readme(name: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"MICROCRED_{name.upper()}" in readme


def test_the_readme_starts_with_the_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in first_block.strip().splitlines()]
    assert commands == ["make run", "make test"]


def test_docs_cli_md_is_the_command_lines_own_help(tmp_path: Path) -> None:
    """docs/cli.md is generated from the Typer app (`make docs`); a new command or option must land in it.

    `make docs` runs Typer's own command line; it runs here in-process, which skips importing the app again."""
    from typer.cli import app as typer_cli
    from typer.testing import CliRunner

    generated = tmp_path / "cli.md"
    arguments = ["microcred.cli.main", "utils", "docs", "--name", "microcred",
                 "--title", "microcred command line", "--output", str(generated)]  # fmt: skip
    made = CliRunner().invoke(typer_cli, arguments)
    assert made.exit_code == 0, made.output
    assert generated.read_text(encoding="utf-8") == (ROOT / "docs" / "cli.md").read_text(encoding="utf-8"), (
        "docs/cli.md is out of date: run `make docs`"
    )


def test_every_test_docs_security_md_cites_exists() -> None:
    """docs/security.md maps ASVS requirements to tests; each cited file and test function must exist."""
    import re

    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    cited = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", text)
    assert cited
    for path, name in cited:
        source = (ROOT / path).read_text(encoding="utf-8")
        assert not name or f"def {name}(" in source, f"{path}::{name} does not exist"
    for path, name in re.findall(r"`(tests/[\w/]+\.py)::\w+`, `…::(\w+)`", text):
        assert f"def {name}(" in (ROOT / path).read_text(encoding="utf-8"), f"{path}::{name} does not exist"
