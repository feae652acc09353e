"""The one catalogue: every key in Dutch and English, nothing empty, the same placeholders in both."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest

import microcred.i18n
from microcred.i18n import LANGUAGES, catalogue, placeholders, translate

CATALOGUE = files("microcred.i18n") / "catalogue"
FILES = sorted(entry.name for entry in CATALOGUE.iterdir() if entry.name.endswith(".json"))


def test_every_message_has_every_language_and_no_empty_text() -> None:
    for key, texts in catalogue().items():
        assert set(texts) == set(LANGUAGES), f"{key} has {sorted(texts)}"
        assert all(isinstance(text, str) and text.strip() for text in texts.values()), f"{key} has an empty text"


def test_placeholders_agree_between_languages() -> None:
    for key, texts in catalogue().items():
        assert placeholders(texts["nl"]) == placeholders(texts["en"]), f"{key}: {texts}"


@pytest.mark.parametrize("name", FILES)
def test_no_key_is_in_two_files(name: str) -> None:
    own = json.loads((CATALOGUE / name).read_text("utf-8"))
    others = {key for other in FILES if other != name for key in json.loads((CATALOGUE / other).read_text("utf-8"))}
    assert sorted(own.keys() & others) == []


def test_placeholders_fill_in_either_language() -> None:
    for key, texts in catalogue().items():
        values = dict.fromkeys(placeholders(texts["en"]), 12345)  # a number fits {n}, {n!r} and {n:,}
        for lang in LANGUAGES:
            assert translate(key, lang, **values)


def test_a_missing_key_fails_loudly() -> None:
    with pytest.raises(KeyError, match=r"no 'nl' message for 'no\.such\.key'"):
        translate("no.such.key", "nl")


def test_the_public_surface() -> None:
    assert microcred.i18n.__all__ == [
        "DEFAULT_LANGUAGE",
        "LANGUAGES",
        "REASON_PREFIX",
        "best_language",
        "catalogue",
        "has",
        "placeholders",
        "reason",
        "translate",
    ]
