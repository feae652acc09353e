"""What the register tells a wallet about itself: the Credential Issuer Metadata (OID4VCI 1.0 §12.2) and the
OAuth Authorization Server Metadata (RFC 8414) of its pre-authorized code and authorization code flows, with
their endpoints' URLs and one OAuth scope per credential configuration.

The register is its own authorization server (no ``authorization_servers``). Display texts come from the
catalogue in both languages; claim paths follow the SD-JWT VC's flat claims and the OB 3.0 subject.
"""

from __future__ import annotations

from typing import Any

from microcred.credentials.jose import HOLDER_ALGORITHMS, ISSUER_ALGORITHM
from microcred.credentials.loader import MICROCRED_CONTEXT_URL, OB3_CONTEXT_URL, VC_V2_CONTEXT_URL
from microcred.credentials.wallet_formats import SD_JWT_VCT
from microcred.i18n import LANGUAGES, translate

__all__ = [
    "AUTHORIZATION_CODE_GRANT",
    "CONFIGURATIONS",
    "LDP_VC",
    "PRE_AUTHORIZED_GRANT",
    "SCOPES",
    "SD_JWT_VC",
    "TX_CODE_LENGTH",
    "authorization_server_metadata",
    "credential_issuer_metadata",
    "token_status_list_url",
]

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
LDP_VC = "MicroCredential_ldp_vc"
SD_JWT_VC = "MicroCredential_dc+sd-jwt"
CONFIGURATIONS = (LDP_VC, SD_JWT_VC)
AUTHORIZATION_CODE_GRANT = "authorization_code"
SCOPES = {LDP_VC: "micro_credential_ldp_vc", SD_JWT_VC: "micro_credential_sd_jwt"}
"""The OAuth scope that asks for each configuration in the authorization code flow (OID4VCI 1.0 §5.1.2)."""
TX_CODE_LENGTH = 6
_SD_JWT_CLAIMS = ("achievement", "ects", "grade", "awarded_date", "activity_start", "activity_end")


def token_status_list_url(issuer: str, provider: str) -> str:
    """``{base}/providers/{slug}/token-status-list``: the provider's Token Status List (``statuslist+jwt``)."""
    return f"{issuer.rstrip('/')}/providers/{provider}/token-status-list"


def _display(key: str) -> list[dict[str, str]]:
    return [{"name": translate(key, lang), "locale": lang} for lang in LANGUAGES]


def _claims(paths: tuple[tuple[tuple[str, ...], str], ...]) -> list[dict[str, Any]]:
    """Each claim path with its name, worded by ``oid4vci.claim.<name>``."""
    return [{"path": list(path), "display": _display(f"oid4vci.claim.{name}")} for path, name in paths]


def _common(binding: list[str]) -> dict[str, Any]:
    return {
        "cryptographic_binding_methods_supported": binding,
        "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": list(HOLDER_ALGORITHMS)}},
    }


def credential_issuer_metadata(issuer: str) -> dict[str, Any]:
    """The document at ``/.well-known/openid-credential-issuer``."""
    base = issuer.rstrip("/")
    card = {"display": _display("oid4vci.credential_name")}
    return {
        "credential_issuer": base,
        "credential_endpoint": f"{base}/oid4vci/credential",
        "nonce_endpoint": f"{base}/oid4vci/nonce",
        "deferred_credential_endpoint": f"{base}/oid4vci/deferred_credential",
        "display": _display("oid4vci.issuer_name"),
        "credential_configurations_supported": {
            LDP_VC: {
                "format": "ldp_vc",
                "scope": SCOPES[LDP_VC],
                "credential_definition": {
                    "@context": [VC_V2_CONTEXT_URL, OB3_CONTEXT_URL, MICROCRED_CONTEXT_URL],
                    "type": ["VerifiableCredential", "OpenBadgeCredential"],
                },
                "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"],
                **_common(["did:key", "did:jwk"]),
                "credential_metadata": {
                    **card,
                    "claims": _claims(
                        (
                            (("credentialSubject", "achievement", "name"), "achievement"),
                            (("credentialSubject", "creditsEarned"), "ects"),
                            (("credentialSubject", "result"), "grade"),
                        )
                    ),
                },
            },
            SD_JWT_VC: {
                "format": "dc+sd-jwt",
                "scope": SCOPES[SD_JWT_VC],
                "vct": SD_JWT_VCT,
                "credential_signing_alg_values_supported": [ISSUER_ALGORITHM],
                **_common(["jwk"]),
                "credential_metadata": {**card, "claims": _claims(tuple(((name,), name) for name in _SD_JWT_CLAIMS))},
            },
        },
    }


def authorization_server_metadata(issuer: str) -> dict[str, Any]:
    """The document at ``/.well-known/oauth-authorization-server`` (RFC 8414 §2): the pre-authorized code
    grant and the authorization code grant with PKCE S256 for public clients, without client authentication
    (OID4VCI 1.0 §12.3); the authorization response names its issuer (RFC 9207)."""
    base = issuer.rstrip("/")
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/oid4vci/authorize",
        "token_endpoint": f"{base}/oid4vci/token",
        "grant_types_supported": [AUTHORIZATION_CODE_GRANT, PRE_AUTHORIZED_GRANT],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": list(SCOPES.values()),
        "authorization_details_types_supported": ["openid_credential"],
        "authorization_response_iss_parameter_supported": True,
        "token_endpoint_auth_methods_supported": ["none"],
        "pre-authorized_grant_anonymous_access_supported": True,
    }
