"""The trust rule for providers and learner pseudonyms."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microcred.domain import (
    AcademicYear,
    LangText,
    Learner,
    LearnerScheme,
    Provider,
    ProviderType,
    QaKind,
    QualityAssurance,
    identify,
    is_insz,
    is_trusted,
    pseudonymise,
    pseudonyms,
)
from microcred.errors import Invalid

PEPPER = "pepper-one-0123456789"


def provider_with(*records: QualityAssurance) -> Provider:
    return Provider(
        "ugent", LangText.of("Universiteit Gent"), ProviderType.UNIVERSITY, quality_assurances=list(records)
    )


def test_provider_is_trusted_inside_a_valid_qa_record() -> None:
    provider = provider_with(
        QualityAssurance("NVAO", QaKind.INSTITUTIONAL_REVIEW, date(2020, 1, 1), date(2025, 12, 31))
    )
    assert is_trusted(provider, date(2020, 1, 1))
    assert is_trusted(provider, date(2025, 12, 31))
    assert not is_trusted(provider, date(2019, 12, 31))
    assert not is_trusted(provider, date(2026, 1, 1))


def test_provider_without_qa_records_is_not_trusted() -> None:
    assert not is_trusted(provider_with(), date(2024, 1, 1))


def test_open_ended_record_trusts_from_its_start_on() -> None:
    provider = provider_with(QualityAssurance("NVAO", QaKind.PROGRAMME_ACCREDITATION, date(2021, 9, 1)))
    assert is_trusted(provider, date(2040, 1, 1))
    assert not is_trusted(provider, date(2021, 8, 31))


def test_gap_between_records_is_not_trusted() -> None:
    provider = provider_with(
        QualityAssurance("NVAO", QaKind.INSTITUTIONAL_REVIEW, date(2015, 1, 1), date(2020, 12, 31)),
        QualityAssurance("NVAO", QaKind.INSTITUTIONAL_REVIEW, date(2022, 1, 1), None),
    )
    assert not is_trusted(provider, date(2021, 6, 1))
    assert is_trusted(provider, date(2022, 6, 1))


def test_qa_record_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(Invalid, match="valid_until"):
        QualityAssurance("NVAO", QaKind.OTHER, date(2022, 1, 1), date(2021, 1, 1))


def test_provider_problems_name_each_bad_field() -> None:
    provider = Provider(
        "Bad Slug",
        LangText.of(),
        ProviderType.UNIVERSITY,
        country="XX",
        region="FR1",
        kbo_number="12",
        web_domain="https://x.be/",
    )
    assert [p.field for p in provider.problems()] == ["slug", "name", "country", "region", "kbo_number", "web_domain"]


@given(st.text(min_size=1, max_size=40).filter(lambda s: s.strip() != ""))
def test_same_identifier_and_pepper_give_the_same_pseudonym(identifier: str) -> None:
    first = pseudonymise(identifier, provider="ugent", pepper=PEPPER)
    assert first == pseudonymise(identifier, provider="ugent", pepper=PEPPER)
    assert first != pseudonymise(identifier, provider="ugent", pepper="another-pepper-987654")
    assert identifier.strip() not in first or len(identifier.strip()) < 3
    Learner(first)


@given(st.text(min_size=1, max_size=40).filter(lambda s: s.strip() != ""), st.sampled_from(list(LearnerScheme)))
def test_many_pseudonyms_at_once_are_the_ones_given_one_by_one(identifier: str, stated: LearnerScheme) -> None:
    try:
        scheme = identify(identifier.strip(), stated)
    except Invalid:
        scheme = identify(identifier.strip())
    one = pseudonymise(identifier, provider="ugent", pepper=PEPPER, scheme=scheme)
    assert pseudonyms([(identifier.strip(), "ugent", scheme)], pepper=PEPPER) == [one]


def test_pseudonyms_stay_the_keyed_hash_of_scope_and_identifier() -> None:
    """Existing registers hold these pseudonyms: HMAC-SHA-256(pepper, scope 0x1f subject), never anything else."""

    def keyed(message: str) -> str:
        return hmac.new(PEPPER.encode(), message.encode(), hashlib.sha256).hexdigest()

    assert pseudonymise("r0123456", provider="ugent", pepper=PEPPER) == keyed("provider:ugent\x1fr0123456")
    assert pseudonymise("85.07.30-033.28", provider="ugent", pepper=PEPPER) == keyed("insz\x1f85073003328")


def test_student_numbers_are_scoped_to_their_provider() -> None:
    assert pseudonymise("r0123456", provider="kuleuven", pepper=PEPPER) != pseudonymise(
        "r0123456", provider="ugent", pepper=PEPPER
    )


def test_a_national_register_number_is_one_learner_across_providers() -> None:
    insz = "85.07.30-033.28"
    assert is_insz(insz)
    assert pseudonymise(insz, provider="kuleuven", pepper=PEPPER) == pseudonymise(
        "85073003328", provider="ugent", pepper=PEPPER
    )


def test_insz_checksum_is_checked_for_both_centuries() -> None:
    assert is_insz("00012500161")  # born in 2000: checksum over 2 + the first nine digits
    assert not is_insz("85073003329")


def test_a_learner_cannot_hold_a_raw_identifier() -> None:
    with pytest.raises(Invalid, match="pseudonym"):
        Learner("r0123456")


@pytest.mark.parametrize("identifier", ["", "   ", "x" * 129])
def test_empty_or_oversized_identifiers_are_refused(identifier: str) -> None:
    with pytest.raises(Invalid, match="learner_id"):
        pseudonymise(identifier, provider="ugent", pepper=PEPPER)


def test_academic_years_start_in_september() -> None:
    assert str(AcademicYear.of(date(2020, 9, 1))) == "2020-21"
    assert str(AcademicYear.of(date(2021, 2, 10))) == "2020-21"
    assert AcademicYear.parse("2024-2025") == AcademicYear(2024)
    with pytest.raises(Invalid):
        AcademicYear.parse("2024-26")
