"""The shipped vocabulary files: well formed, with exactly the codes the domain model relies on."""

from __future__ import annotations

import csv
import io
import re
from importlib.resources import files

import pytest

from microcred.vocab import vocabulary, vocabulary_names

EU_LANGUAGES = {
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr",
    "hu", "it", "lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv",
}  # fmt: skip

CLOSED_SETS = {
    "eqf": ("1", "2", "3", "4", "5", "6", "7", "8"),
    "vks": ("1", "2", "3", "4", "5", "6", "7", "8"),
    "participation-forms": ("online", "on-site", "blended"),
    "qa-kinds": ("institutional-review", "programme-accreditation", "other"),
    "identity-checks": ("c598449d64", "44314532f9", "70be69aaf9"),
    "employment-statuses": ("employed", "self-employed", "job-seeking", "not-in-labour-force", "unknown"),
    "provider-types": (
        "university", "university-college", "school-of-arts",
        "registered-institution", "other-public", "other-private",
    ),
    "offering-kinds": ("micro-credential", "course-units", "postgraduate", "further-training", "other"),
    "flemish-mc-types": ("1", "2", "3a", "3b"),
    "contract-types": ("01", "02", "03", "99"),
    "age-bands": ("<20", "20-24", "25-29", "30-34", "35-44", "45-54", "55-64", "65+", "unknown"),
    "outcomes": ("enrolled", "withdrawn", "passed", "failed"),
    "offering-statuses": ("draft", "published", "withdrawn"),
    "grading-schemes": ("0-20", "pass-fail", "ects-grade", "other"),
    "learner-id-schemes": ("insz", "esi", "register", "local"),
    "assessment-types": (
        "19a2e5e671", "2939dae15f", "3484bd7e51", "4f03b91c0e", "56539a6507", "6a4db9f11d", "6e6cb2cc78",
        "7331eb4762", "795dac4096", "812e3b0ae1", "b1b68f6735", "c4256a2726", "d30284d7df", "de4d165a6c",
    ),
}  # fmt: skip
OPEN_SETS = ("isced-f", "languages", "countries", "nuts-be")
# Where one label naming several concepts is expected: ISCED-F repeats a field's name one level down,
# and the NUTS and ATU lists name the same regions (and NUTS kept old and new arrondissement codes).
REPEATED_LABELS_ALLOWED = {"isced-f", "nuts-be"}


def _raw_rows(name: str) -> tuple[list[str], list[dict[str, str]]]:
    text = (files("microcred.vocab") / "data" / f"{name}.csv").read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return list(reader.fieldnames or []), list(reader)


def test_every_vocabulary_the_register_uses_is_shipped_and_nothing_else():
    assert set(vocabulary_names()) == set(CLOSED_SETS) | set(OPEN_SETS)


@pytest.mark.parametrize("name", sorted(set(CLOSED_SETS) | set(OPEN_SETS)))
def test_file_has_the_shared_columns_and_a_source_on_every_row(name):
    columns, rows = _raw_rows(name)
    assert columns == ["code", "uri", "label_en", "label_nl", "scheme", "parent", "source"]
    assert rows
    assert all(row["source"] for row in rows)


@pytest.mark.parametrize("name", sorted(set(CLOSED_SETS) | set(OPEN_SETS)))
def test_codes_are_unique_even_ignoring_case(name):
    codes = vocabulary(name).codes()
    assert len({code.casefold() for code in codes}) == len(codes)


@pytest.mark.parametrize("name", sorted(set(CLOSED_SETS) | set(OPEN_SETS)))
def test_every_parent_is_a_code_of_the_same_vocabulary(name):
    vocab = vocabulary(name)
    assert all(c.parent in vocab for c in vocab if c.parent is not None)


@pytest.mark.parametrize("name", sorted(set(CLOSED_SETS) | set(OPEN_SETS)))
def test_uris_are_unique_absolute_and_come_with_their_scheme(name):
    uris = [c.uri for c in vocabulary(name) if c.uri is not None]
    assert len(set(uris)) == len(uris)
    assert all(uri.startswith("http://") for uri in uris)
    assert all(c.scheme is not None for c in vocabulary(name) if c.uri is not None)


@pytest.mark.parametrize(("name", "codes"), sorted(CLOSED_SETS.items()))
def test_closed_vocabulary_has_exactly_the_listed_codes_in_order(name, codes):
    assert vocabulary(name).codes() == codes


