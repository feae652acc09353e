"""One way to translate: no text in src/ is picked by language outside the catalogue.

Fails on the shapes the five old mechanisms had: ``"rij" if nl else "row"``, ``"…" if lang == "nl" else "…"``,
a table of ``{"nl": "…", "en": "…"}`` texts, a ``CellError(en, nl)`` pair, a reason matched by its English
words. Language-neutral choices (``other = "en" if lang == "nl" else "nl"``, a decimal comma) are fine.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from microcred.i18n import LANGUAGES, catalogue
from tests.i18n.sources import SRC, nodes, source, source_files

# The scans share one parse of src/ per process (tests/i18n/sources.py): keep them on one worker.
pytestmark = pytest.mark.xdist_group("source-scan")

SOURCES = [path for path in source_files() if "i18n" not in path.relative_to(SRC).parts]
_LANGUAGE_CODES = {f'"{lang}"' for lang in LANGUAGES} | {f"'{lang}'" for lang in LANGUAGES}
# "word" if <language test> else "word": a text chosen by language, unless both sides are language codes.
_CHOSEN = re.compile(
    r"""(["'][^"'\n]*["'])\s*\)?\s+if\s+\(?[^\n]*?\b(?:lang|language|nl)\b[^\n]*?\belse\s+\(?(["'][^"'\n]*["'])"""
)
# Data, not messages: demo records and OpenAPI examples carry texts in both languages on purpose.
_DATA = {"services/demo.py", "api/schemas.py"}


def _has_words(literal: str) -> bool:
    """A quoted literal with letters in it (a decimal comma or a separator is no text)."""
    return any(character.isalpha() for character in literal)


def _name(path: Path) -> str:
    return str(path.relative_to(SRC))


@pytest.mark.parametrize("path", SOURCES, ids=_name)
def test_no_text_is_chosen_by_language_outside_the_catalogue(path: Path) -> None:
    for match in _CHOSEN.finditer(source(path)):
        words = {side for side in (match.group(1), match.group(2)) if _has_words(side)}
        assert words <= _LANGUAGE_CODES, f"{_name(path)}: {match.group(0)!r} picks a text by language"


@pytest.mark.parametrize("path", [p for p in SOURCES if _name(p) not in _DATA], ids=_name)
def test_no_table_of_dutch_and_english_texts(path: Path) -> None:
    for node in nodes(path):
        if isinstance(node, ast.Dict):
            keys = {key.value for key in node.keys if isinstance(key, ast.Constant)}
            literal = all(isinstance(value, ast.Constant) and isinstance(value.value, str) for value in node.values)
            assert not (keys == set(LANGUAGES) and literal), f"{_name(path)}:{node.lineno}: an nl/en text pair"


def test_the_old_mechanisms_are_gone() -> None:
    assert not (SRC / "io" / "messages.py").exists()
    assert not (SRC / "web" / "messages.json").exists()
    for path in SOURCES:
        text = source(path)
        assert "reason_en" not in text, _name(path)
        assert "reason_nl" not in text, _name(path)
        assert "_pick(" not in text, _name(path)


def test_the_scan_sees_a_text_chosen_by_language() -> None:
    assert _CHOSEN.search('heading = "Leerresultaten" if lang == "nl" else "Learning outcomes"')
    assert _CHOSEN.search("""f"{'rij' if nl else 'row'}" """)
    match = _CHOSEN.search('other = "en" if lang == "nl" else "nl"')
    assert match
    assert {match.group(1), match.group(2)} <= _LANGUAGE_CODES


def test_every_credential_check_reason_is_in_the_catalogue() -> None:
    source = "".join((SRC / "credentials" / name).read_text("utf-8") for name in ("verify.py", "verify_dates.py"))
    used = set(re.findall(r"""_check\(\s*[^,]+,\s*"[a-z-]+",\s*"([a-z0-9-]+)\"""", source))
    used |= set(re.findall(r"""\(\s*"([a-z0-9-]+)",\s*\{""", source))
    assert {"well-formed", "revoked", "list-unfetched", "keys-not-fetched"} <= used, "the scan finds the codes"
    worded = {key.removeprefix("credential.check.") for key in catalogue() if key.startswith("credential.check.")}
    assert sorted(used - worded) == []
    assert sorted(worded - used) == []
