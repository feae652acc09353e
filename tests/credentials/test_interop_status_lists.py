"""Credentials in a provider's later status lists verify in Digital Bazaar's JavaScript libraries, status included.

Two ways, both in Node: (1) their ``verifyCredential`` with a ``checkStatus`` of ours that has the same
library verify the list credential the register serves and reads the entry's ``statusSize`` bits with
Node's own base64url and GZIP; (2) ``interop/verify-online.mjs``, where their verifier fetches the list
over HTTP from the served register and ``vc-bitstring-status-list`` verifies it (only the two-bit value is
read by that script, as its header explains). No Python code judges the status (issue 16, decision 0021).
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
from microcred.services import verification
from microcred.settings import Settings
from microcred.testing import free_port, served_in_thread
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
    for action, credential in (("revoke", revoked), ("suspend", suspended)):
        seeded.change(action, credential.uuid)
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


def test_digital_bazaar_fetches_and_verifies_each_credential_s_own_list_from_the_served_register(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """``interop/verify-online.mjs``: their verifier fetches list 1, 2 or 3 over HTTP from the register,
    verifies it with ``vc-bitstring-status-list`` (proof and issuer), and the value is read from that list."""
    port = free_port()
    settings = Settings(
        database_url=f"sqlite:///{tmp_path_factory.mktemp('db') / 'online.db'}",
        environment="test",
        public_base_url=f"http://127.0.0.1:{port}",
        status_list_size=LIST_SIZE,
    )
    wired = build(settings)
    wired.migrate()
    try:
        seeded = seed(wired, passed=2 * LIST_SIZE + 1)
        issued = [seeded.issue(f"P-{n}") for n in range(1, 2 * LIST_SIZE + 2)]
        revoked, suspended = issued[LIST_SIZE + 1], issued[2 * LIST_SIZE]
        for action, credential in (("revoke", revoked), ("suspend", suspended)):
            seeded.change(action, credential.uuid)
        chosen = [issued[0], issued[LIST_SIZE], revoked, suspended]
        with served_in_thread(create_app(wired), port=port):
            answers = [interop_register._verify_online(c.document, f"127.0.0.1:{port}") for c in chosen]
    finally:
        wired.close()
    assert [c.status_list for c in chosen] == [1, 2, 2, 3]
    for credential, answer, value in zip(chosen, answers, (0, 0, 2, 1), strict=True):
        assert answer["verified"] is True, (credential.status_list, answer["error"])
        assert [status["value"] for status in answer["statuses"]] == [value], credential.status_list  # type: ignore[union-attr]
