"""What a verification shares between credentials (issue 21) never carries one credential's answer to another."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any

import pytest

from microcred.credentials.cryptosuites import EDDSA_JCS_2022
from microcred.credentials.keys import SigningKey, did_key_document
from microcred.credentials.proofs import add_proof
from microcred.credentials.sample import sample_micro_credential
from microcred.credentials.verify import VerificationResult, verify_credential

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)


def _signed(key: SigningKey, learner: int = 1) -> dict[str, Any]:
    return add_proof(
        sample_micro_credential(issuer_did=key.did, learner_number=learner),
        suite=EDDSA_JCS_2022,
        signing_key=key,
        verification_method=key.verification_method,
        created="2025-02-01T00:00:00Z",
    )


def _verify(document: Any, trust_date: Any = "both") -> VerificationResult:
    return verify_credential(
        document,
        resolve_did=did_key_document,
        is_trusted=lambda _issuer, _day: True,
        fetch_status_list=lambda _url: None,
        now=NOW,
        trust_date=trust_date,
    )


def test_a_check_without_parameters_is_one_value_that_cannot_be_changed() -> None:
    key = SigningKey.from_seed(bytes(range(32)))
    first, second = _verify(_signed(key, 1)), _verify(_signed(key, 2))
    assert first.check("signature") is second.check("signature")
    assert first.check("validity-period").outcome == "pass"
    (_code, params), *_ = first.check("well-formed").reasons
    with pytest.raises(TypeError):
        params["injected"] = "by an earlier caller"  # type: ignore[index]
    assert first.check("well-formed").reason("en") == second.check("well-formed").reason("en")


def test_after_a_valid_credential_a_changed_one_or_another_key_still_fails() -> None:
    key, other = SigningKey.from_seed(bytes(range(32))), SigningKey.from_seed(bytes(range(1, 33)))
    document = _signed(key)
    assert _verify(document).check("signature").outcome == "pass"
    changed = copy.deepcopy(document)
    changed["credentialSubject"]["achievement"]["name"] += "."
    assert _verify(changed).check("signature").outcome == "fail"
    forged = copy.deepcopy(document)
    forged["proof"][0]["verificationMethod"] = other.verification_method
    assert _verify(forged).check("signature").outcome == "fail"
    assert _verify(document).check("signature").outcome == "pass"


@pytest.mark.parametrize(
    ("trust_date", "shown"),
    [(date(2025, 3, 1), "2025-03-01"), (datetime(2025, 3, 1, 9, 30, tzinfo=UTC), "2025-03-01T09:30:00+00:00")],
)
def test_an_asked_trust_date_is_shown_in_its_own_form(trust_date: date, shown: str) -> None:
    result = _verify(_signed(SigningKey.from_seed(bytes(range(32)))), trust_date)
    assert result.check("trusted-provider").outcome == "pass"
    assert shown in result.check("trusted-provider").reason("en")
