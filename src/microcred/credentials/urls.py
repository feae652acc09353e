"""The public URLs the register gives credentials, status lists and the verification page.

One place, so the issuing code, the PDF's QR code and the web/API routes agree on them.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote, urlencode

from microcred.domain import StatusPurpose

__all__ = [
    "LINKEDIN_ADD_TO_PROFILE",
    "credential_url",
    "linkedin_add_to_profile_url",
    "status_list_url",
    "verify_page_url",
]


def _base(public_base_url: str) -> str:
    return public_base_url.rstrip("/")


def status_list_url(public_base_url: str, provider: str, purpose: StatusPurpose, number: int = 1) -> str:
    """``{base}/providers/{slug}/status/{message|revocation|suspension}``: the provider's first signed status
    list credential; its later lists (decision 0021) add their number: ``…/status/message/2``."""
    first = f"{_base(public_base_url)}/providers/{provider}/status/{purpose.value}"
    return first if number == 1 else f"{first}/{number}"


def credential_url(public_base_url: str, credential_id: str) -> str:
    """``{base}/credentials/{uuid}``: the learner's signed credential as JSON."""
    return f"{_base(public_base_url)}/credentials/{credential_id.removeprefix('urn:uuid:')}"


def verify_page_url(public_base_url: str, credential_json_url: str) -> str:
    """``{base}/verify?credential=<url>``: the public verification page, opened on one credential."""
    return f"{_base(public_base_url)}/verify?credential={quote(credential_json_url, safe='')}"


LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def linkedin_add_to_profile_url(
    *, name: str, organization: str, issued: date, credential_id: str, verify_url: str, expires: date | None = None
) -> str:
    """LinkedIn's "Add to Profile" link for a certification: it opens the member's *Licenses & certifications*
    form filled in (``startTask=CERTIFICATION_NAME``, then ``name``, ``organizationName``, ``issueYear`` and
    ``issueMonth``, the expiration when there is one, ``certUrl`` and ``certId``). Nothing is sent to
    LinkedIn until the learner follows the link and saves the form."""
    fields = {
        "startTask": "CERTIFICATION_NAME",
        "name": name,
        "organizationName": organization,
        "issueYear": str(issued.year),
        "issueMonth": str(issued.month),
    }
    if expires is not None:
        fields |= {"expirationYear": str(expires.year), "expirationMonth": str(expires.month)}
    fields |= {"certUrl": verify_url, "certId": credential_id}
    return f"{LINKEDIN_ADD_TO_PROFILE}?{urlencode(fields)}"