@pytest.mark.parametrize("name", sorted(CLOSED_SETS))
def test_closed_vocabulary_is_labelled_in_english_and_dutch(name):
    for concept in vocabulary(name):
        assert concept.labels.get("en"), concept.code
        assert concept.labels.get("nl"), concept.code


@pytest.mark.parametrize("name", sorted((set(CLOSED_SETS) | set(OPEN_SETS)) - REPEATED_LABELS_ALLOWED))
def test_labels_name_one_concept_each(name):
    for lang in ("en", "nl"):
        labels = [c.labels[lang].casefold() for c in vocabulary(name) if lang in c.labels]
        assert len(set(labels)) == len(labels), lang


def test_eqf_and_vks_levels_carry_their_eu_uris():
    assert vocabulary("eqf").get("6").uri == "http://data.europa.eu/snb/eqf/6"
    assert vocabulary("eqf").get("6").scheme == "http://data.europa.eu/snb/eqf/25831c2"
    assert vocabulary("vks").get("1").uri == "http://data.europa.eu/snb/qdr/c_cf509e8a"
    assert all(c.uri and c.uri.startswith("http://data.europa.eu/snb/qdr/") for c in vocabulary("vks"))


def test_participation_forms_point_at_the_elm_modes():
    forms = vocabulary("participation-forms")
    base = "http://data.europa.eu/snb/learning-assessment/"
    assert forms.get("online").uri == base + "920fbb3cbe"
    assert forms.get("on-site").uri == base + "9191af2ed9"
    assert forms.get("blended").uri == base + "e92d221e4d"


def test_isced_f_has_all_220_fields_in_three_levels_each_under_its_prefix():
    isced = vocabulary("isced-f")
    by_length = {n: [c for c in isced if len(c.code) == n] for n in (2, 3, 4)}
    assert [len(by_length[n]) for n in (2, 3, 4)] == [12, 58, 150]
    assert all(c.parent is None for c in by_length[2])
    for concept in by_length[3] + by_length[4]:
        assert concept.parent == concept.code[:-1]
    assert all(c.uri == f"http://data.europa.eu/snb/isced-f/{c.code}" for c in isced)


def test_isced_f_fields_are_labelled_in_both_languages():
    for concept in vocabulary("isced-f"):
        assert concept.labels.get("en"), concept.code
        assert concept.labels.get("nl"), concept.code


def test_languages_are_iso_639_1_codes_with_dutch_names_for_all_eu_languages():
    languages = vocabulary("languages")
    assert len(languages) == 183
    assert all(re.fullmatch(r"[a-z]{2}", code) for code in languages.codes())
    assert set(languages.codes()) >= EU_LANGUAGES
    for code in EU_LANGUAGES:
        assert languages.get(code).labels.get("nl"), code
    assert languages.get("nl").uri == "http://publications.europa.eu/resource/authority/language/NLD"
    assert languages.get("nl").label("nl") == "Nederlands"


def test_countries_are_iso_3166_alpha_2_codes_with_nal_uris_and_both_labels():
    countries = vocabulary("countries")
    assert len(countries) == 249
    assert all(re.fullmatch(r"[A-Z]{2}", code) for code in countries.codes())
    assert countries.get("BE").uri == "http://publications.europa.eu/resource/authority/country/BEL"
    for concept in countries:
        assert concept.labels.get("en"), concept.code
        assert concept.labels.get("nl"), concept.code


def test_nuts_be_holds_the_flemish_regions_with_dutch_labels():
    nuts = vocabulary("nuts-be")
    assert len(nuts) == 87
    flemish = ["BE2", "BE21", "BE22", "BE23", "BE24", "BE25", "BEL_RG_VLS", "BEL_CGG_VLA"]
    flemish += ["BEL_PR_ANR", "BEL_PR_LIM", "BEL_PR_OOV", "BEL_PR_VBR", "BEL_PR_WVL"]
    flemish += [c.code for c in nuts if c.code.startswith("BE2") and len(c.code) == 5]
    for code in flemish:
        assert nuts.get(code).labels.get("nl"), code
    assert nuts.get("BE2").label("nl") == "Vlaams Gewest"
    assert [c.code for c in nuts.children("BE24")] == ["BE241", "BE242"]
    assert {c.code for c in nuts.children("BEL_RG_VLS")} == {
        "BEL_PR_ANR", "BEL_PR_LIM", "BEL_PR_OOV", "BEL_PR_VBR", "BEL_PR_WVL",
    }  # fmt: skip
