"""Credentials in a provider's later status lists verify in Digital Bazaar's JavaScript libraries, status included.

Their ``verifyCredential`` checks the credential's proof and calls the ``checkStatus`` given to it; ours
(in Node, below) follows the one ``credentialStatus`` entry to the status list credential the register
serves at that URL, has the same library verify that list credential's proof, and reads the entry's
``statusSize`` bits with Node's own base64url and GZIP, so no Python code judges the status
(issue 16, decision 0021). ``@digitalbazaar/vc-bitstring-status-list`` is not among the vendored packages.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from microcred.asgi import create_app
from microcred.bootstrap import Register, build
from microcred.services import issuance, verification
from microcred.settings import Settings
from tests.credentials import test_interop_register as interop_register
from tests.credentials.register_setup import seed

LIST_SIZE = 4
pytestmark = interop_register.pytestmark  # Node.js and interop/node_modules, or skipped

_SCRIPT = """
import * as vc from '@digitalbazaar/vc';
import {gunzipSync} from 'node:zlib';
import {loaderWithDid, verifyingSuite, readStdin} from './common.mjs';
const {credentials, didDocument, lists} = await readStdin();
const loader = loaderWithDid(didDocument);
const suite = verifyingSuite('eddsa-rdfc-2022');
const checkStatus = async ({credential}) => {
  const entry = credential.credentialStatus;
  if(Array.isArray(entry)) return {verified: false, error: 'more than one status entry'};
  const list = lists[entry.statusListCredential];
  if(!list) return {verified: false, error: `no list at ${entry.statusListCredential}`};
  const checked = await vc.verifyCredential({credential: list, suite, documentLoader: loader});
  if(!checked.verified) return {verified: false, error: 'the status list credential does not verify'};
  const subject = list.credentialSubject;
  if(subject.statusPurpose !== entry.statusPurpose) return {verified: false, error: 'purpose differs'};
  const bits = gunzipSync(Buffer.from(subject.encodedList.slice(1), 'base64url'));
  const size = entry.statusSize ?? 1;
  let value = 0;
  for(let position = Number(entry.statusListIndex) * size, n = 0; n < size; position++, n++) {
    value = value << 1 | (bits[position >> 3] >> (7 - (position & 7))) & 1;
  }
  return {verified: value === 0, value};
};
const results = [];
for(const credential of credentials) {
  const result = await vc.verifyCredential({credential, suite, documentLoader: loader, checkStatus});
  results.push({verified: result.verified, status: result.statusResult?.value ?? null,
    error: result.verified ? null : JSON.stringify(result.error?.message ?? result.error ?? null)});
}
process.stdout.write(JSON.stringify(results));
"""


@pytest.fixture
def small_lists(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    database = tmp_path_factory.mktemp("db") / "n.db"
    wired = build(Settings(database_url=f"sqlite:///{database}", environment="test", status_list_size=LIST_SIZE))
    wired.migrate()
    yield wired
    wired.close()


def _verify_in_node(credentials: list[dict[str, Any]], did_document: Any, lists: dict[str, Any]) -> list[Any]:
    completed = subprocess.run(
        ["node", "--input-type=module", "-e", _SCRIPT],
        cwd=interop_register.INTEROP,
        input=json.dumps({"credentials": credentials, "didDocument": did_document, "lists": lists}),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert completed.stdout, completed.stderr
    results: list[Any] = json.loads(completed.stdout)
    return results


def test_credentials_of_later_lists_verify_with_their_status_in_the_javascript_libraries(
    small_lists: Register,
) -> None:
    seeded = seed(small_lists, passed=2 * LIST_SIZE + 1)
    issued = [seeded.issue(f"P-{n}") for n in range(1, 2 * LIST_SIZE + 2)]
    assert {c.status_list for c in issued} == {1, 2, 3}
    revoked, suspended = issued[LIST_SIZE + 1], issued[2 * LIST_SIZE]
    wired = seeded.register
    for action, credential in (("revoke", revoked), ("suspend", suspended)):
        getattr(issuance, action)(
            credential.uuid, "test", uow=wired.uow, keys=wired.key_store, settings=wired.settings, clock=seeded.clock
        )
    documents = [credential.document for credential in issued]
    urls = {document["credentialStatus"]["statusListCredential"] for document in documents}
    with TestClient(create_app(small_lists)) as client:  # the lists as the register serves them
        base = small_lists.settings.public_base_url.rstrip("/")
        lists = {url: client.get(url.removeprefix(base)).json() for url in urls}
    assert len(lists) == 3
    did_document = verification.did_document("hoge", uow=small_lists.uow, keys=small_lists.key_store)

    results = _verify_in_node(documents, did_document, lists)

    expected = {revoked.uuid: 2, suspended.uuid: 1}
    for credential, result in zip(issued, results, strict=True):
        value = expected.get(credential.uuid, 0)
        assert (result["verified"], result["status"]) == (value == 0, value), (credential.status_list, result)
