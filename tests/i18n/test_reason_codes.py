"""Every reason code raised in src/ has its words in the catalogue, and every worded reason is raised.

The scan reads the source: the code argument of ``FieldProblem``, ``Invalid.field``, the register's errors
(any subclass of ``MicrocredError``, also through ``super().__init__``), the import ``Problem`` and
``CellError``, the import warning ``Notice``, and the file-level ``_reject``. A code must be a literal there,
so this test can see it.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

from microcred.i18n import REASON_PREFIX, catalogue
from tests.i18n.sources import SRC, ScopedCall, calls, nodes, source_files, tree

# The scans share one parse of src/ per process (tests/i18n/sources.py): keep them on one worker.
pytestmark = pytest.mark.xdist_group("source-scan")

_CODE_FIRST = {"CellError", "_reject"}  # the reason code is the first argument
_ERROR_ROOT = "MicrocredError"


def _trees() -> dict[Path, ast.Module]:
    return {path: tree(path) for path in source_files()}


@cache
def _error_classes() -> tuple[set[str], set[str]]:
    """(every MicrocredError class in src/, those of them called with a reason code first).

    A subclass with its own ``__init__`` takes other arguments (``ShareLinkClosed("revoked")``); its reason
    is the code it hands to ``super().__init__``, which the scan reads there.
    """
    trees = _trees()
    roots = {_ERROR_ROOT, "Invalid", "NotFound", "Conflict", "Forbidden", "Unauthenticated"}
    classes = [node for path in trees for node in nodes(path) if isinstance(node, ast.ClassDef)]
    names = set(roots)
    grew = True
    while grew:
        grew = False
        for node in classes:
            bases = {base.id for base in node.bases if isinstance(base, ast.Name)}
            if node.name not in names and bases & names:
                names.add(node.name)
                grew = True
    custom = {
        node.name
        for node in classes
        if node.name in names - roots
        and any(isinstance(f, ast.FunctionDef) and f.name == "__init__" for f in node.body)
    }
    passing_on = {node.name for node in classes if node.name in custom and _passes_reason_on(node)}
    return names, (names - custom) | passing_on


def _passes_reason_on(klass: ast.ClassDef) -> bool:
    """Whether the class's ``__init__`` hands its first parameter to ``super().__init__`` as the reason
    (``Throttled("sign-in-throttled", retry_after=…)``): then its callers name the code, and are scanned."""
    init = next(f for f in klass.body if isinstance(f, ast.FunctionDef) and f.name == "__init__")
    parameters = [*init.args.posonlyargs, *init.args.args][1:]
    if not parameters:
        return False
    for node in ast.walk(init):
        if isinstance(node, ast.Call) and _name(node.func) == "__init__" and node.args:
            first = node.args[0]
            return isinstance(first, ast.Name) and first.id == parameters[0].arg
    return False


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else ""
        return f"{owner}.{func.attr}" if owner else func.attr
    return ""


def _code_argument(call: ast.Call, errors: set[str], in_error_class: bool) -> ast.expr | None:
    """The expression that holds the reason code of ``call``, or None when it names no reason."""
    name = _name(call.func)
    if name == "FieldProblem" or name.endswith("Invalid.field"):
        index = 1
    elif name == "Problem" and call.args:  # the import problem: (row, column, value, code, params)
        index = 3
    elif name == "Notice" and call.args:  # the import warning: (row, column, read, stored, code, params)
        index = 4
    elif name in errors or name in _CODE_FIRST or (name == "__init__" and in_error_class):  # super().__init__
        index = 0
    else:
        return None
    return call.args[index] if len(call.args) > index else None


def _in_error_class(scoped: ScopedCall, classes: set[str]) -> bool:
    """Whether any class the call is written in derives from a register error (its ``super().__init__``)."""
    return any(isinstance(b, ast.Name) and b.id in classes for klass in scoped.classes for b in klass.bases)


@cache
def _raised_codes() -> dict[str, list[str]]:
    """Each literal reason code in src/ -> where it is used; dynamic codes (a variable) are skipped."""
    classes, errors = _error_classes()
    found: dict[str, list[str]] = {}
    for path in source_files():
        for scoped in calls(path):
            argument = _code_argument(scoped.call, errors, _in_error_class(scoped, classes))
            for code in _literals(argument):
                found.setdefault(code, []).append(f"{path.relative_to(SRC)}:{scoped.call.lineno}")
        # a pair of codes handed to a helper: ("country-required", "country-invalid")
        for node in nodes(path):
            if isinstance(node, ast.Tuple) and node.elts and all(_is_code(e) for e in node.elts):
                for element in node.elts:
                    assert isinstance(element, ast.Constant)
                    found.setdefault(str(element.value), []).append(f"{path.relative_to(SRC)}:{node.lineno}")
    return found


def _is_code(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Constant) and isinstance(node.value, str) and (REASON_PREFIX + node.value) in catalogue()
    )


def _literals(argument: ast.expr | None) -> list[str]:
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return [argument.value]
    if isinstance(argument, ast.IfExp):  # "a" if x else "b"
        return _literals(argument.body) + _literals(argument.orelse)
    return []


def test_the_scan_finds_the_codes_it_should() -> None:
    found = _raised_codes()
    for code in (
        "title-required", "no-provider", "one-of", "control-character", "file-empty", "share-link-expired",
        "sign-in-throttled",
    ):  # fmt: skip
        assert code in found, code


def test_every_reason_code_raised_in_src_has_words_in_the_catalogue() -> None:
    missing = {code: where for code, where in _raised_codes().items() if REASON_PREFIX + code not in catalogue()}
    assert missing == {}, f"add these to i18n/catalogue/reasons.json: {missing}"


def test_every_reason_in_the_catalogue_is_raised_somewhere() -> None:
    raised = _raised_codes()
    unused = sorted(
        key.removeprefix(REASON_PREFIX)
        for key in catalogue()
        if key.startswith(REASON_PREFIX) and key.removeprefix(REASON_PREFIX) not in raised
    )
    assert unused == [], f"no code in src/ raises these reasons: {unused}"


@pytest.mark.parametrize("path", source_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_reason_is_an_english_sentence(path: Path) -> None:
    """A reason is a code (``title-required``), never words (``"a title is required"``), an f-string or another
    error's words (``Invalid(error.message)``)."""
    classes, errors = _error_classes()
    sentences = set()
    for scoped in calls(path):
        node = scoped.call
        argument = _code_argument(node, errors, _in_error_class(scoped, classes))
        if isinstance(argument, ast.JoinedStr):
            sentences.add(f"{path.name}:{node.lineno}: an f-string as reason")
        if isinstance(argument, ast.Attribute) and argument.attr in ("message", "reason_text"):
            sentences.add(f"{path.name}:{node.lineno}: an error's words handed on as a reason")
        sentences |= {f"{path.name}:{node.lineno}: {code!r}" for code in _literals(argument) if " " in code}
    assert sorted(sentences) == [], "reasons must be codes, not sentences"
