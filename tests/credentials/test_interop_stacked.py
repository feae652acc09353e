"""The stacked ClrCredential verifies in Digital Bazaar's libraries, and reads as suspended there once a
component is revoked (the review puts it in its issuer's status list)."""

from __future__ import annotations

import json

import pytest

from microcred.asgi import create_app
from microcred.bootstrap import build
from microcred.credentials.elm import validate_elm
from microcred.services import verification
from microcred.settings import Settings
from microcred.testing import free_port, served_in_thread
from tests.credentials.test_elm_and_pdf import _shacl_report
from tests.credentials.test_interop_register import _verify_in_node, _verify_online, pytestmark
from tests.databases import TEST_PEPPER
from tests.services.stacking_setup import INSZ, rule, seed

__all__ = ["pytestmark"]


def test_a_stacked_credential_verifies_in_the_javascript_libraries(tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path_factory.mktemp('db') / 's.db'}",
        environment="test",
        pseudonym_pepper=TEST_PEPPER,
    )
    _migrated(settings)
    seeded = seed(settings)
    register = seeded.register
    try:
        register.stacking.put_rule("hoge", rule())
        document = register.stacking.issue("hoge", "PG", INSZ).document
        did_document = verification.did_document("hoge", uow=register.uow, keys=register.key_store)
    finally:
        register.close()
    assert _verify_in_node(document, did_document) == {"verified": True, "error": None}
    document["relatedResource"][0]["digestSRI"] = "sha256-" + "A" * 43 + "="
    assert _verify_in_node(document, did_document)["verified"] is False


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's own ConjunctiveGraph notice
def test_a_three_component_stack_across_two_providers_verifies_in_javascript_and_exports_valid_elm(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Issue 19's journey without the browser (tests/e2e/test_stacking_journey.py checks it in the register's
    own verifier): three components from two providers, the stacked credential accepted by Digital Bazaar's
    libraries, and its ELM export valid under the EBSI JSON Schema and the EDC SHACL shapes."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path_factory.mktemp('db') / 't.db'}",
        environment="test",
        pseudonym_pepper=TEST_PEPPER,
    )
    _migrated(settings)
    register = seed(settings).register
    components = [{"provider": "hoge", "offering_code": code} for code in ("A", "B")]
    components.append({"provider": "andere", "offering_code": "C"})
    try:
        register.stacking.put_rule("hoge", rule(components=components, other_providers=True))
        stacked = register.stacking.issue("hoge", "PG", INSZ)
        elm = register.stacking.elm_export(stacked.uuid, provider="hoge")
        did_document = verification.did_document("hoge", uow=register.uow, keys=register.key_store)
    finally:
        register.close()
    assert len(stacked.components) == 3
    assert _verify_in_node(stacked.document, did_document) == {"verified": True, "error": None}
    parts = elm["credentialSubject"]["hasClaim"][0]["hasPart"]
    awarding = [part["awardedBy"]["awardingBody"][0]["id"] for part in parts]
    assert len(awarding) == 3
    assert len(set(awarding)) == 2  # hoge's two and andere's one
    assert validate_elm(elm) == []
    conforms, text = _shacl_report(elm)
    assert conforms, text


def test_a_stacked_credential_under_review_reads_suspended_in_javascript(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    port = free_port()
    settings = Settings(
        database_url=f"sqlite:///{tmp_path_factory.mktemp('db') / 'o.db'}",
        environment="test",
        pseudonym_pepper=TEST_PEPPER,
        public_base_url=f"http://127.0.0.1:{port}",
    )
    _migrated(settings)
    seeded = seed(settings)
    register = seeded.register
    try:
        register.stacking.put_rule("hoge", rule())
        stacked = register.stacking.issue("hoge", "PG", INSZ)
        with served_in_thread(create_app(register), port=port):
            before = _verify_online(stacked.document, f"127.0.0.1:{port}")
            seeded.revoke("A")
            after = _verify_online(json.loads(stacked.document_json), f"127.0.0.1:{port}")
    finally:
        register.close()
    assert before["verified"] is True, before["error"]
    assert after["statuses"] == [{"purpose": "message", "value": 1, "message": "suspended"}]


def _migrated(settings: Settings) -> None:
    wired = build(settings)
    wired.migrate()
    wired.close()
