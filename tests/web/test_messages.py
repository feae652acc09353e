"""Every message key the pages and web routes use exists in the catalogue (tests/i18n checks the texts)."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest

from microcred.credentials.verify import CHECK_NAMES, OUTCOMES
from microcred.i18n import catalogue as messages
from microcred.web.desk_tasks import IMPORT_KINDS

TEMPLATES = files("microcred.web") / "templates"
WEB = files("microcred.web")
_STATIC_KEY = re.compile(r"""\bt\(\s*["']([A-Za-z0-9_.-]+)["']\s*[,)]""")
_PREFIX_KEY = re.compile(r"""\bt\(\s*["']([A-Za-z0-9_.-]+\.)["']\s*~""")
# A message key handed over in Python: an argument, a keyword or dict value, or what a function returns.
_PYTHON_KEY = re.compile(r"""(?:[,(:=]|\breturn|\belse)\s*\(?["']([a-z_]+(?:\.[a-z_]+)+)["']""")
_NOT_A_KEY = re.compile(r"\.(html|json)$|^microcred\.")

# Keys built from a prefix and a value: every value the code can produce must have its message.
_DYNAMIC = {
    "wallet.status.": ["valid", "expired", "revoked", "suspended"],
    "wallet.share_state.": ["active", "expired", "revoked"],
    "share.closed_title.": ["revoked", "expired", "unknown"],
    "share.closed.": ["revoked", "expired", "unknown"],
    "import.kind.": list(IMPORT_KINDS),
    "check.": list(CHECK_NAMES),
    "outcome.": list(OUTCOMES),
}


def _templates() -> dict[str, str]:
    return {entry.name: entry.read_text("utf-8") for entry in TEMPLATES.iterdir() if entry.name.endswith(".html")}


@pytest.mark.parametrize("name", sorted(_templates()))
def test_every_key_a_template_uses_exists(name: str) -> None:
    source = _templates()[name]
    missing = sorted(key for key in _STATIC_KEY.findall(source) if key not in messages())
    assert missing == [], f"{name} uses keys missing from the catalogue: {missing}"
    for prefix in _PREFIX_KEY.findall(source):
        known = [key for key in messages() if key.startswith(prefix)]
        assert known, f"{name} builds keys on {prefix!r} but none exists"
        for value in _DYNAMIC.get(prefix, []):
            assert prefix + value in messages(), f"{name}: no message {prefix + value!r}"


def test_every_key_the_routes_hand_to_pages_exists() -> None:
    used = {
        key
        for entry in WEB.iterdir()
        if entry.name.endswith(".py")
        for key in _PYTHON_KEY.findall(entry.read_text("utf-8"))
        if not _NOT_A_KEY.search(key)
    }
    found = {"wallet.bad_email", "import.no_file", "wallet.share_created", "form.expired", "error.not_found"}
    assert found <= used, "the scan finds the keys"
    assert sorted(key for key in used if key not in messages()) == []
