"""The public URLs the register gives credentials, status lists and the verification page.

One place, so the issuing code, the PDF's QR code and the web/API routes agree on them.
"""

from __future__ import annotations

from urllib.parse import quote

from microcred.domain import StatusPurpose

__all__ = ["credential_url", "status_list_url", "verify_page_url"]


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
