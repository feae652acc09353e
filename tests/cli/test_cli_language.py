"""The command line speaks the catalogue: English by default, Dutch with ``microcred --lang nl``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from microcred.cli.context import register
from microcred.cli.main import run
from microcred.credentials.verify import OUTCOMES
from microcred.i18n import catalogue, reason, translate

CLI = Path(__file__).resolve().parents[2] / "src" / "microcred" / "cli"
_SAID = re.compile(r"""\bsay\(\s*f?["']([a-z0-9_.{}' ]+)["']""")


@pytest.fixture(autouse=True)
def isolated_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MICROCRED_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("MICROCRED_ENVIRONMENT", "test")
    register.cache_clear()
    yield tmp_path
    register.cache_clear()


def test_every_key_the_command_line_says_exists() -> None:
    said = {key for path in CLI.glob("*.py") for key in _SAID.findall(path.read_text("utf-8"))}
    assert {"error", "token.revoked", "demo.loaded"} <= said, "the scan finds the keys"
    for key in said:
        if "{" in key:  # say(f"token.state.{state}"): some key must start with the fixed part
            prefix = key.split("{")[0]
            assert any(k.startswith(f"cli.{prefix}") for k in catalogue()), key
        else:
            assert f"cli.{key}" in catalogue(), key


def test_dynamic_keys_cover_every_value() -> None:
    for state in ("active", "expired", "revoked"):
        assert f"cli.token.state.{state}" in catalogue()
    for state in ("active", "revoked", "suspended"):
        assert f"cli.credential.state.{state}" in catalogue()
    for outcome in OUTCOMES:
        assert f"cli.verify.{outcome}" in catalogue()
    for kind in ("providers", "offerings", "editions", "enrolments"):
        assert f"cli.kind.{kind}" in catalogue()


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_a_commands_line_is_the_catalogues_words(lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--lang", lang, "init"]) == 0
    out = capsys.readouterr().out.replace("\n", "")  # rich wraps long lines
    assert out == translate("cli.init.ready", lang, url=f"sqlite:///{Path.cwd() / 'cli.db'}")


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_an_error_is_one_line_in_the_chosen_language(lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(["init"])
    capsys.readouterr()
    assert run(["--lang", lang, "provider", "show", "nope"]) == 1
    err = capsys.readouterr().err
    assert err == f"{translate('cli.error', lang)}: {reason('no-provider', lang, slug='nope')}\n"


def test_field_problems_of_an_error_are_in_dutch_too(capsys: pytest.CaptureFixture[str]) -> None:
    run(["init"])
    capsys.readouterr()
    assert run(["--lang", "nl", "offering", "add", "nope", "X", "--ects", "99"]) == 1
    err = capsys.readouterr().err
    assert reason("ects-range", "nl") in err
    assert translate("field_problem.got", "nl", value="99") in err


def test_english_stays_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--lang", "nl", "init"]) == 0
    capsys.readouterr()
    assert run(["init"]) == 0  # the next invocation speaks English again
    assert capsys.readouterr().out.startswith("database ready: ")


def test_an_unknown_language_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--lang", "fr", "init"]) == 1
    assert "--lang: must be one of nl, en (got 'fr')" in capsys.readouterr().err


def test_provider_show_and_offering_list_label_their_lines_in_dutch(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["init"]) == 0
    add = [
        "provider",
        "add",
        "acme",
        "--name-nl",
        "Acme Academie",
        "--name-en",
        "Acme Academy",
        "--type",
        "other-private",
    ]
    assert run(add) == 0
    assert run(["offering", "add", "acme", "X1", "--title-nl", "Data", "--outcome", "Tabellen lezen"]) == 0
    capsys.readouterr()
    assert run(["--lang", "nl", "provider", "show", "acme"]) == 0
    shown = capsys.readouterr().out
    assert "Engelse naam: Acme Academy" in shown
    assert "vandaag vertrouwd: nee" in shown
    assert run(["--lang", "nl", "offering", "show", "acme", "X1"]) == 0
    assert "leerresultaat 1: Tabellen lezen" in capsys.readouterr().out
    assert run(["offering", "show", "acme", "X1"]) == 0
    assert "outcome 1: Tabellen lezen" in capsys.readouterr().out
    assert run(["--lang", "nl", "offering", "list"]) == 0
    assert "aanbieder" in capsys.readouterr().out
