"""Verification against the register: every tampered leaf fails, and foreign or malformed input is answered."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from microcred.bootstrap import Register, build
from microcred.credentials.did_web import did_web, did_web_url
from microcred.credentials.keys import SigningKey
from microcred.credentials.ob3 import sign_open_badge
from microcred.credentials.verify import CHECK_NAMES, verify_credential
from microcred.services import verification
from microcred.settings import Settings
from tests.credentials.register_setup import Seeded, seed


@pytest.fixture
def sqlite_register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    wired = build(Settings(database_url=f"sqlite:///{tmp_path_factory.mktemp('db') / 'v.db'}", environment="test"))
    wired.migrate()
    yield wired
    wired.close()


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, index))
    else:
        yield path


def _tampered(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    return str(value) + "x" if value else "x"


def _outcomes(seeded: Seeded, document: Any) -> dict[str, str]:
    wired = seeded.register
    result = verification.verify_document(
        document, uow=wired.uow, keys=wired.key_store, clock=seeded.clock, remote=wired.remote
    )
    return {check.name: check.outcome for check in result.checks}


def test_a_changed_byte_in_any_leaf_fails_verification(sqlite_register: Register) -> None:
    seeded = seed(sqlite_register)
    document = seeded.issue("P-1").document
    assert all(outcome == "pass" for outcome in _outcomes(seeded, document).values())
    leaves = list(_leaves(document))
    assert len(leaves) > 60
    for path in leaves:
        changed = copy.deepcopy(document)
        node = changed
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = _tampered(node[path[-1]])
        outcomes = _outcomes(seeded, changed)
        assert "fail" in outcomes.values(), f"tampering {path} went unnoticed"
        if path[0] != "proof" and path[:1] != ("issuer",) and path[-1] != "proofValue":
            assert outcomes["signature"] == "fail", path


def test_the_signer_must_be_the_issuer(sqlite_register: Register) -> None:
    seeded = seed(sqlite_register)
    document = seeded.issue("P-1").document
    stranger = SigningKey.from_seed(bytes(range(32)))
    forged = sign_open_badge(
        {key: value for key, value in document.items() if key != "proof"},
        signing_key=stranger,
        verification_method=stranger.verification_method,
        created=datetime(2025, 6, 30, tzinfo=UTC),
    )
    assert _outcomes(seeded, forged)["signature"] == "fail"


def test_a_did_key_credential_verifies_but_the_register_cannot_vouch_for_its_issuer(sqlite_register: Register) -> None:
    seeded = seed(sqlite_register)
    document = seeded.issue("P-1").document
    key = SigningKey.from_seed(bytes(range(32)))
    unsigned = {k: v for k, v in document.items() if k not in ("proof", "credentialStatus")}
    unsigned["issuer"] = {**document["issuer"], "id": key.did}
    signed = sign_open_badge(
        unsigned,
        signing_key=key,
        verification_method=key.verification_method,
        created=datetime(2025, 6, 30, tzinfo=UTC),
    )
    outcomes = _outcomes(seeded, signed)
    assert outcomes["signature"] == "pass"
    assert outcomes["issuer"] == "pass"
    assert outcomes["trusted-provider"] == "warn"
    assert outcomes["status"] == "warn"


def test_offline_a_foreign_did_web_is_reported_not_checked_by_name(sqlite_register: Register) -> None:
    seeded = seed(sqlite_register)
    document = seeded.issue("P-1").document
    document["issuer"]["id"] = "did:web:elsewhere.example:providers:hoge"
    result = sqlite_register.verification.verify_document(document, offline=True)
    assert result.not_checked == ("signature", "issuer")
    assert not result.verified
    assert "offline" in result.check("issuer").reason("en")


def _resigned(seeded: Seeded, document: dict[str, Any], created: str) -> dict[str, Any]:
    """The document signed again by its provider's own key, with another proof ``created`` date."""
    wired = seeded.register
    with wired.uow() as work:
        key, method = wired.key_store.signing_key(work, "hoge", seeded.clock())
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    moment = datetime.fromisoformat(created)
    return sign_open_badge(unsigned, signing_key=key, verification_method=method, created=moment)


def test_trust_is_judged_on_the_proofs_created_day_as_well_as_valid_from(sqlite_register: Register) -> None:
    seeded = seed(sqlite_register)  # the provider's quality assurance starts on 2020-01-01
    signed_in_2019 = _resigned(seeded, seeded.issue("P-1").document, "2019-06-01T00:00:00+00:00")
    verify = sqlite_register.verification.verify_document
    assert verify(signed_in_2019, trust_date="valid-from").check("trusted-provider").outcome == "pass"
    for trust_date in ("both", "created"):
        check = verify(signed_in_2019, trust_date=trust_date).check("trusted-provider")  # type: ignore[arg-type]
        assert check.outcome == "fail"
        assert "2019-06-01" in check.reason("en")
    assert verify(signed_in_2019, trust_date=date(2024, 1, 1)).check("trusted-provider").outcome == "pass"


@pytest.mark.parametrize("document", [None, [], "text", 5, {}, {"@context": ["https://www.w3.org/ns/credentials/v2"]}])
def test_malformed_input_gets_an_answer_not_an_exception(document: Any) -> None:
    result = verify_credential(
        document,
        resolve_did=lambda did: None,
        is_trusted=lambda did, day: None,
        fetch_status_list=lambda url: None,
        now=datetime(2025, 6, 30, tzinfo=UTC),
    )
    assert not result.verified
    assert [check.name for check in result.checks] == list(CHECK_NAMES)
    assert all(check.reason("nl") and check.reason("en") for check in result.checks)


@pytest.mark.parametrize(
    ("base", "did", "url"),
    [
        (
            "http://127.0.0.1:8000",
            "did:web:127.0.0.1%3A8000:providers:ugent",
            "https://127.0.0.1:8000/providers/ugent/did.json",
        ),
        (
            "https://register.example.be/",
            "did:web:register.example.be:providers:ugent",
            "https://register.example.be/providers/ugent/did.json",
        ),
        (
            "https://x.example/reg",
            "did:web:x.example:reg:providers:ugent",
            "https://x.example/reg/providers/ugent/did.json",
        ),
    ],
)
def test_did_web_identifiers_follow_the_method_spec(base: str, did: str, url: str) -> None:
    assert did_web(base, "ugent") == did
    assert did_web_url(did) == url
    assert did_web_url("did:web:example.com") == "https://example.com/.well-known/did.json"
