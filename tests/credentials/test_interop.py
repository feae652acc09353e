"""Interop with Digital Bazaar's JavaScript libraries: each side verifies what the other signs."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from microcred.credentials.cryptosuites import SUITES
from microcred.credentials.keys import SigningKey, resolve_did_key
from microcred.credentials.proofs import add_proof, verify_proof
from microcred.credentials.sample import sample_micro_credential

INTEROP = Path(__file__).resolve().parents[2] / "interop"
pytestmark = [
    pytest.mark.node,
    pytest.mark.skipif(
        not (INTEROP / "node_modules").is_dir() or shutil.which("node") is None,
        reason="interop/node_modules is absent: run `npm ci --prefix interop` (needs Node.js 20)",
    ),
]


def _node(script: str, request: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["node", str(INTEROP / script)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("suite_name", sorted(SUITES))
def test_credential_signed_by_us_verifies_in_javascript(suite_name: str, issuer_key: SigningKey) -> None:
    signed = add_proof(
        sample_micro_credential(issuer_did=issuer_key.did),
        suite=SUITES[suite_name],
        signing_key=issuer_key,
        verification_method=issuer_key.verification_method,
        created="2025-02-01T00:00:00Z",
    )
    result = _node("verify.mjs", {"credential": signed, "cryptosuite": suite_name})
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["verified"] is True


@pytest.mark.parametrize("suite_name", sorted(SUITES))
def test_credential_signed_in_javascript_verifies_here(suite_name: str, issuer_key: SigningKey) -> None:
    request = {
        "credential": sample_micro_credential(issuer_did=issuer_key.did),
        "key": {
            "publicKeyMultibase": issuer_key.public_key_multibase,
            "secretKeyMultibase": issuer_key.secret_key_multibase,
        },
        "cryptosuite": suite_name,
        "created": "2025-02-01T00:00:00Z",
    }
    result = _node("sign.mjs", request)
    assert result.returncode == 0, result.stderr
    signed = json.loads(result.stdout)
    check = verify_proof(signed, resolve_key=resolve_did_key)
    assert check.verified, check.reason
    signed["credentialSubject"]["achievement"]["workloadHours"] = 101
    assert not verify_proof(signed, resolve_key=resolve_did_key).verified


def test_tampered_credential_fails_in_javascript(issuer_key: SigningKey) -> None:
    signed = add_proof(
        sample_micro_credential(issuer_did=issuer_key.did),
        suite=SUITES["eddsa-rdfc-2022"],
        signing_key=issuer_key,
        verification_method=issuer_key.verification_method,
        created="2025-02-01T00:00:00Z",
    )
    signed["credentialSubject"]["achievement"]["eqfLevel"] = 6
    result = _node("verify.mjs", {"credential": signed, "cryptosuite": "eddsa-rdfc-2022"})
    assert json.loads(result.stdout)["verified"] is False


def test_jcs_numbers_agree_with_javascript() -> None:
    from microcred.credentials.jcs import serialize_number

    numbers = [1e-7, 5.0, 1e21, -0.0, 0.1 + 0.2, 123456789.125, 2.5e-8, 1e300, 4.35, 9007199254740993.0]
    script = "const xs = JSON.parse(require('fs').readFileSync(0,'utf8')); console.log(JSON.stringify(xs.map(String)))"
    result = subprocess.run(
        ["node", "-e", script], input=json.dumps(numbers), capture_output=True, text=True, check=True
    )
    expected = [value if value != "0" else "0" for value in json.loads(result.stdout)]
    assert [serialize_number(number) for number in numbers] == expected
