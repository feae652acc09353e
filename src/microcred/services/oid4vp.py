"""OpenID for Verifiable Presentations 1.0: the verify page asks a wallet app for a micro-credential.

The request is unsigned and passed by value (client identifier prefix ``redirect_uri``, OID4VP §5.9.3): a
DCQL query (§6) for one SD-JWT VC of our ``vct`` with its achievement and ECTS, a fresh ``nonce`` and
``state``, answered by ``direct_post`` (§8.2) to ``/oid4vp/response``. The answer is checked as the verify
page checks a credential -- issuer signature, issuer known and trusted, validity dates, status -- plus the
holder binding (the key-binding JWT over this request's nonce and client id) and shows what the holder chose
to disclose. A request lives 10 minutes and takes one answer.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from microcred.credentials.jose import b64url, b64url_decode
from microcred.credentials.sd_jwt import SdJwtError, issuer_header, key_binding_problem, open_presentation
from microcred.credentials.token_status_list import INVALID, SUSPENDED, VALID, decode_list
from microcred.credentials.wallet_formats import SD_JWT_VCT
from microcred.domain import is_trusted
from microcred.errors import NotFound
from microcred.services.dependencies import Dependencies
from microcred.services.oid4vci import Oid4vci, Oid4vciError
from microcred.services.ports import PresentationRequestRecord, UnitOfWork

__all__ = ["QUERY_ID", "REQUEST_LIFETIME", "Oid4vp", "PresentationRequest"]

REQUEST_LIFETIME = timedelta(minutes=10)
QUERY_ID = "micro_credential"
_HIDDEN = frozenset({"iss", "vct", "cnf", "status", "iat", "nbf", "exp", "_sd_alg"})


@dataclass(frozen=True, slots=True)
class PresentationRequest:
    """One request as the verify page shows it: the wallet link, its deadline and, once given, the answer."""

    state: str
    uri: str
    expires_at: datetime
    result: dict[str, Any] | None

    def is_open(self, now: datetime) -> bool:
        return self.result is None and self.expires_at > now


def _check(name: str, passed: bool, reason: str) -> dict[str, str]:
    return {"name": name, "outcome": "pass" if passed else "fail", "reason": reason}


class Oid4vp:
    """The verifier side of OpenID4VP, bound to one register."""

    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps

    @property
    def response_uri(self) -> str:
        return f"{self._deps.public_base_url}/oid4vp/response"

    @property
    def client_id(self) -> str:
        """``redirect_uri:`` + the response URI: an unsigned request names where the answer goes (§5.9.3)."""
        return f"redirect_uri:{self.response_uri}"

    @staticmethod
    def dcql_query() -> dict[str, Any]:
        """One SD-JWT VC micro-credential, with its achievement and ECTS (the grade is not asked for)."""
        return {
            "credentials": [
                {
                    "id": QUERY_ID,
                    "format": "dc+sd-jwt",
                    "meta": {"vct_values": [SD_JWT_VCT]},
                    "claims": [{"path": ["achievement"]}, {"path": ["ects"]}],
                }
            ]
        }

    def _uri(self, record: PresentationRequestRecord) -> str:
        parameters = {
            "client_id": self.client_id,
            "response_type": "vp_token",
            "response_mode": "direct_post",
            "response_uri": self.response_uri,
            "nonce": record.nonce,
            "state": record.state,
            "dcql_query": json.dumps(self.dcql_query(), separators=(",", ":")),
            "client_metadata": json.dumps(
                {"vp_formats_supported": {"dc+sd-jwt": {"sd-jwt_alg_values": ["EdDSA", "Ed25519"]}}},
                separators=(",", ":"),
            ),
        }
        return "openid4vp://?" + urlencode(parameters)

    def _view(self, record: PresentationRequestRecord) -> PresentationRequest:
        result = None if record.result is None else json.loads(record.result)
        return PresentationRequest(record.state, self._uri(record), record.expires_at, result)

    def create_request(self) -> PresentationRequest:
        now = self._deps.clock()
        state = secrets.token_urlsafe(24)
        with self._deps.uow() as work:
            work.presentations.add_request(
                state=state, nonce=secrets.token_urlsafe(24), created_at=now, expires_at=now + REQUEST_LIFETIME
            )
            work.commit()
            record = work.presentations.request(state)
        assert record is not None
        return self._view(record)

    def request(self, state: str) -> PresentationRequest:
        with self._deps.uow() as work:
            record = work.presentations.request(state)
        if record is None:
            raise NotFound("presentation-request-unknown")
        return self._view(record)

    def now(self) -> datetime:
        return self._deps.clock()

    def receive(self, form: Mapping[str, str]) -> None:
        """The wallet's ``direct_post`` (§8.2): check the presentation and keep the result on the request."""
        now = self._deps.clock()
        with self._deps.uow() as work:
            record = work.presentations.request(form.get("state") or "")
        if record is None or record.answered_at is not None or record.expires_at <= now:
            raise Oid4vciError("presentation-request-closed", error="invalid_request")
        if "error" in form:  # the learner declined, or the wallet had nothing that fits
            result: dict[str, Any] = {"verified": False, "declined": form["error"], "checks": [], "claims": {}}
        else:
            result = self._verify(self._presentation(form.get("vp_token") or ""), record.nonce, now)
        with self._deps.uow() as work:
            if not work.presentations.answer(record.state, json.dumps(result, ensure_ascii=False), now):
                raise Oid4vciError("presentation-request-closed", error="invalid_request")
            work.commit()

    @staticmethod
    def _presentation(vp_token: str) -> str:
        """The one SD-JWT+KB answering our query: ``{"micro_credential": ["…"]}`` (§8.1)."""
        try:
            token = json.loads(vp_token)
        except ValueError:
            raise Oid4vciError("vp-token-malformed", error="invalid_request") from None
        answer = token.get(QUERY_ID) if isinstance(token, dict) else None
        if isinstance(answer, list) and len(answer) == 1:
            answer = answer[0]
        if not isinstance(answer, str):
            raise Oid4vciError("vp-token-malformed", error="invalid_request")
        return answer

    def _verify(self, presentation: str, nonce: str, now: datetime) -> dict[str, Any]:
        with self._deps.uow() as work:
            try:
                kid = str(issuer_header(presentation).get("kid") or "")
                public = self._deps.keys.public_key(work, kid)
            except (SdJwtError, LookupError, ValueError):
                return self._failed("issuer-key-unknown")
            jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64url(public.public_bytes_raw())}
            try:
                opened = open_presentation(presentation, jwk)
            except SdJwtError as error:
                return self._failed(str(error))
            issuer = str(opened.payload.get("iss") or "")
            provider = self._deps.keys.provider_of(issuer) if kid.startswith(f"{issuer}#") else None
            checks = [_check("signature", True, "sd-jwt-signature-valid")]
            checks.append(self._trusted(work, provider, now))
            checks.append(self._dates(opened.payload, now))
            checks.append(self._status(provider, opened.payload.get("status")))
        problem = key_binding_problem(opened, audience=self.client_id, nonce=nonce, now=now, max_age=REQUEST_LIFETIME)
        checks.append(_check("holder-binding", problem is None, problem or "holder-bound"))
        claims = {name: value for name, value in opened.claims.items() if name not in _HIDDEN}
        return {
            "verified": all(check["outcome"] == "pass" for check in checks),
            "checks": checks,
            "claims": claims,
            "issuer": issuer,
        }

    @staticmethod
    def _failed(reason: str) -> dict[str, Any]:
        return {"verified": False, "checks": [_check("signature", False, reason)], "claims": {}}

    @staticmethod
    def _trusted(work: UnitOfWork, provider: str | None, now: datetime) -> dict[str, str]:
        if provider is None:
            return _check("trusted-provider", False, "issuer-not-a-provider")
        trusted = is_trusted(work.providers.get(provider), now.date())
        return _check("trusted-provider", trusted, "provider-trusted" if trusted else "provider-not-trusted")

    @staticmethod
    def _dates(payload: Mapping[str, Any], now: datetime) -> dict[str, str]:
        moment = now.timestamp()
        if isinstance(payload.get("nbf"), int | float) and moment < payload["nbf"]:
            return _check("validity", False, "not-yet-valid")
        if isinstance(payload.get("exp"), int | float) and moment > payload["exp"]:
            return _check("validity", False, "expired")
        return _check("validity", True, "within-validity")

    def _status(self, provider: str | None, status: Any) -> dict[str, str]:
        """The credential's entry in its provider's Token Status List, read as any verifier reads it."""
        reference = status.get("status_list") if isinstance(status, Mapping) else None
        if provider is None or not isinstance(reference, Mapping) or not isinstance(reference.get("idx"), int):
            return _check("status", False, "status-missing")
        token = Oid4vci(self._deps).token_status_list(provider)
        listed = json.loads(b64url_decode(token.split(".")[1]))["status_list"]
        values = decode_list(listed["lst"], bits=listed["bits"])
        index = reference["idx"]
        value = values[index] if 0 <= index < len(values) else -1
        reason = {VALID: "status-valid", INVALID: "status-revoked", SUSPENDED: "status-suspended"}.get(
            value, "status-missing"
        )
        return _check("status", value == VALID, reason)
