"""A credential the register issues (did:web issuer) verifies in Digital Bazaar's JavaScript libraries."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from microcred.bootstrap import Register, build
from microcred.services import verification
from microcred.settings import Settings
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
import {loaderWith, verifyingSuite, readStdin} from './common.mjs';
const {credential, didDocument} = await readStdin();
const result = await vc.verifyCredential({credential, suite: verifyingSuite('eddsa-rdfc-2022'),
  documentLoader: loaderWith(didDocument), checkStatus: async () => ({verified: true})});
const error = result.verified ? null : JSON.stringify(result.error ?? result.results?.map(r => r.error?.message));
process.stdout.write(JSON.stringify({verified: result.verified, error}));
"""


@pytest.fixture
def sqlite_register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    wired = build(Settings(database_url=f"sqlite:///{tmp_path_factory.mktemp('db') / 'n.db'}", environment="test"))
    wired.migrate()
    yield wired
    wired.close()


def _verify_in_node(credential: dict[str, object], did_document: dict[str, object]) -> dict[str, object]:
    completed = subprocess.run(
        ["node", "--input-type=module", "-e", _SCRIPT],
        cwd=INTEROP,
        input=json.dumps({"credential": credential, "didDocument": did_document}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.stdout, completed.stderr
    result: dict[str, object] = json.loads(completed.stdout)
    return result


def test_a_register_credential_verifies_in_the_javascript_libraries(sqlite_register: Register) -> None:
    seeded = seed(sqlite_register)
    credential = seeded.issue("P-1").document
    did_document = verification.did_document("hoge", uow=sqlite_register.uow, keys=sqlite_register.key_store)
    assert _verify_in_node(credential, did_document) == {"verified": True, "error": None}
    credential["credentialSubject"]["achievement"]["creditsAvailable"] = 5
    assert _verify_in_node(credential, did_document)["verified"] is False
