"""The verifier's reasons inside reasons come from the catalogue too (docs/decisions/0011, 0014).

Why a fetch failed or was not made (``FetchFailed``, ``NotFetched``, ``LookupFailed`` →
``credential.lookup.<code>``), why a proof failed (``ProofCheck`` → ``credential.proof.<code>``) and which
dates trust was judged on (``credential.trust-date.<which>``): each a code raised in src/ with both languages
in the catalogue, never a sentence; and they are worded in the language of the check that reports them.
"""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from microcred.credentials.proofs import ProofCheck
from microcred.credentials.verify import TRUST_DATES, FetchFailed, NotFetched, verify_credential
from microcred.i18n import catalogue
from microcred.services.remote import RemoteDocuments
from microcred.services.verification import _fetch_json
from tests.i18n.sources import SRC, calls, source_files

# The scans share one parse of src/ per process (tests/i18n/sources.py): keep them on one worker.
pytestmark = pytest.mark.xdist_group("source-scan")
_LOOKUPS = {"LookupFailed", "NotFetched", "FetchFailed"}


def _calls() -> list[tuple[Path, ast.Call]]:
    return [(path, scoped.call) for path in source_files() for scoped in calls(path)]


def _callee(call: ast.Call) -> str:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return call.func.id if isinstance(call.func, ast.Name) else ""


@cache
def _codes() -> dict[str, dict[str, list[str]]]:
    """prefix -> code -> where; a code handed on in a variable (``first.code``) is skipped, anything else
    (a literal, an f-string, a formatted text) is kept as it is written, so a sentence shows up."""
    found: dict[str, dict[str, list[str]]] = {"lookup": {}, "proof": {}}
    for path, call in _calls():
        name = _callee(call)
        if name in _LOOKUPS:
            prefix, index = "lookup", 0
        elif name == "ProofCheck":
            prefix, index = "proof", 1
        elif name == "failure" and path.name == "proofs.py":
            prefix, index = "proof", 0
        else:
            continue
        argument = call.args[index] if len(call.args) > index else None
        if isinstance(argument, ast.Name | ast.Attribute):
            continue
        code = argument.value if isinstance(argument, ast.Constant) else ast.unparse(argument) if argument else "?"
        found[prefix].setdefault(str(code), []).append(f"{path.relative_to(SRC)}:{call.lineno}")
    return found


def _worded(prefix: str) -> set[str]:
    return {key.removeprefix(f"credential.{prefix}.") for key in catalogue() if key.startswith(f"credential.{prefix}.")}


def test_the_scan_finds_the_codes() -> None:
    assert {"offline", "status-off", "private-address", "http-status", "did-document-for-another"} <= set(
        _codes()["lookup"]
    )
    assert {"no-proof", "unknown-type", "in-set", "previous-missing", "no-match", "match"} <= set(_codes()["proof"])


@pytest.mark.parametrize("prefix", ["lookup", "proof"])
def test_every_code_is_a_literal_with_words_and_every_worded_code_is_used(prefix: str) -> None:
    codes = _codes()[prefix]
    sentences = {code: where for code, where in codes.items() if not code.replace("-", "").isalnum()}
    assert sentences == {}, "a reason must be a literal code, not a sentence or an f-string"
    assert sorted(set(codes) - _worded(prefix)) == [], f"add these to i18n/catalogue/credentials.json ({prefix})"
    assert sorted(_worded(prefix) - set(codes)) == [], f"nothing in src/ raises these credential.{prefix} codes"


def test_every_trust_date_has_its_words() -> None:
    assert _worded("trust-date") == {*TRUST_DATES, "both-without-created", "asked"}


def test_a_failed_fetch_reads_in_english_and_in_dutch() -> None:
    failure = FetchFailed("http-status", host="issuer.example", status=404)
    assert str(failure) == "issuer.example answered HTTP 404"
    assert failure.text("nl") == "issuer.example antwoordde met HTTP 404"


def test_a_refused_document_names_the_rule_in_the_language_of_the_check() -> None:
    class Fixed(RemoteDocuments):
        def fetch(self, url: str) -> str:
            return "not json"

    remote = Fixed(timeout=1, max_bytes=1024, cache_seconds=0)
    with pytest.raises(FetchFailed) as refused:
        _fetch_json(remote, "https://issuer.example/list", what="status-list")
    assert str(refused.value) == "the status list at https://issuer.example/list is not JSON"
    assert refused.value.text("nl") == "de statuslijst op https://issuer.example/list is geen JSON"


def test_a_proof_in_a_set_is_worded_with_its_own_reason() -> None:
    inner = ProofCheck(False, "unknown-type", params={"kind": "SomeProofType"})
    outer = ProofCheck(False, "in-set", params={"position": 2, "problem": inner})
    assert outer.reason == "proof 2: a proof of type 'SomeProofType' cannot be checked here"
    assert outer.text("nl") == "bewijs 2: een bewijs van het type 'SomeProofType' kan hier niet worden gecontroleerd"


def _credential(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:web:issuer.example"},
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialStatus": {
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "7",
            "statusListCredential": "https://issuer.example/status/1",
        },
        "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "created": "2024-01-01T00:00:00Z"},
    }
    document.update(changes)
    return document


def test_checks_that_were_not_done_say_why_in_either_language() -> None:
    def offline(_: str) -> Any:
        raise NotFetched("offline")

    result = verify_credential(
        _credential(),
        resolve_did=offline,
        is_trusted=lambda did, day: None,
        fetch_status_list=offline,
        now=datetime(2025, 1, 1, tzinfo=UTC),
        trust_date=date(2024, 6, 1),
    )
    assert result.not_checked == ("signature", "issuer", "status")
    issuer = result.check("issuer")
    assert issuer.reason("en") == "Not checked: the DID document of did:web:issuer.example was not fetched (offline)."
    assert issuer.reason("nl").startswith("Niet gecontroleerd: het DID-document van did:web:issuer.example")
    status = result.check("status")
    assert status.reason("en") == (
        "Not checked: the status list https://issuer.example/status/1 was not fetched (offline)."
    )
    assert status.reason("nl") == (
        "Niet gecontroleerd: de statuslijst https://issuer.example/status/1 werd niet opgehaald (offline)."
    )
    trusted = result.check("trusted-provider")
    assert trusted.outcome == "warn"
    assert "cannot vouch" in trusted.reason("en")
    assert "kan niet instaan" in trusted.reason("nl")
