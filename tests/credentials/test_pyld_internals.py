"""pyld's private internals: one module uses them, against one pinned release, and this fails loudly on drift.

When a test here fails after a pyld upgrade, follow "On a pyld upgrade" in
docs/decisions/0009-canonicalisation.md before changing anything in ``_pyld_internals.py``.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import inspect
import tomllib
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from microcred.credentials import _pyld_internals
from microcred.credentials._pyld_internals import (
    MIRRORED,
    PRIVATE_API,
    PYLD_VERSION,
    ContextProcessing,
    absolute_iri,
    context_id,
    is_absolute_iri,
    is_reverse_term,
    previous_context,
    term_value,
    type_aliases,
)
from microcred.credentials.loader import MICROCRED_CONTEXT_URL, OB3_CONTEXT_URL, VC_V2_CONTEXT_URL, document_loader

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "microcred"
INTERNALS = Path(_pyld_internals.__file__).resolve()
RECHECK = (
    "microcred/credentials/_pyld_internals.py was checked against pyld {pinned}; follow 'On a pyld upgrade' "
    "in docs/decisions/0009-canonicalisation.md (re-read the changed code against _compiled_rdf.py, run "
    "tests/credentials and benchmarks/bench_credentials.py), then update the tables and the pin"
)
# pyld's documented API (its README): what any module other than _pyld_internals.py may use.
DOCUMENTED = {
    *("compact", "expand", "flatten", "frame", "normalize", "to_rdf", "from_rdf"),
    *("JsonLdError", "ContextResolver"),
}
ACTIVE_CONTEXT_KEYS = {"_uuid", "mappings", "previousContext", "_prefix", "reverse"}
LOCAL_CONTEXT = {
    "@vocab": "https://vocab.example/",
    "ex": "https://ex.example/",
    "kind": "@type",
    "parentOf": {"@reverse": "https://ex.example/child"},
    "Thing": {"@context": {"size": "https://ex.example/size"}},
}


def _resolve(dotted: str) -> Any:
    """``pyld.jsonld.JsonLdProcessor._expand`` -> the object, importing the longest module prefix."""
    parts = dotted.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for name in parts[split:]:
            found = getattr(found, name)
        return found
    raise LookupError(dotted)


def test_the_installed_pyld_is_the_pinned_release() -> None:
    pins = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert f"pyld=={PYLD_VERSION}" in pins, "pyproject.toml must pin pyld exactly: " + RECHECK.format(
        pinned=PYLD_VERSION
    )
    installed = version("pyld")
    assert installed == PYLD_VERSION, f"pyld {installed} is installed; " + RECHECK.format(pinned=PYLD_VERSION)


@pytest.mark.parametrize("name", sorted(PRIVATE_API))
def test_each_private_name_still_has_its_signature(name: str) -> None:
    try:
        found = _resolve(name)
    except (AttributeError, LookupError):
        pytest.fail(f"pyld {version('pyld')} no longer has {name}; " + RECHECK.format(pinned=PYLD_VERSION))
    signature = str(inspect.signature(found))
    assert signature == PRIVATE_API[name], (
        f"pyld {version('pyld')} changed {name}{signature} (was {PRIVATE_API[name]}); "
        + RECHECK.format(pinned=PYLD_VERSION)
    )


@pytest.mark.parametrize("name", sorted(MIRRORED))
def test_each_mirrored_rule_is_unchanged(name: str) -> None:
    digest = hashlib.sha256(inspect.getsource(_resolve(name)).encode("utf-8")).hexdigest()[:16]
    assert digest == MIRRORED[name], (
        f"pyld {version('pyld')} changed the source of {name}, whose rules the compiled path re-implements; "
        + RECHECK.format(pinned=PYLD_VERSION)
    )


@pytest.fixture(scope="module")
def processing() -> ContextProcessing:
    return ContextProcessing(document_loader)


def test_the_active_context_layout_is_the_one_relied_on(processing: ContextProcessing) -> None:
    initial = processing.initial()
    active = processing.apply(initial, LOCAL_CONTEXT)
    typed = processing.apply(active, term_value(active, "Thing", "@context"), propagate=False)
    assert len({context_id(initial), context_id(active), context_id(typed)}) == 3
    assert previous_context(typed) is active
    assert previous_context(active) is None
    assert type_aliases(active) == {"@type", "kind"}
    assert is_reverse_term(active, "parentOf")
    assert not is_reverse_term(active, "ex")
    assert absolute_iri(active, "ex:a", vocab=False) == "https://ex.example/a"  # a prefix (``_prefix``)
    assert absolute_iri(active, "colour", vocab=True) == "https://vocab.example/colour"  # ``@vocab``
    assert absolute_iri(typed, "size", vocab=True) == "https://ex.example/size"


VALUES = [
    *("ex:a", "colour", "kind", "parentOf", "Thing", "name", "type", "Achievement", "xsd:date", "ex://a"),
    *("https://x.example/a", "urn:uuid:1", "did:key:z6Mk#z6Mk", "_:b0", "rel/ative", "a b", "@foo", "@id", ""),
]


@pytest.mark.parametrize("vocab", [True, False])
@pytest.mark.parametrize("value", VALUES)
def test_the_mirrored_iri_expansion_agrees_with_pyld(processing: ContextProcessing, value: str, vocab: bool) -> None:
    shipped = processing.apply(processing.initial(), [VC_V2_CONTEXT_URL, OB3_CONTEXT_URL, MICROCRED_CONTEXT_URL])
    for active in (processing.apply(processing.initial(), LOCAL_CONTEXT), shipped):
        expanded = processing.expand_iri(active, value, vocab=vocab)
        absolute = isinstance(expanded, str) and not expanded.startswith("_:") and is_absolute_iri(expanded)
        assert absolute_iri(active, value, vocab=vocab) == (expanded if absolute else None)


def _pyld_reaches(module: Path) -> list[str]:
    """Every use in ``module`` of pyld beyond its documented API, or of the active context's private layout."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    reaches_contexts = any(name.startswith(("pyld", "microcred.credentials._pyld_internals")) for name in imported)
    # methods of a processor (module-level names are caught by the import and ``jsonld.`` rules)
    processor = "pyld.jsonld.JsonLdProcessor."
    private_methods = {name.removeprefix(processor) for name in PRIVATE_API if name.startswith(processor)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "pyld":
            if node.module != "pyld" or any(alias.name != "jsonld" for alias in node.names):
                found.append(f"line {node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Import) and any(alias.name.split(".")[0] == "pyld" for alias in node.names):
            found.append(f"line {node.lineno}: import pyld...")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "jsonld":
            if node.attr not in DOCUMENTED:
                found.append(f"line {node.lineno}: jsonld.{node.attr}")
        elif isinstance(node, ast.Attribute) and node.attr in private_methods:
            found.append(f"line {node.lineno}: .{node.attr}")
        elif reaches_contexts and isinstance(node, ast.Constant) and node.value in ACTIVE_CONTEXT_KEYS:
            found.append(f"line {node.lineno}: {node.value!r}")
    return found


def test_only_the_internals_module_reaches_into_pyld() -> None:
    reaches = {
        str(module.relative_to(SOURCE)): _pyld_reaches(module)
        for module in sorted(SOURCE.rglob("*.py"))
        if module.resolve() != INTERNALS
    }
    assert {module: uses for module, uses in reaches.items() if uses} == {}, (
        f"only microcred/credentials/_pyld_internals.py, checked against the pinned pyld, may use pyld beyond "
        f"its documented API ({', '.join(sorted(DOCUMENTED))}) or read an active context's private keys"
    )


def test_the_reach_check_sees_private_uses(tmp_path: Path) -> None:
    module = tmp_path / "offender.py"
    module.write_text(
        "from pyld import jsonld\nfrom pyld.nquads import escape\n"
        "p = jsonld.JsonLdProcessor()\np._process_context(None, None, {})\nctx = {}\nctx['_uuid']\n"
        "jsonld._canonicalize_double(1.5)\njsonld.normalize({})\n",
        encoding="utf-8",
    )
    assert _pyld_reaches(module) == [
        "line 2: from pyld.nquads import ...",
        "line 3: jsonld.JsonLdProcessor",
        "line 4: ._process_context",
        "line 6: '_uuid'",
        "line 7: jsonld._canonicalize_double",
    ]
