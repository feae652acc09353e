"""Starting the command line loads only what every command needs.

matplotlib, scipy, fpdf and Alembic together cost about two seconds of import time on this machine, and
only the commands that draw a chart, write a PDF, audit a report or migrate need them. They are imported
inside the functions that use them; this test keeps a top-level import from creeping back. Likewise DuckDB,
numpy, pyld, jsonschema, httpx and joserfc load only with the commands that need them, not whenever a command
opens the register (the composition root builds each service on first use).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import microcred

# slow (seconds a test: credentials issued, a demo loaded, a report rendered or a process started):
# make test runs it, make test-fast leaves it out
pytestmark = pytest.mark.slow

HEAVY = ("matplotlib", "scipy", "fpdf", "alembic")
STORAGE_AND_STANDARDS = ("sqlalchemy", "duckdb", "pyld", "jsonschema", "cryptography", "httpx")
"""What the command line itself must not load before a command runs (issue 21: ``microcred --help`` and usage
errors start in well under a second; ``benchmarks/bench_cli.py`` measures it)."""
SERVING_AND_FORMATS = (
    "fastapi", "starlette", "uvicorn", "jinja2", "numpy", "pyarrow", "openpyxl", "segno", "joserfc", "nacl",
    "orjson", "jsonschema_rs", "prometheus_client", "alembic", "psycopg",
)  # fmt: skip
"""What no ``--help`` loads either: the web server, the file formats, the credential formats (issue 21)."""
ONLY_FOR_THEIR_COMMANDS = ("numpy", "duckdb", "matplotlib", "pyld", "jsonschema", "httpx", "joserfc")
"""What a command that opens the register loads only when it needs them: statistics, credentials' JSON-LD and
schemas, the verifier's fetcher, JOSE (issue 21: each cost a tenth of a second or more before any command ran)."""
OUR_WORKING_PARTS = ("microcred.bootstrap", "microcred.services", "microcred.storage", "microcred.credentials",
                     "microcred.stats", "microcred.io", "microcred.api", "microcred.web")  # fmt: skip
HELP_COMMANDS = [
    ["--help"],
    ["report", "--help"],
    ["report", "parliament", "--help"],
    ["verify", "--help"],
    ["issue", "--help"],
    ["import", "--help"],
    ["offering", "add", "--help"],
    ["serve", "--help"],
]


def _modules_loaded_by(statement: str, *, packages: bool = True) -> set[str]:
    """The top-level packages (or, with ``packages=False``, every module) that ``statement`` loads."""
    program = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    names = json.loads(result.stdout.splitlines()[-1])
    return {name.split(".")[0] for name in names} if packages else set(names)


@pytest.mark.parametrize(
    "statement",
    [
        "import microcred.cli.main",
        "from microcred.cli.main import app",
        "import microcred.bootstrap",
        "import microcred.asgi",
    ],
)
def test_starting_up_imports_none_of_the_heavy_libraries(statement: str) -> None:
    loaded = _modules_loaded_by(statement)
    assert loaded.isdisjoint(HEAVY), f"{statement!r} imports {sorted(loaded & set(HEAVY))} at start-up"


@pytest.mark.parametrize(
    ("work", "libraries"),
    [
        (
            "from microcred.stats.attack import Cell, intervals\n"
            "from microcred.storage.engine import make_engine\n"
            "from microcred.storage.migrate import upgrade\n"
            "upgrade(make_engine('sqlite://'))\n"
            "intervals([Cell(copy_learners=5, up_enrolments=(5,), hidden_atoms=1)], k=5, measure='learners')",
            {"alembic", "scipy"},
        ),
        (
            "from microcred.bootstrap import build\n"
            "register = build()\n"
            "register.verification, register.reports, register.oid4vci",
            {"pyld", "jsonschema", "duckdb", "numpy", "joserfc"},
        ),
    ],
    ids=["a migration and the attack intervals", "the register's verifier, reports and OpenID4VCI"],
)
def test_the_heavy_libraries_do_load_when_their_work_is_asked_for(work: str, libraries: set[str]) -> None:
    """The guards on start-up mean something only if this work really is what needs them (the register builds
    its services lazily, so a built service must still reach its libraries)."""
    assert libraries <= _modules_loaded_by(work)


