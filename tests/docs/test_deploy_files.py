"""The production guide (docs/deploy.md) and the files in deploy/ stay true: the systemd units pass
`systemd-analyze verify`, every microcred command and option they name exists, the example settings are
accepted in production, the proxy forwards to the port the web unit listens on, and the backup script
dumps a real database."""

from __future__ import annotations

import configparser
import glob
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from microcred.cli.main import app
from microcred.settings import Settings
from microcred.testing import PostgresServer

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
GUIDE = ROOT / "docs" / "deploy.md"
UNITS = sorted((DEPLOY / "systemd").iterdir())
INSTALLED = "/opt/microcred/.venv/bin/microcred"


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser


def _commands() -> list[list[str]]:
    """Every `microcred …` command line in the units and in the guide's code blocks and diagram."""
    lines = [_unit(path)["Service"]["ExecStart"] for path in UNITS if path.suffix == ".service"]
    fence: str | None = None  # the language of the code block we are in
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fence = line[3:].strip() if fence is None else None
        elif fence in ("", "sh"):
            lines.append(line)
    found = []
    for line in lines:
        words = line.split("#")[0].replace("(", " ").replace(")", " ").split()
        for start, word in enumerate(words):
            at_command = start == 0 or words[start - 1] in ("sudo", "&&", "|") or words[start - 1].endswith(":")
            if word in ("microcred", INSTALLED, ".venv/bin/microcred") and at_command:
                found.append(words[start + 1 :])
    return found


def test_every_microcred_command_and_option_named_exists() -> None:
    commands = _commands()
    assert {"serve", "worker", "init", "verify"} <= {words[0] for words in commands if words}
    runner = CliRunner()
    for words in commands:
        path = [w for w in words if not w.startswith("-")][:1]
        options = [w.split("=")[0] for w in words if w.startswith("--")]
        shown = runner.invoke(app, [*path, "--help"])
        assert shown.exit_code == 0, (words, shown.output)
        for option in options:
            assert option in shown.output, f"`microcred {' '.join(words)}`: {option} is not an option"


def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    microcred = str(Path(sys.executable).parent / "microcred")
    for path in UNITS:  # the installed paths, pointed at this checkout
        text = path.read_text(encoding="utf-8").replace(INSTALLED, microcred)
        (tmp_path / path.name).write_text(text.replace("/opt/microcred/deploy/", f"{DEPLOY}/"), encoding="utf-8")
    names = [name.replace("@.service", "@1.service") for name in sorted(p.name for p in UNITS)]
    environment = {**os.environ, "SYSTEMD_UNIT_PATH": f"{tmp_path}:"}
    checked = subprocess.run(
        [analyze, "verify", *names],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr.strip() == "", checked.stderr


def test_every_unit_reads_the_settings_file_and_runs_as_the_service_user() -> None:
    for path in UNITS:
        unit = _unit(path)
        if path.suffix == ".timer":
            assert (path.with_suffix(".service")).exists()
            continue
        service = unit["Service"]
        assert service["EnvironmentFile"] == "/etc/microcred/microcred.env", path.name
        assert (service["User"], service["Group"]) == ("microcred", "microcred"), path.name


def test_the_example_settings_are_accepted_in_production() -> None:
    values = {}
    for line in (DEPLOY / "microcred.env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    assert all(name.startswith("MICROCRED_") for name in values)
    fields = {name.removeprefix("MICROCRED_").lower(): value for name, value in values.items()}
    assert set(fields) <= set(Settings.model_fields), "a setting the register does not know"
    settings = Settings(**fields)  # type: ignore[arg-type]
    assert settings.environment == "production"
    assert not settings.serve_jobs, "the web unit runs --no-jobs and the workers run the jobs"


def test_the_proxy_forwards_to_the_web_units_port_and_takes_the_largest_upload() -> None:
    nginx = (DEPLOY / "nginx" / "microcred.conf").read_text(encoding="utf-8")
    code = re.sub(r"#.*", "", nginx)
    assert code.count("{") == code.count("}"), "unbalanced braces"
    assert all(line.strip().endswith((";", "{", "}")) for line in code.splitlines() if line.strip())
    web = _unit(DEPLOY / "systemd" / "microcred-web.service")["Service"]["ExecStart"]
    port = re.search(r"--port (\d+)", web)
    assert port is not None
    assert f"server 127.0.0.1:{port.group(1)};" in nginx
    body = re.search(r"client_max_body_size (\d+)m;", nginx)
    assert body is not None
    assert int(body.group(1)) * 1024 * 1024 >= Settings.model_fields["max_upload_bytes"].default
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in nginx, "set, never appended: no spoofed client"


def test_the_guide_uses_every_deploy_file() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    for path in DEPLOY.rglob("*"):
        if path.is_file():
            assert path.name in guide or path.parent.name == "systemd", f"docs/deploy.md never mentions {path.name}"
    for path in UNITS:
        assert path.stem.replace("@", "") in guide.replace("@", ""), f"docs/deploy.md never mentions {path.name}"


@pytest.mark.postgres
def test_the_backup_script_dumps_a_database_that_restores(postgres_server: PostgresServer, tmp_path: Path) -> None:
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))
    if not binaries:
        pytest.skip("pg_dump is not installed")
    url = postgres_server.create_database("backup_source")
    subprocess.run(
        [str(Path(sys.executable).parent / "microcred"), "init"],
        env={**os.environ, "MICROCRED_DATABASE_URL": url},
        check=True,
    )
    environment = {
        **os.environ,
        "MICROCRED_DATABASE_URL": url,
        "PATH": f"{Path(binaries[-1]).parent}:{os.environ['PATH']}",
    }
    if os.geteuid() == 0:
        environment["PGUSER"] = postgres_server.user
    subprocess.run(
        ["sh", str(DEPLOY / "backup.sh"), str(tmp_path / "backups")], env=environment, check=True, timeout=120
    )
    dumps = list((tmp_path / "backups").glob("microcred-*.dump"))
    assert len(dumps) == 1
    listed = subprocess.run(
        [str(Path(binaries[-1]).parent / "pg_restore"), "--list", str(dumps[0])],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "TABLE public jobs" in listed.stdout
    assert "TABLE public credentials" in listed.stdout
