"""Starting the command line loads only what every command needs.

matplotlib, scipy, fpdf and Alembic together cost about two seconds of import time on this machine, and
only the commands that draw a chart, write a PDF, audit a report or migrate need them. They are imported
inside the functions that use them; this test keeps a top-level import from creeping back.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("matplotlib", "scipy", "fpdf", "alembic")


def _modules_loaded_by(statement: str) -> set[str]:
    program = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    return {name.split(".")[0] for name in json.loads(result.stdout.splitlines()[-1])}


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


def test_the_heavy_libraries_do_load_when_their_work_is_asked_for() -> None:
    """The guard above means something only if these modules really are the ones that need them."""
    loaded = _modules_loaded_by(
        "import sqlalchemy\n"
        "from microcred.stats.attack import Cell, intervals\n"
        "from microcred.storage.migrate import upgrade\n"
        "upgrade(sqlalchemy.create_engine('sqlite://'))\n"
        "intervals([Cell(copy_learners=5, up_enrolments=(5,), hidden_atoms=1)], k=5, measure='learners')"
    )
    assert {"alembic", "scipy"} <= loaded
