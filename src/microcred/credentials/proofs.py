"""Data Integrity proofs over any :class:`~microcred.credentials.cryptosuites.Cryptosuite`.

``add_proof`` follows VC-DI-EdDSA v1.0 §3.2.1/§3.3.1 (proof configuration carries the document's
``@context``; sign hash(proofConfig) ‖ hash(document)) and emits ``proof`` as an array, as the OB 3.0
JSON Schema requires. ``verify_proof`` never raises on a bad document: it returns a :class:`ProofCheck`,
whose reason is a code the catalogue words (``credential.proof.<code>``) in either language.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from microcred.credentials import multibase
from microcred.credentials.cryptosuites import SUITES, Cryptosuite
from microcred.credentials.keys import SigningKey
from microcred.credentials.wording import Worded, worded
from microcred.i18n import translate

__all__ = [
    "KeyResolver",
    "ProofCheck",
    "add_proof",
    "new_proof",
    "proof_configuration",
    "proofs_of",
    "verify_proof",
]

KeyResolver = Callable[[str], Ed25519PublicKey]
"""Maps a ``verificationMethod`` id to its public key; raises (any ValueError/LookupError) if unknown.

An error that is :class:`~microcred.credentials.wording.Worded` is shown in its own words, in the reader's
language; any other is shown as its type and message."""

_PROOF_TYPE = "DataIntegrityProof"
_DATE_TIME = re.compile(r"^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
_EXPECTED_FAILURES = (ValueError, TypeError, LookupError, RecursionError, AttributeError)


@dataclass(frozen=True, slots=True)
class ProofCheck:
    """The outcome of checking a document's proofs; ``code`` (with ``params``) says why.

    ``text(lang)`` words it from the catalogue (``credential.proof.<code>``); ``reason`` is the English.
    """

    verified: bool
    code: str
    cryptosuite: str | None = None
    verification_method: str | None = None
    proofs: tuple[ProofCheck, ...] = ()
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict, hash=False)

    def text(self, lang: str) -> str:
        return translate(f"credential.proof.{self.code}", lang, **worded(self.params, lang))

    @property
    def reason(self) -> str:
        return self.text("en")


def _timestamp(created: datetime | str) -> str:
    if isinstance(created, str):
        if not _DATE_TIME.match(created):
            raise ValueError(f"created {created!r} is not an XML Schema dateTime")
        return created
    if created.tzinfo is None:
        raise ValueError("created must be timezone-aware")
    return created.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def proof_configuration(
    document: Mapping[str, Any],
    *,
    suite: Cryptosuite,
    verification_method: str,
    created: datetime | str,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """The proof options a suite signs (§3.2.5 / §3.3.5): the proof without ``proofValue``."""
    config: dict[str, Any] = {
        "type": _PROOF_TYPE,
        "cryptosuite": suite.name,
        "created": _timestamp(created),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    if "@context" in document:
        config["@context"] = _copy_json(document["@context"])
    return config


def add_proof(
    document: Mapping[str, Any],
    *,
    suite: Cryptosuite,
    signing_key: SigningKey,
    verification_method: str,
    created: datetime | str,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """A copy of ``document`` with one more Data Integrity proof in its ``proof`` array."""
    proof = new_proof(
        document,
        suite=suite,
        signing_key=signing_key,
        verification_method=verification_method,
        created=created,
        proof_purpose=proof_purpose,
    )
    secured: dict[str, Any] = {
        key: value if type(value) in _SHARED else _copy_json(value) for key, value in document.items() if key != "proof"
    }
    secured["proof"] = [*_copy_json(proofs_of(document)), proof]
    return secured


def new_proof(
    document: Mapping[str, Any],
    *,
    suite: Cryptosuite,
    signing_key: SigningKey,
    verification_method: str,
    created: datetime | str,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """The proof :func:`add_proof` appends, alone: for a caller that writes the document out at once and so
    needs no copy of it (a bulk issue, whose documents share their achievement; issue 21)."""
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    config = proof_configuration(
        unsecured,
        suite=suite,
        verification_method=verification_method,
        created=created,
        proof_purpose=proof_purpose,
    )
    signature = suite.sign(signing_key, suite.hash_data(unsecured, config))
    proof = dict(config) if suite.proof_carries_context else {k: v for k, v in config.items() if k != "@context"}
    proof["proofValue"] = multibase.encode_base58btc(signature)
    return proof


_SHARED = frozenset({str, int, float, bool, type(None)})  # immutable leaves need no copy


def _copy_json(value: Any) -> Any:
    """A deep copy of plain JSON data; several times faster than ``copy.deepcopy``.

    A dict or list holding only leaves (most of a credential's) is copied in one C call: 18 µs to 16 µs
    for the sample credential (CPU time, min of 15, load 1.5). Subclasses of dict and list come out as plain ones."""
    kind = type(value)
    if kind is dict:
        if _SHARED.issuperset(map(type, value.values())):
            return value.copy()
        copied = value.copy()
        for key, item in value.items():
            if type(item) not in _SHARED:
                copied[key] = _copy_json(item)
        return copied
    if kind is list:
        if _SHARED.issuperset(map(type, value)):
            return value.copy()
        return [item if type(item) in _SHARED else _copy_json(item) for item in value]
    if isinstance(value, dict):
        return {key: item if type(item) in _SHARED else _copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [item if type(item) in _SHARED else _copy_json(item) for item in value]
    return value


def proofs_of(document: Mapping[str, Any]) -> list[Any]:
    """The document's proofs as a list: VC-DI §2.1 lets ``proof`` be one object or a set of them."""
    proofs = document.get("proof")
    if proofs is None:
        return []
    return list(proofs) if isinstance(proofs, list) else [proofs]


def verify_proof(
    document: Mapping[str, Any],
    *,
    resolve_key: KeyResolver,
    expected_proof_purpose: str = "assertionMethod",
    suites: Mapping[str, Cryptosuite] = SUITES,
) -> ProofCheck:
    """Check every proof (VC-DI v1.0 §4.5 Verify Proof Sets and Chains): verified only when all of them verify.

    A proof this verifier cannot check (another proof type or cryptosuite) fails the document, as it
    does in Digital Bazaar's verifier: a proof set is accepted whole or not at all. A chained proof
    (``previousProof``) is checked over the document carrying the proofs it names (§4.3 steps 4-6).
    """
    if not isinstance(document, Mapping):
        return ProofCheck(False, "not-json-object")
    proof_list = proofs_of(document)
    if not proof_list:
        return ProofCheck(False, "no-proof")
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    checks = tuple(
        _check_member(unsecured, proof_list, position, resolve_key, expected_proof_purpose, suites)
        for position in range(len(proof_list))
    )
    failed = [check for check in checks if not check.verified]
    first = failed[0] if failed else checks[0]
    if len(checks) == 1 or not failed:
        return ProofCheck(
            not failed, first.code, first.cryptosuite, first.verification_method, proofs=checks, params=first.params
        )
    position = checks.index(first) + 1
    return ProofCheck(
        False,
        "in-set",
        first.cryptosuite,
        first.verification_method,
        proofs=checks,
        params={"position": position, "problem": first},
    )


def _check_member(
    unsecured: Mapping[str, Any],
    all_proofs: list[Any],
    position: int,
    resolve_key: KeyResolver,
    expected_purpose: str,
    suites: Mapping[str, Cryptosuite],
) -> ProofCheck:
    proof = all_proofs[position]
    if not isinstance(proof, Mapping):
        return ProofCheck(False, "proof-not-object")
    if proof.get("type") != _PROOF_TYPE:
        return ProofCheck(False, "unknown-type", params={"kind": proof.get("type")})
    if not isinstance(proof.get("cryptosuite"), str) or proof["cryptosuite"] not in suites:
        return ProofCheck(False, "unknown-cryptosuite", params={"cryptosuite": proof.get("cryptosuite")})
    previous = proof.get("previousProof")
    if previous is None:
        return _check_one(unsecured, proof, resolve_key, expected_purpose, suites)
    wanted = previous if isinstance(previous, list) else [previous]
    named = {
        other["id"]: other for other in all_proofs if isinstance(other, Mapping) and isinstance(other.get("id"), str)
    }
    missing = [name for name in wanted if not isinstance(name, str) or name not in named]
    if missing:
        return ProofCheck(False, "previous-missing", params={"missing": missing})
    matching = [other for other in all_proofs if isinstance(other, Mapping) and other.get("id") in wanted]
    return _check_one({**unsecured, "proof": matching}, proof, resolve_key, expected_purpose, suites)


def _check_one(
    unsecured: Mapping[str, Any],
    proof: Mapping[str, Any],
    resolve_key: KeyResolver,
    expected_purpose: str,
    suites: Mapping[str, Cryptosuite],
) -> ProofCheck:
    suite = suites[proof["cryptosuite"]]
    method = proof.get("verificationMethod")
    if not isinstance(method, str):
        return ProofCheck(False, "no-verification-method", suite.name)
    failure = partial(_failure, suite.name, method)  # not a closure: built on every proof (issue 21)
    if proof.get("proofPurpose") != expected_purpose:
        return failure("wrong-purpose", purpose=proof.get("proofPurpose"), expected=expected_purpose)
    created = proof.get("created")
    if created is not None and (not isinstance(created, str) or not _DATE_TIME.match(created)):
        return failure("created-not-date-time")
    proof_value = proof.get("proofValue")
    if not isinstance(proof_value, str) or not proof_value.startswith("z"):
        return failure("bad-proof-value")
    config = {key: value for key, value in proof.items() if key != "proofValue"}
    if "@context" in config and not _context_prefix(config["@context"], unsecured.get("@context")):
        return failure("context-not-prefix")  # §3.3.2
    if "@context" in unsecured:
        config["@context"] = unsecured["@context"]
    try:
        signature = multibase.decode(proof_value)
        public_key = resolve_key(method)
        data = suite.hash_data(unsecured, config)
    except _EXPECTED_FAILURES as error:
        if isinstance(error, Worded):  # the resolver's own reason, e.g. a key that is not the issuer's
            return failure("key-refused", method=method, error=error)
        return failure("error", error_type=type(error).__name__, error=str(error))
    if len(signature) != 64 or not suite.verify(public_key, signature, data):
        return failure("no-match")
    return ProofCheck(True, "match", suite.name, method)


def _failure(suite: str, method: str, code: str, /, **params: Any) -> ProofCheck:
    return ProofCheck(False, code, suite, method, params=params)


def _context_prefix(proof_context: Any, document_context: Any) -> bool:
    as_list = proof_context if isinstance(proof_context, list) else [proof_context]
    document_list = document_context if isinstance(document_context, list) else [document_context]
    return document_list[: len(as_list)] == as_list
