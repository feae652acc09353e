"""The words of the catalogue search: query terms, indexed forms, stop words and highlights."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from microcred.domain.words import fold, highlight, indexed_forms, json_forms, query_forms, query_terms


def test_query_terms_are_lower_case_words_without_operators() -> None:
    assert query_terms('Duurzaam "bouwen" OR -data_science*') == ["duurzaam", "bouwen", "or", "data", "science"]


def test_a_query_word_is_matched_by_itself_and_its_dutch_and_english_stems() -> None:
    assert query_forms("duurzaamheid") == ("duurzaamheid", "duurzam")
    assert query_forms("sustainability") == ("sustainability", "sustain")


def test_stop_words_are_not_stemmed_as_postgresql_does_not_index_them() -> None:
    assert query_forms("voor") == ("voor",)  # the Dutch stemmer would make it "vor" and find "vorming"
    assert list(indexed_forms("voor de vormen", "nl")) == ["voor", "de", "vormen", "vorm"]


def test_texts_are_stemmed_in_their_own_language_and_esco_links_are_not_text() -> None:
    outcomes = '[{"text": {"nl": "Gebouwen ontwerpen", "en": "Design buildings"}, "esco_skill": "http://x/y"}]'
    assert json_forms(outcomes).split() == [
        "gebouwen",
        "gebouw",
        "ontwerpen",
        "ontwerp",
        "design",
        "buildings",
        "build",
    ]
    assert json_forms(None) == ""


def test_a_highlight_marks_the_words_found_by_their_stem() -> None:
    found = highlight("Duurzame gebouwen en duurzaamheid", "nl", ["duurzaam"])
    assert [piece for piece, marked in found.pieces if marked] == ["Duurzame", "duurzaamheid"]


def test_a_snippet_cuts_around_the_first_match_at_word_boundaries() -> None:
    text = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
    found = highlight(text, "en", ["seven"], around=10)
    assert "".join(piece for piece, _ in found.pieces) == "…four five six seven eight nine…"


@given(st.text(max_size=80), st.lists(st.from_regex(r"[a-z]{1,6}", fullmatch=True), max_size=3))
def test_a_highlight_without_a_cut_is_the_whole_text(text: str, terms: list[str]) -> None:
    assert "".join(piece for piece, _ in highlight(text, "nl", terms).pieces) == text


def test_the_sort_key_ignores_case_and_accents() -> None:
    assert sorted(["ezels", "Économie", "Ecologie"], key=fold) == ["Ecologie", "Économie", "ezels"]
