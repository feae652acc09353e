"""The tests mirror src/: a reader finds the tests of ``microcred.<package>`` under ``tests/<package>/``."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ROOT / "src" / "microcred"
TESTS = ROOT / "tests"
NOT_A_PACKAGE = {
    "e2e": "browser journeys",
    "vectors": "W3C and OB3 test vectors",
    "docs": "docs that must not drift",
    "search": "the catalogue search's judged query set, measured on both backends",
}


def _folders(parent: Path) -> set[str]:
    return {p.name for p in parent.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))}


def _packages() -> set[str]:
    return {name for name in _folders(PACKAGES) if (PACKAGES / name / "__init__.py").exists()}


def test_every_package_has_a_tests_folder_with_tests() -> None:
    missing = sorted(name for name in _packages() if not list((TESTS / name).glob("test_*.py")))
    assert missing == [], f"add tests/<package>/test_*.py for: {', '.join(missing)}"


def test_every_tests_folder_mirrors_a_package_or_says_what_else_it_holds() -> None:
    strays = sorted(_folders(TESTS) - _packages() - set(NOT_A_PACKAGE))
    assert strays == [], f"tests/ folders that mirror no package under src/microcred/: {', '.join(strays)}"
