"""The desk's longer tasks: uploading an import with its validation report, and issuing in the background.

An import always runs with the signed-in staff member's provider, so a file cannot write another
provider's records. A dry run keeps the uploaded file (server-side, named in the session) so the staff
member can import it after reading the report without choosing it again. Issuing an edition runs as a
job (services/jobs.py); the job page polls its progress with htmx and offers a refresh link without it.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from microcred.bootstrap import Register
from microcred.errors import Forbidden, Invalid, MicrocredError, NotFound
from microcred.services import imports, issuance
from microcred.services.jobs import JobRunner
from microcred.web.forms import posted_form
from microcred.web.templating import Pages

__all__ = ["IMPORT_KINDS", "desk_task_routes"]

IMPORT_KINDS = ("offerings", "editions", "enrolments")  # a provider's own records; providers are the operator's
_CHUNK = 1024 * 1024
_TEMPLATE_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jsonl": "application/x-ndjson",
}


def _staging_dir() -> Path:
    return Path(tempfile.gettempdir()) / "microcred-desk-imports"


def _safe_name(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name)[-100:].lstrip(".")
    return stem or "upload.csv"


async def _stage(upload: object, limit: int) -> Path:
    """Copy the uploaded file to a private staging folder, refusing it beyond ``limit`` bytes."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise Invalid.field("file", "choose a file")
    folder = _staging_dir() / secrets.token_hex(16)
    folder.mkdir(parents=True, mode=0o700)
    target = folder / _safe_name(upload.filename)
    written = 0
    with target.open("wb") as out:
        while chunk := await upload.read(_CHUNK):
            written += len(chunk)
            if written > limit:
                out.close()
                shutil.rmtree(folder, ignore_errors=True)
                raise Invalid.field("file", f"must be at most {limit // (1024 * 1024)} MiB")
            out.write(chunk)
    return target


def _staged(token: object) -> Path | None:
    if not isinstance(token, dict) or not re.fullmatch(r"[0-9a-f]{32}", str(token.get("folder", ""))):
        return None
    path = _staging_dir() / str(token["folder"]) / _safe_name(str(token.get("name", "")))
    return path if path.is_file() else None


def desk_task_routes(register: Register, pages: Pages, jobs: JobRunner) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    settings = register.settings

    def staff_of(request: Request) -> dict[str, str] | None:
        staff = request.session.get("staff")
        return staff if isinstance(staff, dict) and isinstance(staff.get("provider"), str) else None

    def to_login() -> Response:
        return RedirectResponse("/desk", status_code=303)

    def import_page(request: Request, *, status: int = 200, **extra: Any) -> Response:
        context: dict[str, Any] = {
            "kinds": IMPORT_KINDS, "report": None, "error": None, "error_text": None, "kind": "enrolments",
            "can_confirm": False,
        }  # fmt: skip
        context.update(extra)
        return pages.render(request, "desk_import.html", status=status, **context)

    def run_import(provider: str, kind: str, path: Path, *, dry_run: bool) -> imports.ImportReport:
        return imports.import_file(
            kind, path, register.uow, pepper=settings.pseudonym_pepper.get_secret_value(),
            max_bytes=settings.max_upload_bytes, provider=provider, dry_run=dry_run,
        )  # fmt: skip

    @router.get("/templates/{kind}.{fmt}")
    def template(request: Request, kind: str, fmt: str) -> Response:
        """A fill-in template (header and an example row; XLSX adds a sheet of the allowed codes), generated
        from the same layout definition the importer validates with. Public: it holds no data."""
        if kind not in (*IMPORT_KINDS, "providers") or fmt not in imports.TEMPLATE_FORMATS:
            return pages.render(request, "not_found.html", status=404, message=f"no {fmt} template for {kind}")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"{kind}.{fmt}"
            imports.write_kind_template(kind, fmt, path)
            content = path.read_bytes()
        return Response(
            content,
            media_type=_TEMPLATE_TYPES[fmt],
            headers={"Content-Disposition": f'attachment; filename="microcred-{kind}-template.{fmt}"'},
        )

    @router.get("/desk/imports", response_class=HTMLResponse)
    def import_form(request: Request) -> Response:
        if staff_of(request) is None:
            return to_login()
        return import_page(request)

    @router.post("/desk/imports", response_class=HTMLResponse)
    async def upload(request: Request) -> Response:
        staff = staff_of(request)
        if staff is None:
            return to_login()
        try:
            form = await posted_form(request)
        except Forbidden:
            return import_page(request, status=403, error="form.expired")
        kind = str(form.get("kind") or "")
        if kind not in IMPORT_KINDS:
            return import_page(request, status=422, error="import.bad_kind")
        dry_run = form.get("dry_run") == "1"
        try:
            path = await _stage(form.get("file"), settings.max_upload_bytes)
        except Invalid:
            return import_page(request, status=422, error="import.no_file", kind=kind)
        try:
            report = run_import(staff["provider"], kind, path, dry_run=dry_run)
        except MicrocredError as error:
            shutil.rmtree(path.parent, ignore_errors=True)
            return import_page(request, status=422, error_text=str(error), kind=kind)
        if dry_run and report.ok:
            request.session["staged_import"] = {"folder": path.parent.name, "name": path.name, "kind": kind}
        else:
            shutil.rmtree(path.parent, ignore_errors=True)
        status = 200 if report.ok else 422
        return import_page(request, status=status, report=report, kind=kind, can_confirm=dry_run and report.ok)

    @router.post("/desk/imports/confirm", response_class=HTMLResponse)
    async def confirm(request: Request) -> Response:
        staff = staff_of(request)
        if staff is None:
            return to_login()
        try:
            await posted_form(request)
        except Forbidden:
            return import_page(request, status=403, error="form.expired")
        staged = request.session.pop("staged_import", None)
        path = _staged(staged)
        if path is None or not isinstance(staged, dict) or staged.get("kind") not in IMPORT_KINDS:
            return import_page(request, status=410, error="import.staged_gone")
        kind = str(staged["kind"])
        try:
            report = run_import(staff["provider"], kind, path, dry_run=False)
        except MicrocredError as error:
            return import_page(request, status=422, error_text=str(error), kind=kind)
        finally:
            shutil.rmtree(path.parent, ignore_errors=True)
        return import_page(request, status=200 if report.ok else 422, report=report, kind=kind)

    @router.post("/desk/editions/{code:path}/issue", response_class=HTMLResponse)
    async def issue(request: Request, code: str) -> Response:
        staff = staff_of(request)
        if staff is None:
            return to_login()
        try:
            await posted_form(request)
        except Forbidden:
            return RedirectResponse("/desk", status_code=303)
        provider = staff["provider"]

        def work(progress: Any) -> dict[str, Any]:
            issued = issuance.issue_for_edition(
                provider, code, uow=register.uow, keys=register.key_store, settings=settings,
                clock=register.clock, progress=progress,
            )  # fmt: skip
            return {"count": len(issued), "edition": code}

        job = jobs.submit("issue", provider, work)
        return RedirectResponse(f"/desk/jobs/{job.id}", status_code=303)

    @router.get("/desk/jobs/{job_id}", response_class=HTMLResponse)
    def job_page(request: Request, job_id: str) -> Response:
        staff = staff_of(request)
        if staff is None:
            return to_login()
        try:
            job = jobs.get(job_id, owner=staff["provider"])
        except NotFound as error:
            return pages.render(request, "not_found.html", status=404, message=error.message)
        partial = request.headers.get("hx-request") == "true"
        return pages.render(request, "_job_progress.html" if partial else "desk_job.html", job=job)

    return router
