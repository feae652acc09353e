"""The code keeps the shape docs/architecture.md and STYLE.md describe.

The diagram is the package-level import graph of the code, arrow for arrow; no module is over 400 lines
(migrations aside) and no route function over 60, so a module stays readable and a route stays an adapter.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import grimp
from fastapi.routing import APIRoute
from starlette.routing import Route

from microcred.asgi import create_app
from microcred.bootstrap import build
from tests.databases import settings_for

ROOT = Path(__file__).resolve().parents[1]
DIAGRAM = ROOT / "docs" / "architecture.md"
LEFT_OUT = {"testing"}  # documented next to the diagram


def _code_edges() -> set[tuple[str, str]]:
    graph = grimp.build_graph("microcred")
    edges = set()
    for module in graph.modules:
        parts = module.split(".")
        if len(parts) < 2 or parts[1] in LEFT_OUT:
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            target = imported.split(".")
            if len(target) >= 2 and target[0] == "microcred" and target[1] != parts[1]:
                edges.add((parts[1], target[1]))
    return edges


def _diagram_edges() -> set[tuple[str, str]]:
    text = DIAGRAM.read_text(encoding="utf-8")
    block = text.split("<!-- graph:begin -->", 1)[1].split("<!-- graph:end -->", 1)[0]
    return set(re.findall(r"^\s*(\w+) --> (\w+)\s*$", block, flags=re.M))


def test_the_architecture_diagram_shows_every_import_between_packages_and_no_other() -> None:
    code, drawn = _code_edges(), _diagram_edges()
    assert drawn, "no arrows found between the graph markers of docs/architecture.md"
    missing, stale = sorted(code - drawn), sorted(drawn - code)
    assert not missing, f"docs/architecture.md lacks the arrows {[f'{a} --> {b}' for a, b in missing]}"
    assert not stale, f"docs/architecture.md draws arrows the code lacks: {[f'{a} --> {b}' for a, b in stale]}"


def test_the_diagram_names_every_top_level_package() -> None:
    packages = {
        p.stem for p in (ROOT / "src" / "microcred").iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()
    }
    packages -= {"__init__", "__main__", *LEFT_OUT}
    drawn = {name for edge in _diagram_edges() for name in edge}
    assert packages <= drawn, f"packages missing from docs/architecture.md: {sorted(packages - drawn)}"


MAX_MODULE_LINES = 400  # STYLE.md: a module over ~300 lines is probably two modules; 400 is the hard limit
MAX_ROUTE_LINES = 60  # STYLE.md: route functions parse, call one use case and render; a longer one holds logic
SOURCE = ROOT / "src" / "microcred"


def _modules() -> list[Path]:
    return sorted(p for p in SOURCE.rglob("*.py") if "migrations" not in p.relative_to(SOURCE).parts)


def _route_functions(tmp_path: Path) -> dict[str, int]:
    """Every route function of the served application (API and web), by module and name -> its length.

    Read from the real app's routes rather than from decorators in the source, so that a route declared
    through a helper or registered in a loop is measured too."""
    wired = build(settings_for(f"sqlite:///{tmp_path / 'routes.db'}", tmp_path))
    try:
        app = create_app(wired)
        endpoints = {route.endpoint for route in app.routes if isinstance(route, APIRoute | Route)}
    finally:
        wired.close()
    lengths = {}
    for endpoint in endpoints:
        module = inspect.getmodule(endpoint)
        if module is None or not module.__name__.startswith(("microcred.api.", "microcred.web.")):
            continue  # the framework's own (openapi.json, docs)
        lines, _ = inspect.getsourcelines(endpoint)
        lengths[f"{module.__name__}:{endpoint.__qualname__}"] = len(lines)
    return lengths


def test_no_module_is_longer_than_400_lines() -> None:
    lengths = {p.relative_to(SOURCE).as_posix(): len(p.read_text(encoding="utf-8").splitlines()) for p in _modules()}
    too_long = {name: n for name, n in lengths.items() if n > MAX_MODULE_LINES}
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines; split them along a real seam: {too_long}"


def test_no_route_function_is_longer_than_60_lines(tmp_path: Path) -> None:
    routes = _route_functions(tmp_path)
    assert len(routes) > 100, f"found only {len(routes)} route functions: the route discovery is broken"
    too_long = {name: n for name, n in routes.items() if n > MAX_ROUTE_LINES}
    assert not too_long, f"route functions over {MAX_ROUTE_LINES} lines; move their logic to a service: {too_long}"
