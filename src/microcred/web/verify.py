"""The public verifier: paste, upload, open a share link or a scanned URL of this register, see each check."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from microcred.errors import Invalid, MicrocredError, RateLimited
from microcred.web.errors import message_key, on_error, page_router
from microcred.web.forms import posted_form, read_upload
from microcred.web.registered import register_of
from microcred.web.templating import Pages, language_of

__all__ = ["credential_view", "share_token_of", "verify_routes"]

MAX_CREDENTIAL_BYTES = 512 * 1024


def verify_routes(pages: Pages) -> APIRouter:
    router = page_router(pages)

    def answer(request: Request, document: Any, *, source: str) -> Response:
        register = register_of(request)
        return pages.render(
            request,
            "verify.html",
            result=register.verification.verify_document(document),
            source=source,
            credential=credential_view(document, language_of(request)) if isinstance(document, dict) else None,
            error=None,
            pasted="",
        )

    def problem(request: Request, message: str, *, pasted: str = "", status: int = 400) -> Response:
        return pages.render(
            request, "verify.html", status=status, result=None, credential=None, error=message, pasted=pasted, source=""
        )

    def refusal(request: Request, error: MicrocredError, default: str, *, status: int | None = None) -> Response:
        if isinstance(error, RateLimited):
            shown = problem(request, "verify.error_rate", status=error.status)
            shown.headers.update(error.headers)
            return shown
        return problem(request, message_key(error, default), status=status or error.status)

    def count_verification(request: Request) -> None:
        """The per-client budget anonymous verification shares with ``POST /api/v1/verify`` (issue 15, finding 6)."""
        register = register_of(request)
        register.limits.verification(client=request.client.host if request.client else "unknown")

    @router.get("/verify", response_class=HTMLResponse)
    def verify_page(
        request: Request, link: str | None = None, credential: str | None = None, share: str | None = None
    ) -> Response:
        # One field, "link", takes either kind of link; "credential" (QR codes, PDFs) and "share" still work.
        register = register_of(request)
        pasted = (link or "").strip()
        if (share and share.strip()) or (pasted and _is_share_link(pasted)):
            token = share_token_of(share or pasted)
            if not token:
                return problem(request, "verify.error_share")
            return RedirectResponse(f"/s/{quote(token, safe='')}", status_code=303)
        credential = credential or pasted or None
        if not credential:
            return pages.render(request, "verify.html", result=None, credential=None, error=None, pasted="", source="")
        if not register.verification.is_own_url(credential):
            return problem(request, "verify.error_foreign_url")
        on_error(request, lambda e: refusal(request, e, "verify.error_unknown_url", status=404))
        count_verification(request)
        return answer(request, register.verification.own_document(credential), source=credential)

    @router.post("/verify", response_class=HTMLResponse)
    async def verify_posted(request: Request) -> Response:
        register = register_of(request)
        on_error(request, lambda e: refusal(request, e, "verify.error_bounds"))
        form = await posted_form(request)
        count_verification(request)
        uploaded = await read_upload(form.get("file"), limit=MAX_CREDENTIAL_BYTES)
        pasted = form.get("document")
        text = uploaded.decode("utf-8", errors="replace") if uploaded else (pasted if isinstance(pasted, str) else "")
        if not text.strip():
            return problem(request, "verify.error_empty")
        if len(text) > MAX_CREDENTIAL_BYTES:
            return problem(request, "verify.error_too_large", status=413)
        try:
            document = register.verification.read_document(text)
        except Invalid as refused:
            code = refused.problems[0].code if refused.problems else ""
            key = "verify.error_not_json" if code == "not-json-document" else "verify.error_bounds"
            return problem(request, key, pasted=text[:20_000] if key == "verify.error_not_json" else "")
        return answer(request, document, source="upload" if uploaded else "paste")

    return router


def _is_share_link(value: str) -> bool:
    """A share link (``…/s/{token}``) or a bare share code; a credential's address is neither."""
    return "/s/" in value or ("/" not in value and ":" not in value)


def share_token_of(value: str) -> str:
    """The token of a pasted share link: a full URL ``…/s/{token}`` or the bare token."""
    text = value.strip()
    _, found, rest = text.rpartition("/s/")
    token = rest if found else text
    return token.split("?")[0].split("#")[0].strip("/ ")


def credential_view(document: dict[str, Any], lang: str) -> dict[str, Any]:
    """The parts of an Open Badges 3.0 micro-credential a person reads, tolerant of missing or odd fields."""
    subject = document.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    achievement = subject.get("achievement")
    if isinstance(achievement, list) and achievement:  # a ClrCredential: the larger credential comes first
        achievement = achievement[0]
    achievement = achievement if isinstance(achievement, dict) else {}
    issuer = document.get("issuer")
    issuer_name = issuer.get("name") if isinstance(issuer, dict) else issuer
    criteria = achievement.get("criteria")
    narrative = criteria.get("narrative") if isinstance(criteria, dict) else None
    outcomes = [line.removeprefix("- ").strip() for line in (narrative or "").splitlines() if line.startswith("- ")]
    qa = achievement.get("qualityAssurance")
    return {
        "name": _plain(document.get("name")) or _plain(achievement.get("name")),
        "id": _plain(document.get("id")),
        "issuer": _plain(issuer_name),
        "valid_from": _plain(document.get("validFrom")),
        "valid_until": _plain(document.get("validUntil")),
        "awarded": _plain(document.get("awardedDate")),
        "description": _plain(achievement.get("description")),
        "outcomes": outcomes,
        "ects": _plain(achievement.get("creditsAvailable")),
        "hours": _plain(achievement.get("workloadHours")),
        "eqf": _plain(achievement.get("eqfLevel")),
        "vks": _plain(achievement.get("vksLevel")),
        "isced": _plain(achievement.get("iscedField")),
        "assessment": _plain(achievement.get("assessmentType")),
        "form": _plain(achievement.get("participationForm")),
        "identity_check": _plain(achievement.get("identityCheck")),
        "prerequisites": _plain(achievement.get("prerequisites")),
        "kind": _plain(achievement.get("offerKind")),
        "quality_assurance": [
            _plain(record.get("name") or record.get("agency") or record.get("id"))
            if isinstance(record, dict)
            else _plain(record)
            for record in (qa if isinstance(qa, list) else [qa] if qa else [])
        ],
        "lang": lang,
    }


def _plain(value: object) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value)[:2000]
