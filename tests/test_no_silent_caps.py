"""No silent caps: a list is read in keyset pages or walked whole, never cut off at a big round number.

Lists used to stop at ``limit=10_000`` and imports asked for ``limit=10**9`` to get past that. This test
reads the source of ``src/`` and fails when such a cap comes back. A large row count that is legitimate
(a batch size, say) is a named constant with a docstring, and passing that name is fine.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "microcred"
LARGE = 10_000  # from here on a literal row count is a cap in disguise
ROW_COUNT_CALLS = {"limit", "offset", "fetchmany", "islice", "yield_per"}
ROW_COUNT_NAMES = {"limit", "offset", "page_size", "batch", "size", "max_rows", "rows"}


def _large(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int and node.value >= LARGE


def _power_of_ten(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Pow)
        and isinstance(node.left, ast.Constant)
        and node.left.value == 10
    )


def _called(node: ast.Call) -> str:
    return node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")


def caps(source: str) -> Iterator[tuple[int, str]]:
    """(line, what) of each literal cap on a row count in ``source``."""
    for node in ast.walk(ast.parse(source)):
        if _power_of_ten(node):
            yield node.lineno, f"a power of ten: {ast.unparse(node)}"
        elif isinstance(node, ast.Call):
            given = list(node.args) if _called(node) in ROW_COUNT_CALLS else []
            given += [k.value for k in node.keywords if k.arg in ROW_COUNT_NAMES]
            yield from ((value.lineno, f"a literal row count: {ast.unparse(node)}") for value in given if _large(value))
        elif isinstance(node, ast.arguments):
            positional = node.posonlyargs + node.args
            defaults = [*([None] * (len(positional) - len(node.defaults))), *node.defaults]
            for argument, default in [*zip(positional, defaults, strict=True), *zip(node.kwonlyargs, node.kw_defaults)]:
                if argument.arg in ROW_COUNT_NAMES and _large(default):
                    yield argument.lineno, f"a literal default row count: {argument.arg}={ast.unparse(default)}"


@pytest.mark.parametrize("path", sorted(SOURCE.rglob("*.py")), ids=lambda p: str(p.relative_to(SOURCE)))
def test_no_list_is_cut_off_at_a_literal_size(path: Path) -> None:
    found = [f"{path.relative_to(SOURCE)}:{line}: {what}" for line, what in caps(path.read_text(encoding="utf-8"))]
    assert not found, "silent caps (page in the database, or iterate):\n" + "\n".join(found)


@pytest.mark.parametrize(
    "cap",
    [
        "def all(self, *, limit: int = 10_000, offset: int = 0): ...",
        "rows = repository.all(provider, limit=10**9)",
        "found = search.find(status='published', limit=10_000)",
        "query = query.limit(100_000)",
        "batch = cursor.fetchmany(10000)",
    ],
)
def test_the_check_recognises_the_caps_it_guards_against(cap: str) -> None:
    assert list(caps(cap))


def test_named_sizes_and_small_literals_pass() -> None:
    allowed = '''
ITERATE_BATCH = 1_000
"""Rows per read."""
def page(limit: int = 50, batch: int = ITERATE_BATCH): ...
rows = connection.execute(query.limit(limit + 1))
capacity = Field(ge=1, le=100_000)
'''
    assert list(caps(allowed)) == []
