"""The desk's longer tasks, run as jobs (``register.jobs``, as the API runs them): imports and issuing.

An import always runs with the signed-in staff member's provider, so a file cannot write another
provider's records. The uploaded file is staged server-side; a clean dry run keeps it (named in the
session) so the staff member can import it after reading the report without choosing it again. The job
page polls its progress with htmx and offers a refresh link without it; a finished import shows its
report there, every problem by row, column, value and reason.
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
from microcred.errors import Invalid, MicrocredError, NotFound
from microcred.services.imports import TEMPLATE_FORMATS, ImportReport
from microcred.services.jobs import JobRunner, Work
from microcred.web.errors import message_key, on_error, page_router
from microcred.web.forms import posted_form
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


class CheckedFileGone(NotFound):
    """The file a dry run checked is no longer there: imported already, refused by the check, or expired."""

    code = "gone"
    status = 410

    def __init__(self) -> None:
        super().__init__("checked-file-gone")


def _staging_dir() -> Path:
    return Path(tempfile.gettempdir()) / "microcred-desk-imports"


def _safe_name(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name)[-100:].lstrip(".")
    return stem or "upload.csv"


async def _stage(upload: object, limit: int) -> Path:
    """Copy the uploaded file to a private staging folder, refusing it beyond ``limit`` bytes."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise Invalid.field("file", "file-required")
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
                raise Invalid.field("file", "file-too-large-mib", limit=limit // (1024 * 1024))
            out.write(chunk)
    return target


def _checked_file(staged: object, jobs: JobRunner, provider: str) -> tuple[Path, str]:
    """The file and kind a clean dry run of this provider kept (see :func:`_import_work`)."""
    if not isinstance(staged, dict) or staged.get("kind") not in IMPORT_KINDS:
        raise CheckedFileGone()
    if not re.fullmatch(r"[0-9a-f]{32}", str(staged.get("folder", ""))):
        raise CheckedFileGone()
    path = _staging_dir() / str(staged["folder"]) / _safe_name(str(staged.get("name", "")))
    check = jobs.get(str(staged.get("job", "")), owner=provider)
    if not path.is_file() or check.state != "succeeded" or not check.result.get("ok"):
        raise CheckedFileGone()
    return path, str(staged["kind"])


def _report_result(report: ImportReport) -> dict[str, Any]:
    """The report as the job page shows it, in plain values (the job runner is shared with the API)."""
    problems = [
        {"row": p.row, "column": p.column, "value": p.value, "code": p.code, "params": dict(p.params)}
        for p in report.problems
    ]
    warnings = [
        {"row": w.row, "column": w.column, "read": w.read, "stored": w.stored, "code": w.code, "params": dict(w.params)}
        for w in report.warnings
    ]
    counts = ("rows", "valid", "created", "updated", "unchanged", "rejected", "unlisted_problems", "unlisted_warnings")
    shown = {"kind": report.kind, "dry_run": report.dry_run, "ok": report.ok, "committed": report.committed}
    sheets = {"sheet": report.sheet, "other_sheets": list(report.other_sheets)}
    return {
        **shown,
        **sheets,
        "problems": problems,
        "warnings": warnings,
        **{name: getattr(report, name) for name in counts},
    }


def _import_work(register: Register, provider: str, kind: str, path: Path, *, dry_run: bool) -> Work:
    """The import as a job's body; the staged file is removed after it, unless a clean dry run keeps it."""

    def work(progress: Any) -> dict[str, Any]:
        keep = False
        try:
            report = register.imports.import_file(
                kind, path, provider=provider, dry_run=dry_run,
                progress=lambda fraction: progress(round(fraction * 1000), 1000),
            )  # fmt: skip
            keep = dry_run and report.ok
            return _report_result(report)
        finally:
            if not keep:
                shutil.rmtree(path.parent, ignore_errors=True)

    return work


def desk_task_routes(register: Register, pages: Pages) -> APIRouter:
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

    def start_import(provider: str, kind: str, path: Path, *, dry_run: bool) -> str:
        work = _import_work(register, provider, kind, path, dry_run=dry_run)
        return register.jobs.submit(f"import-{kind}", provider, work).id

    @router.get("/templates/{kind}.{fmt}")
    def template(kind: str, fmt: str) -> Response:
        """A fill-in template (header and an example row; XLSX adds a sheet of the allowed codes), generated
        from the same layout definition the importer validates with. Public: it holds no data."""
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
        import_again(request, "enrolments", "import.no_file")
        form = await posted_form(request)
        kind = str(form.get("kind") or "")
        import_again(request, kind, "import.no_file")
        if kind not in IMPORT_KINDS:
            raise Invalid.field("kind", "one-of", kind, allowed=", ".join(IMPORT_KINDS))
        dry_run = form.get("dry_run") == "1"
        path = await _stage(form.get("file"), register.settings.max_upload_bytes)
        job = start_import(staff.provider, kind, path, dry_run=dry_run)
        if dry_run:
            staged = {"folder": path.parent.name, "name": path.name, "kind": kind, "job": job}
            request.session["staged_import"] = staged
        return RedirectResponse(f"/desk/jobs/{job}", status_code=303)

    @router.post("/desk/imports/confirm", response_class=HTMLResponse)
    async def confirm(request: Request, staff: StaffDep) -> Response:
        import_again(request, "enrolments", "import.staged_gone")
        await posted_form(request)
        path, kind = _checked_file(request.session.pop("staged_import", None), register.jobs, staff.provider)
        job = start_import(staff.provider, kind, path, dry_run=False)
        return RedirectResponse(f"/desk/jobs/{job}", status_code=303)

    @router.post("/desk/editions/{code:path}/issue", response_class=HTMLResponse)
    async def issue(request: Request, code: str, staff: StaffDep) -> Response:
        # Another provider's (or an unknown) edition is not found before any job starts; a stale form goes home.
        on_error(request, lambda error: None if isinstance(error, NotFound) else RedirectResponse("/desk", 303))
        await posted_form(request)
        register.enrolments.get_edition(staff.provider, code)

        def work(progress: Any) -> dict[str, Any]:
            issued = register.issuance.issue_for_edition(staff.provider, code, progress=progress)
            return {"count": len(issued), "edition": code}

        job = register.jobs.submit("issue", staff.provider, work)
        return RedirectResponse(f"/desk/jobs/{job.id}", status_code=303)

    @router.get("/desk/jobs/{job_id}", response_class=HTMLResponse)
    def job_page(request: Request, job_id: str, staff: StaffDep) -> Response:
        job = register.jobs.get(job_id, owner=staff.provider)
        if request.headers.get("hx-request") == "true":  # htmx swaps only a 2xx answer
            return pages.render(request, "_job_progress.html", job=job)
        refused = job.state == "failed" or (job.finished and job.result.get("ok") is False)
        return pages.render(request, "desk_job.html", status=422 if refused else 200, job=job)

    return router
