"""A credential the register issues (did:web issuer) verifies in Digital Bazaar's JavaScript libraries: with
the DID document handed in, and as a relying party on the network would, fetching the DID document and the
status list from the register served on a loopback port."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from microcred.asgi import create_app
from microcred.bootstrap import Register, build
from microcred.domain import Credential
from microcred.services import issuance, verification
from microcred.services.status_lists import StateChange
from microcred.settings import Settings
from microcred.testing import free_port, served_in_thread
from tests.credentials.register_setup import seed

INTEROP = Path(__file__).resolve().parents[2] / "interop"

pytestmark = [
    pytest.mark.node,
    pytest.mark.skipif(
        not (INTEROP / "node_modules").is_dir() or shutil.which("node") is None,
        reason="interop/node_modules is absent: run `npm ci --prefix interop` (needs Node.js 20)",
    ),
]

# The crypto core's harness (interop/common.mjs): the DID document the register serves
# is handed in, and the loader answers did:web look-ups from it (still no network).
_SCRIPT = """
import * as vc from '@digitalbazaar/vc';
import {loaderWithDid, verifyingSuite, readStdin} from './common.mjs';
const {credential, didDocument} = await readStdin();
const loader = loaderWithDid(didDocument);
const result = await vc.verifyCredential({credential, suite: verifyingSuite('eddsa-rdfc-2022'),
  documentLoader: loader, checkStatus: async () => ({verified: true})});
const error = result.verified ? null : JSON.stringify(result.error ?? result.results?.map(r => r.error?.message));
process.stdout.write(JSON.stringify({verified: result.verified, error}));
"""


@pytest.fixture
def sqlite_register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    wired = build(Settings(database_url=f"sqlite:///{tmp_path_factory.mktemp('db') / 'n.db'}", environment="test"))
    wired.migrate()
    yield wired
    wired.close()


def _node(arguments: list[str], request: dict[str, object]) -> dict[str, object]:
    """Run a Node script in ``interop/`` with ``request`` as JSON on stdin; its JSON answer."""
    completed = subprocess.run(
        ["node", *arguments],
        cwd=INTEROP,
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.stdout, completed.stderr
    result: dict[str, object] = json.loads(completed.stdout)
    return result


def _verify_in_node(credential: dict[str, object], did_document: dict[str, object]) -> dict[str, object]:
    return _node(["--input-type=module", "-e", _SCRIPT], {"credential": credential, "didDocument": did_document})


def test_a_register_credential_verifies_in_the_javascript_libraries(sqlite_register: Register) -> None:
    seeded = seed(sqlite_register)
    credential = seeded.issue("P-1").document
    did_document = verification.did_document("hoge", uow=sqlite_register.uow, keys=sqlite_register.key_store)
    assert _verify_in_node(credential, did_document) == {"verified": True, "error": None}

    credential["credentialSubject"]["achievement"]["creditsAvailable"] = 5
    assert _verify_in_node(credential, did_document)["verified"] is False


def test_credentials_issued_in_bulk_verify_in_the_javascript_libraries(sqlite_register: Register) -> None:
    """A batch's documents share their achievement and issuer and are signed over remembered quads (0036)."""
    seeded = seed(sqlite_register, passed=3)
    wired = sqlite_register
    issued = issuance.issue_for_edition(
        "hoge", "DLT-2024", uow=wired.uow, keys=wired.key_store, settings=wired.settings, clock=seeded.clock
    )
    assert issued == 3
    did_document = verification.did_document("hoge", uow=wired.uow, keys=wired.key_store)
    for credential in issuance.list_credentials("hoge", uow=wired.uow):
        assert _verify_in_node(credential.document, did_document) == {"verified": True, "error": None}


def _verify_online(credential: dict[str, object], loopback: str) -> dict[str, object]:
    """``interop/verify-online.mjs``: Digital Bazaar fetches the DID document and the status list itself."""
    return _node(["verify-online.mjs"], {"credential": credential, "loopback": loopback})


def test_register_credentials_verify_in_javascript_fetching_did_and_status_list_from_the_served_register(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Valid, suspended and revoked credentials, each read by Digital Bazaar from the lists it fetched and
    verified; the DID document and status list come over HTTP from the register itself."""
    port = free_port()
    settings = Settings(
        database_url=f"sqlite:///{tmp_path_factory.mktemp('db') / 'online.db'}",
        environment="test",
        public_base_url=f"http://127.0.0.1:{port}",
    )
    wired = build(settings)
    wired.migrate()
    try:
        seeded = seed(wired)
        valid, suspended, revoked = (seeded.issue(f"P-{n}") for n in (1, 2, 3))
        changes: tuple[tuple[StateChange, Credential], ...] = (("suspend", suspended), ("revoke", revoked))
        for action, credential in changes:
            seeded.change(action, credential.uuid, "checked in a test")
        with served_in_thread(create_app(wired), port=port):
            answers = {
                name: _verify_online(credential.document, f"127.0.0.1:{port}")
                for name, credential in (("valid", valid), ("suspended", suspended), ("revoked", revoked))
            }
            tampered = json.loads(valid.document_json)
            tampered["credentialSubject"]["achievement"]["creditsAvailable"] = 5
            forged = _verify_online(tampered, f"127.0.0.1:{port}")
    finally:
        wired.close()
    for name, answer in answers.items():
        assert answer["verified"] is True, (name, answer["error"])
        assert answer["statuses"] == [
            {"purpose": "message", "value": {"valid": 0, "suspended": 1, "revoked": 2}[name], "message": name}
        ], name
    assert forged["verified"] is False
