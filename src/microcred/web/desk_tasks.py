"""The desk's longer tasks, run as jobs (``register.jobs``, as the API runs them): imports, issuing and
e-mailing credential offers.

An import always runs with the signed-in staff member's provider, so a file cannot write another
provider's records. The uploaded file is kept with its job in the database (any process may run it); a
clean dry run keeps it (its job named in the session) so the staff member can import it after reading
the report without choosing it again. The job page polls its progress with htmx and offers a refresh link
without it; a finished import shows its report there, every problem by row, column, value and reason
(enrolment files without values: they may hold learner identifiers).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from microcred.errors import Invalid, MicrocredError, NotFound
from microcred.services.imports import TEMPLATE_FORMATS
from microcred.web.errors import message_key, on_error, page_router
from microcred.web.forms import posted_form
from microcred.web.registered import register_of
from microcred.web.sessions import StaffDep
from microcred.web.templating import Pages

__all__ = ["IMPORT_KINDS", "desk_task_routes"]

IMPORT_KINDS = ("offerings", "editions", "enrolments")  # a provider's own records; providers are the operator's
_CHUNK = 1024 * 1024
_TEMPLATE_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jsonl": "application/x-ndjson",
}
_MESSAGES = {"kind": "import.bad_kind", "file": "import.no_file"}


def _safe_name(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name)[-100:].lstrip(".")
    return stem or "upload.csv"


async def _read_file(upload: object, limit: int) -> tuple[str, bytes]:
    """The uploaded file's name and content, refused beyond ``limit`` bytes."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise Invalid.field("file", "file-required")
    chunks: list[bytes] = []
    received = 0
    while chunk := await upload.read(_CHUNK):
        received += len(chunk)
        if received > limit:
            raise Invalid.field("file", "file-too-large-mib", limit=limit // (1024 * 1024))
        chunks.append(chunk)
    return _safe_name(upload.filename), b"".join(chunks)


def desk_task_routes(pages: Pages) -> APIRouter:
    router = page_router(pages)

    def import_page(request: Request, *, status: int = 200, **extra: Any) -> Response:
        context: dict[str, Any] = {"kinds": IMPORT_KINDS, "error": None, "kind": "enrolments"}
        context.update(extra)
        return pages.render(request, "desk_import.html", status=status, **context)

    def import_again(request: Request, kind: str, default: str) -> None:
        def shown(error: MicrocredError) -> Response:
            field = error.problems[0].field if error.problems else ""
            key = message_key(error, _MESSAGES.get(field, default))
            return import_page(request, status=error.status, error=key, kind=kind)

        on_error(request, shown)

    @router.get("/templates/{kind}.{fmt}")
    def template(request: Request, kind: str, fmt: str) -> Response:
        """A fill-in template (header and an example row; XLSX adds a sheet of the allowed codes), generated
        from the same layout definition the importer validates with. Public: it holds no data."""
        register = register_of(request)
        if kind not in (*IMPORT_KINDS, "providers") or fmt not in TEMPLATE_FORMATS:
            raise NotFound("no-template", format=fmt, kind=kind)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"{kind}.{fmt}"
            register.imports.write_template(kind, fmt, path)
            content = path.read_bytes()
        disposition = f'attachment; filename="microcred-{kind}-template.{fmt}"'
        return Response(content, media_type=_TEMPLATE_TYPES[fmt], headers={"Content-Disposition": disposition})

    @router.get("/desk/imports", response_class=HTMLResponse)
    def import_form(request: Request, _: StaffDep) -> Response:
        return import_page(request)

    @router.post("/desk/imports", response_class=HTMLResponse)
    async def upload(request: Request, staff: StaffDep) -> Response:
        register = register_of(request)
        import_again(request, "enrolments", "import.no_file")
        form = await posted_form(request)
        kind = str(form.get("kind") or "")
        import_again(request, kind, "import.no_file")
        if kind not in IMPORT_KINDS:
            raise Invalid.field("kind", "one-of", kind, allowed=", ".join(IMPORT_KINDS))
        dry_run = form.get("dry_run") == "1"
        name, content = await _read_file(form.get("file"), register.settings.max_upload_bytes)
        job = await run_in_threadpool(
            register.jobs.submit_import, kind, content, provider=staff.provider, name=name, dry_run=dry_run
        )
        if dry_run:  # the checked file stays with its job; "import now" queues it again for real
            request.session["staged_import"] = {"job": job.id}
        return RedirectResponse(f"/desk/jobs/{job.id}", status_code=303)

    @router.post("/desk/imports/confirm", response_class=HTMLResponse)
    async def confirm(request: Request, staff: StaffDep) -> Response:
        register = register_of(request)
        import_again(request, "enrolments", "import.staged_gone")
        await posted_form(request)
        staged = request.session.pop("staged_import", None)
        check = str(staged.get("job", "")) if isinstance(staged, dict) else ""
        job = await run_in_threadpool(register.jobs.submit_checked_import, check, provider=staff.provider)
        return RedirectResponse(f"/desk/jobs/{job.id}", status_code=303)

    @router.post("/desk/editions/{code:path}/issue", response_class=HTMLResponse)
    async def issue(request: Request, code: str, staff: StaffDep) -> Response:
        # Another provider's (or an unknown) edition is not found before any job starts; a stale form goes home.
        register = register_of(request)
        on_error(request, lambda error: None if isinstance(error, NotFound) else RedirectResponse("/desk", 303))
        await posted_form(request)
        job = await run_in_threadpool(register.jobs.submit_issue, staff.provider, code)
        return RedirectResponse(f"/desk/jobs/{job.id}", status_code=303)

    @router.post("/desk/editions/{code:path}/offers", response_class=HTMLResponse)
    async def mail_offers(request: Request, code: str, staff: StaffDep) -> Response:
        """E-mail each learner of the edition an offer of their own credential for their wallet app (a job);
        ``again`` also mails those mailed before, ``pending`` those who passed without a credential yet."""
        register = register_of(request)
        on_error(request, lambda error: None if isinstance(error, NotFound) else RedirectResponse("/desk", 303))
        form = await posted_form(request)
        again, pending = form.get("again") == "1", form.get("pending") == "1"
        job = await run_in_threadpool(
            register.jobs.submit_offer_mail, staff.provider, code, again=again, pending=pending
        )
        return RedirectResponse(f"/desk/jobs/{job.id}", status_code=303)

    @router.get("/desk/jobs/{job_id}", response_class=HTMLResponse)
    def job_page(request: Request, job_id: str, staff: StaffDep) -> Response:
        register = register_of(request)
        job = register.jobs.get_job(job_id, owner=staff.provider)
        if request.headers.get("hx-request") == "true":  # htmx swaps only a 2xx answer
            return pages.render(request, "_job_progress.html", job=job)
        refused = job.state == "failed" or (job.finished and job.result.get("ok") is False)
        return pages.render(request, "desk_job.html", status=422 if refused else 200, job=job)

    return router
