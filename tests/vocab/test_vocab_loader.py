"""The vocabulary loader: lookups, free-text resolution, lazy loading and clear failures."""

from __future__ import annotations

import subprocess
import sys
from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st

import microcred.vocab
from microcred.vocab import Concept, isced_broad_field, vocabulary, vocabulary_names


def test_public_surface_is_pinned():
    assert microcred.vocab.__all__ == [
        "Concept",
        "Vocabulary",
        "isced_broad_field",
        "vocabulary",
        "vocabulary_names",
    ]


def test_importing_the_package_reads_no_data_file():
    code = "import microcred.vocab as v; print(v.vocabulary.cache_info().currsize)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


def test_a_vocabulary_is_loaded_once_and_shared():
    assert vocabulary("eqf") is vocabulary("eqf")


def test_unknown_vocabulary_name_fails_listing_the_known_ones():
    with pytest.raises(KeyError, match=r"no vocabulary named 'eqf-levels'.*known vocabularies:.*isced-f"):
        vocabulary("eqf-levels")


def test_names_are_sorted_and_all_load():
    names = vocabulary_names()
    assert list(names) == sorted(names)
    assert all(len(vocabulary(name)) > 0 for name in names)


def test_get_returns_the_concept_and_fails_clearly_on_an_unknown_code():
    assert vocabulary("contract-types").get("02").label("nl") == "Creditcontract"
    with pytest.raises(KeyError, match="'9' is not a code in the 'eqf' vocabulary"):
        vocabulary("eqf").get("9")


def test_membership_is_by_exact_code_only():
    eqf = vocabulary("eqf")
    assert "6" in eqf
    assert 6 not in eqf
    assert "Level 6" not in eqf
    assert "BE" in vocabulary("countries")
    assert "be" not in vocabulary("countries")


def test_label_falls_back_to_english_then_to_the_code():
    concept = Concept(code="x", uri=None, labels=MappingProxyType({"en": "Ex"}), scheme=None, parent=None)
    assert concept.label("nl") == "Ex"
    assert concept.label("fr") == "Ex"
    bare = Concept(code="x", uri=None, labels=MappingProxyType({}), scheme=None, parent=None)
    assert bare.label() == "x"
    assert vocabulary("eqf").get("6").label() == "Level 6"
    assert vocabulary("eqf").get("6").label("nl") == "Niveau 6"


def test_concepts_are_hashable_values():
    assert len({vocabulary("eqf").get("6"), vocabulary("eqf").resolve("6")}) == 1


@pytest.mark.parametrize(
    ("name", "text", "code"),
    [
        ("eqf", "6", "6"),
        ("eqf", " level 6 ", "6"),
        ("eqf", "NIVEAU 6", "6"),
        ("eqf", "06", "6"),
        ("eqf", "6.0", "6"),
        ("vks", "7", "7"),
        ("vks", "VKS-niveau 7", "7"),
        ("isced-f", "0613", "0613"),
        ("isced-f", "613", "0613"),
        ("isced-f", "6", "06"),
        ("isced-f", "61", "061"),
        ("isced-f", "10", "10"),
        ("isced-f", "software and applications development and analysis", "0613"),
        ("isced-f", "Ontwikkeling en analyse van software en toepassingen", "0613"),
        ("isced-f", "Law", "042"),
        ("contract-types", "2", "02"),
        ("contract-types", "creditcontract", "02"),
        ("languages", "EN", "en"),
        ("languages", "Dutch", "nl"),
        ("languages", "nederlands", "nl"),
        ("countries", "be", "BE"),
        ("countries", "België", "BE"),
        ("countries", "Belgium", "BE"),
        ("nuts-be", "Vlaams Gewest", "BEL_RG_VLS"),
        ("nuts-be", "be2", "BE2"),
        ("participation-forms", "Hybride", "blended"),
        ("participation-forms", "On-site", "on-site"),
        ("flemish-mc-types", "3A", "3a"),
        ("age-bands", "65+", "65+"),
    ],
)
def test_resolve_accepts_codes_and_labels_in_both_languages(name, text, code):
    found = vocabulary(name).resolve(text)
    assert found is not None
    assert found.code == code


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("eqf", "9"),
        ("eqf", "0"),
        ("eqf", ""),
        ("eqf", "   "),
        ("isced-f", "12345"),
        ("isced-f", "06.13"),
        ("countries", "Atlantis"),
        ("outcomes", "geslaagd met onderscheiding"),
        ("flemish-mc-types", "3c"),
    ],
)
def test_resolve_returns_none_for_text_it_cannot_place(name, text):
    assert vocabulary(name).resolve(text) is None


@given(data=st.data())
def test_every_code_and_label_resolves_whatever_its_case_and_padding(data):
    vocab = vocabulary(data.draw(st.sampled_from(vocabulary_names())))
    concept = data.draw(st.sampled_from(vocab.concepts))
    text = data.draw(st.sampled_from([concept.code, *concept.labels.values()]))
    padded = data.draw(st.sampled_from(["", " ", "\t", "\n "])) + text + data.draw(st.sampled_from(["", " ", "\n"]))
    cased = data.draw(st.sampled_from([padded, padded.upper(), padded.lower()]))
    found = vocab.resolve(cased)
    assert found is not None
    # a repeated label resolves to the first concept carrying it; a code always to itself
    assert found == concept or text.casefold() in {t.casefold() for t in found.labels.values()}


def test_children_follow_the_hierarchy_and_need_a_known_parent():
    isced = vocabulary("isced-f")
    assert [c.code for c in isced.children("06")] == ["061", "068"]
    assert [c.code for c in isced.children("0613")] == []
    with pytest.raises(KeyError, match="'07000'"):
        isced.children("07000")


@pytest.mark.parametrize(
    ("code", "broad"), [("0613", "06"), ("061", "06"), ("06", "06"), ("1041", "10"), ("0000", "00")]
)
def test_isced_broad_field_walks_up_to_the_two_digit_field(code, broad):
    assert isced_broad_field(code) == broad


def test_isced_broad_field_refuses_an_unknown_code():
    with pytest.raises(KeyError, match="'0666' is not a code in the 'isced-f' vocabulary"):
        isced_broad_field("0666")
