"""docs/architecture.md's diagram is the package-level import graph of the code, arrow for arrow."""

from __future__ import annotations

import re
from pathlib import Path

import grimp

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