@pytest.mark.parametrize(
    "statement", ["import microcred.cli.main", "from microcred.cli.main import run; run(['--help'])"]
)
def test_the_command_line_starts_without_storage_or_the_credential_libraries(statement: str) -> None:
    loaded = _modules_loaded_by(statement)
    assert loaded.isdisjoint(STORAGE_AND_STANDARDS), (
        f"{statement!r} loads {sorted(loaded & set(STORAGE_AND_STANDARDS))}"
    )
    assert not {name for name in loaded if name.startswith("microcred.bootstrap")}


def test_a_command_that_needs_the_register_still_gets_it() -> None:
    """The lazy import in ``cli.context.register`` is reached: a real command loads storage when it runs."""
    loaded = _modules_loaded_by(
        "import os, tempfile\n"
        "os.environ['MICROCRED_DATABASE_URL'] = 'sqlite:///' + tempfile.mkdtemp() + '/x.db'\n"
        "from microcred.cli.main import run\n"
        "assert run(['init']) == 0"
    )
    assert "sqlalchemy" in loaded


def test_importing_the_composition_root_loads_no_service_it_has_not_been_asked_for() -> None:
    loaded = _modules_loaded_by("import microcred.bootstrap")
    assert loaded.isdisjoint(ONLY_FOR_THEIR_COMMANDS), f"loads {sorted(loaded & set(ONLY_FOR_THEIR_COMMANDS))}"


def test_a_command_that_opens_the_register_loads_only_the_libraries_it_needs(tmp_path: Path) -> None:
    """``microcred provider list`` reads the database and prints a table: storage and settings, nothing more."""
    start = (
        f"import os\nos.environ['MICROCRED_DATABASE_URL'] = 'sqlite:///{tmp_path}/x.db'\n"
        "from microcred.cli.main import run\n"
    )
    _modules_loaded_by(f"{start}assert run(['init']) == 0")
    loaded = _modules_loaded_by(
        f"{start}import contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert run(['provider', 'list']) == 0"
    )
    assert "sqlalchemy" in loaded  # it did open the register
    assert loaded.isdisjoint(ONLY_FOR_THEIR_COMMANDS), f"loads {sorted(loaded & set(ONLY_FOR_THEIR_COMMANDS))}"


@pytest.mark.parametrize("args", HELP_COMMANDS, ids=" ".join)
def test_a_help_text_loads_no_library_or_part_of_ours_that_only_the_work_needs(args: list[str]) -> None:
    """Each ``--help`` a user reads is only Typer, rich and the domain's field definitions the options come from."""
    program = (
        "import contextlib, io\n"
        "from microcred.cli.main import run\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert run({args!r}) == 0"
    )
    loaded = _modules_loaded_by(program, packages=False)
    tops = {name.split(".")[0] for name in loaded}
    unwanted = set(HEAVY) | set(STORAGE_AND_STANDARDS) | set(SERVING_AND_FORMATS)
    assert tops.isdisjoint(unwanted), f"{args} loads {sorted(tops & unwanted)}"
    ours = sorted(name for name in loaded if name.startswith(OUR_WORKING_PARTS))
    assert not ours, f"{args} loads {ours}"
    assert "rich.progress" not in loaded  # the progress bars of issue and import are drawn by those commands only


def test_the_top_level_help_does_not_load_pydantic() -> None:
    """Typer parses a command's options with pydantic, but ``microcred --help`` parses none (issue 21)."""
    loaded = _modules_loaded_by("from microcred.cli.main import run; run(['--help'])")
    assert "pydantic" not in loaded
    assert "pydantic_core" not in loaded


def test_a_settings_error_is_still_one_line_without_pydantic_imported_up_front() -> None:
    """``cli.main`` tells a pydantic ValidationError by the loaded module; a bad setting still reads as one line."""
    program = (
        "import os, sys\n"
        "os.environ['MICROCRED_PORT'] = 'not-a-port'\n"
        "from microcred.cli.main import run\n"
        "sys.exit(run(['provider', 'list']))"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("error: configuration port:"), result.stderr
    assert "Traceback" not in result.stderr


def test_version_prints_the_version_at_once_and_loads_nothing_of_the_work() -> None:
    """``microcred --version`` is the lightest command there is (it answered "Missing command" until issue 21)."""
    program = "from microcred.cli.main import run\nimport sys\nsys.exit(run(['--version']))"
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout.strip()) == (0, microcred.__version__)
    loaded = _modules_loaded_by("from microcred.cli.main import run; run(['--version'])")
    assert loaded.isdisjoint({*HEAVY, *STORAGE_AND_STANDARDS, *SERVING_AND_FORMATS, "pydantic"})
