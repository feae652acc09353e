"""Catalogue search on SQLite FTS5 and PostgreSQL full-text: the same answers on both backends."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text

from microcred.bootstrap import Register
from microcred.domain import (
    Edition,
    LangText,
    LearningOutcome,
    Offering,
    OfferingKind,
    OfferingStatus,
    ParticipationForm,
    QaKind,
)
from microcred.errors import Invalid, NotFound
from microcred.services import catalogue
from microcred.services.demo import load_small_demo
from microcred.services.search import CatalogueQuery, catalogue_facets, provider_profile, search_offerings
from tests.databases import Content

TODAY = date(2024, 6, 1)
PEPPER = "pepper-for-search-tests"
PLACES_LEFT = 40 - 11  # the small demo's 2024 edition of MC-DISINFO: capacity 40, 11 enrolments (none withdrawn)


@pytest.fixture
def register_content() -> Content:
    return Content("small demo for the search tests", lambda wired: load_small_demo(wired.uow, pepper=PEPPER))


def _codes(register: Register, **criteria: object) -> list[str]:
    page = search_offerings(CatalogueQuery(**criteria), register.uow, today=TODAY)  # type: ignore[arg-type]
    return [hit.offering.code for hit in page.hits]


def test_a_dutch_word_prefix_finds_the_offering_by_its_title(demo: Register) -> None:
    assert _codes(demo, text="duurzaam") == ["MC-DSS"]


def test_an_english_word_in_a_learning_outcome_finds_the_offering(demo: Register) -> None:
    assert _codes(demo, text="genealogical") == ["MC-ANCESTORS"]


def test_every_word_must_match(demo: Register) -> None:
    assert _codes(demo, text="fake news") == ["MC-DISINFO"]
    assert _codes(demo, text="fake sustainability") == []


def test_case_and_punctuation_do_not_matter_and_operators_are_not_interpreted(demo: Register) -> None:
    assert _codes(demo, text='DESINFORMATIE" * ( -') == ["MC-DISINFO"]


def test_no_text_lists_every_published_offering_by_title(demo: Register) -> None:
    assert _codes(demo) == ["MC-DSS", "MC-DISINFO", "MC-ANCESTORS"]


def test_filters_combine(demo: Register) -> None:
    assert _codes(demo, eqf_level=7, language="en") == ["MC-DSS"]
    assert _codes(demo, ects_min=Decimal(5), ects_max=Decimal(6)) == ["MC-DSS", "MC-DISINFO"]
    assert _codes(demo, participation_form=ParticipationForm.ONLINE) == ["MC-DISINFO"]
    assert _codes(demo, kind=OfferingKind.MICRO_CREDENTIAL, provider="ugent") == ["MC-DISINFO"]
    assert _codes(demo, isced_field="07") == ["MC-DSS"]
    assert _codes(demo, isced_field="022") == ["MC-ANCESTORS"]


def test_start_date_filter_looks_at_editions(demo: Register) -> None:
    assert len(_codes(demo, starts_from=date(2024, 9, 1))) == 3
    assert _codes(demo, starts_from=date(2025, 9, 1)) == []


def test_an_offering_saved_after_migration_is_found_and_a_changed_title_is_reindexed(demo: Register) -> None:
    offering = _published(
        "MC-HEAT", LangText.of("Warmtepompen ontwerpen", "Designing heat pumps"), "Een warmtepomp dimensioneren"
    )
    catalogue.save_offering(offering, demo.uow)
    assert _codes(demo, text="warmtepomp") == ["MC-HEAT"]
    offering.title = LangText.of("Zonnepanelen", "Solar panels")
    offering.learning_outcomes = [LearningOutcome(LangText.of("Zonnepanelen plaatsen"))]
    catalogue.save_offering(offering, demo.uow)
    assert _codes(demo, text="warmtepomp") == []
    assert _codes(demo, text="solar") == ["MC-HEAT"]


def test_bulk_sql_writes_are_indexed_too(demo: Register) -> None:
    with demo.uow() as work:
        work.connection.execute(
            text("UPDATE offerings SET description = :d WHERE code = 'MC-DSS'"),
            {"d": '{"en": "Lifecycle assessment with spreadsheets"}'},
        )
        work.commit()
    assert _codes(demo, text="spreadsheets") == ["MC-DSS"]


def test_drafts_are_not_in_the_public_catalogue(demo: Register) -> None:
    catalogue.save_offering(Offering(provider="ugent", code="DRAFT-1", title=LangText.of("Geheim ontwerp")), demo.uow)
    assert _codes(demo, text="geheim") == []


def test_paging_counts_all_matches(demo: Register) -> None:
    page = search_offerings(CatalogueQuery(page_size=2, page=2), demo.uow, today=TODAY)
    assert page.total == 3
    assert page.pages == 2
    assert [hit.offering.code for hit in page.hits] == ["MC-ANCESTORS"]


def test_next_edition_is_the_first_one_starting_after_today(demo: Register) -> None:
    page = search_offerings(CatalogueQuery(text="desinformatie"), demo.uow, today=TODAY)
    upcoming = page.hits[0].next_edition
    assert upcoming is not None
    assert isinstance(upcoming.edition, Edition)
    assert upcoming.edition.start_date == date(2024, 9, 20)
    assert upcoming.places_left == PLACES_LEFT


def test_an_inverted_ects_range_is_refused_with_a_reason(demo: Register) -> None:
    with pytest.raises(Invalid) as caught:
        search_offerings(CatalogueQuery(ects_min=Decimal(10), ects_max=Decimal(2)), demo.uow, today=TODAY)
    assert caught.value.problems[0].field == "ects_max"


def test_facets_name_only_values_in_use(demo: Register) -> None:
    facets = catalogue_facets(demo.uow)
    assert facets.providers == ["uantwerpen", "ugent", "vub"]
    assert facets.isced_fields == ["02", "03", "07"]
    assert facets.languages == ["en", "nl"]


def test_a_provider_profile_counts_every_published_offering_in_the_database(demo: Register) -> None:
    credits = ["0.1", "0.2", "4.5", "3", None, "0.2"]
    with demo.uow() as work:  # straight to storage: the EU-element check is not what this is about
        for number, ects in enumerate(credits):
            work.offerings.save(
                Offering(
                    provider="ugent",
                    code=f"PROFILE-{number}",
                    title=LangText.of(f"Profiel {number}"),
                    kind=OfferingKind.POSTGRADUATE if number % 2 else OfferingKind.FURTHER_TRAINING,
                    status=OfferingStatus.PUBLISHED if number < 5 else OfferingStatus.DRAFT,
                    ects=Decimal(ects) if ects else None,
                    eqf_level=6 if number % 3 else None,
                )
            )
        work.commit()
    published = [
        o for o in catalogue.list_offerings(demo.uow, provider="ugent") if o.status is OfferingStatus.PUBLISHED
    ]
    profile = provider_profile("ugent", demo.uow, limit=2)
    assert len(profile.offerings) == 2 < profile.total == len(published)
    assert profile.ects == sum((o.ects for o in published if o.ects), Decimal(0))  # 0.1 + 0.2 exactly
    kinds = Counter(o.kind.value for o in published)
    assert profile.by_kind == sorted(kinds.items(), key=lambda item: (-item[1], item[0]))
    assert profile.by_level == sorted(Counter(o.eqf_level for o in published if o.eqf_level).items())
    with pytest.raises(NotFound):
        provider_profile("nobody", demo.uow)


def test_words_are_found_by_their_dutch_or_english_stem(demo: Register) -> None:
    assert _codes(demo, text="sustainable") == ["MC-DSS"]  # "Sustainability": both stem to "sustain"
    assert _codes(demo, text="genealogy") == ["MC-ANCESTORS"]  # "genealogical sources"
    assert _codes(demo, text="herkenning") == ["MC-DISINFO"]  # Dutch: "herkenning" and "herkennen" stem to "herkenn"


def test_the_catalogue_is_sorted_by_the_title_in_the_readers_language(demo: Register) -> None:
    assert _codes(demo, title_language="nl") == ["MC-DSS", "MC-DISINFO", "MC-ANCESTORS"]
    assert _codes(demo, title_language="en") == ["MC-ANCESTORS", "MC-DSS", "MC-DISINFO"]


def _published(code: str, title: LangText, outcome: str, provider: str = "ku-leuven") -> Offering:
    return Offering(
        provider=provider,
        code=code,
        title=title,
        learning_outcomes=[LearningOutcome(LangText.of(outcome))],
        ects=Decimal(3),
        eqf_level=6,
        isced_field="0713",
        assessment_type="2939dae15f",
        participation_form=ParticipationForm.ONLINE,
        quality_assurance=QaKind.INSTITUTIONAL_REVIEW,
        status=OfferingStatus.PUBLISHED,
    )


def _publish(register: Register, code: str, title: str, outcome: str = "Een model bouwen") -> None:
    catalogue.save_offering(_published(code, LangText.of(title), outcome, provider="ugent"), register.uow)


def test_titles_sort_without_regard_to_accents_or_case(demo: Register) -> None:
    for code, title in (("MC-E1", "Économie circulaire"), ("MC-E2", "ezels houden"), ("MC-E3", "Ecologie")):
        _publish(demo, code, title)
    assert _codes(demo, provider="ugent") == ["MC-DISINFO", "MC-E3", "MC-E1", "MC-E2"]


def test_a_title_equal_to_the_query_comes_before_titles_that_only_contain_its_words(demo: Register) -> None:
    _publish(demo, "MC-DATA3", "Anders", "Data data data data lezen")
    _publish(demo, "MC-DATA2", "Data in de zorg")
    _publish(demo, "MC-DATA1", "Data")
    assert _codes(demo, text="data") == ["MC-DATA1", "MC-DATA2", "MC-DATA3"]


def test_each_hit_says_why_it_matched_with_the_words_marked(demo: Register) -> None:
    page = search_offerings(CatalogueQuery(text="calculat", title_language="en"), demo.uow, today=TODAY)
    (hit,) = page.hits
    assert not hit.title.matched
    assert hit.snippet is not None
    assert [piece for piece, marked in hit.snippet.pieces if marked] == ["Calculate"]
    english = search_offerings(CatalogueQuery(text="sustainable", title_language="nl"), demo.uow, today=TODAY)
    assert english.hits[0].snippet is not None  # the Dutch title does not show it: the English one does
    assert [p for p, marked in english.hits[0].snippet.pieces if marked] == ["Sustainability"]


def test_an_unknown_title_language_is_refused_with_a_reason(demo: Register) -> None:
    with pytest.raises(Invalid) as refused:
        search_offerings(CatalogueQuery(title_language="fr"), demo.uow, today=TODAY)
    assert [problem.field for problem in refused.value.problems] == ["title_language"]
