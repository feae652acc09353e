"""The source of ``src/microcred`` as the i18n scans read it: each file read, parsed and walked once per
test process, whichever scan asks first (five scans used to parse and walk every file again, ~20 s of a
two-worker run)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "microcred"


@cache
def source_files() -> tuple[Path, ...]:
    return tuple(sorted(SRC.rglob("*.py")))


@cache
def source(path: Path) -> str:
    return path.read_text("utf-8")


@cache
def tree(path: Path) -> ast.Module:
    return ast.parse(source(path))


@cache
def nodes(path: Path) -> tuple[ast.AST, ...]:
    """Every node of the file, in ``ast.walk`` order."""
    return tuple(ast.walk(tree(path)))


@dataclass(frozen=True, slots=True)
class ScopedCall:
    """A call and the names of the classes it is written in (innermost last)."""

    call: ast.Call
    classes: tuple[ast.ClassDef, ...]


@cache
def calls(path: Path) -> tuple[ScopedCall, ...]:
    """Every call of the file with its enclosing classes, found in one pass."""
    found: list[ScopedCall] = []

    def visit(node: ast.AST, classes: tuple[ast.ClassDef, ...]) -> None:
        if isinstance(node, ast.Call):
            found.append(ScopedCall(node, classes))
        inner = (*classes, node) if isinstance(node, ast.ClassDef) else classes
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    visit(tree(path), ())
    return tuple(found)
