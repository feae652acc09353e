"""Imports of CSV / XLSX / JSON-lines files as background jobs: upload, get a job, follow it."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Query, Request, Response

from microcred.api.deps import AdminDep, CatalogueWriterDep, EnrolmentWriterDep, RegisterDep
from microcred.api.jobs import JobOut
from microcred.api.routing import api_router
from microcred.bootstrap import Register

__all__ = ["router"]

router = api_router(prefix="/api/v1", tags=["imports"])
Format = Annotated[Literal["csv", "xlsx", "jsonl"], Query(description="the file's format")]
_UPLOAD = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string", "format": "binary"}},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {"type": "string", "format": "binary"}
            },
            "application/x-ndjson": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


async def _spool(request: Request, suffix: str) -> Path:
    """The request body in a temporary file (the size limit is enforced while it streams in)."""
    directory = Path(tempfile.mkdtemp(prefix="microcred-import-"))
    target = directory / f"upload.{suffix}"
    with target.open("wb") as handle:
        async for chunk in request.stream():
            handle.write(chunk)
    return target


def _start(response: Response, register: Register, kind: str, path: Path, fmt: str, provider: str | None) -> JobOut:
    def work(progress: Any) -> dict[str, Any]:
        try:
            report = register.imports.import_file(
                kind,
                path,
                provider=provider,
                fmt=fmt,
                progress=lambda fraction: progress(round(fraction * 1000), 1000),
            )
        finally:
            shutil.rmtree(path.parent, ignore_errors=True)
        return {
            "committed": report.committed,
            "sheet": report.sheet,
            "rows": report.rows,
            "valid": report.valid,
            # created/updated/unchanged count only what was stored: 0 when the file was refused
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": report.rejected,
            # No cell values: a rejected cell may hold a learner identifier.
            "problems": [
                {"row": p.row, "column": p.column, "reason": p.reason("en"), "code": p.code}
                for p in report.problems[:100]
            ],
            # A warning is never about a learner identifier: the value read is a date, code or number.
            "warnings": [
                {
                    "row": w.row,
                    "column": w.column,
                    "read": w.read,
                    "stored": w.stored,
                    "reason": w.reason("en"),
                    "code": w.code,
                }
                for w in report.warnings[:100]
            ],
        }

    job = register.jobs.submit(f"import-{kind}", provider, work)
    base = f"/api/v1/providers/{provider}/jobs" if provider else "/api/v1/jobs"
    response.headers["Location"] = f"{base}/{job.id}"
    return JobOut.of(job)


@router.post(
    "/providers/{slug}/imports/enrolments",
    response_model=JobOut,
    status_code=202,
    operation_id="import_enrolments",
    openapi_extra=_UPLOAD,
)
async def import_enrolments(
    slug: str, request: Request, response: Response, _: EnrolmentWriterDep, register: RegisterDep, format: Format
) -> JobOut:
    """Import the provider's enrolments (and outcomes); every row must be the provider's own."""
    path = await _spool(request, format)
    return _start(response, register, "enrolments", path, format, slug)


@router.post(
    "/providers/{slug}/imports/{kind}",
    response_model=JobOut,
    status_code=202,
    operation_id="import_catalogue",
    openapi_extra=_UPLOAD,
)
async def import_catalogue(
    slug: str,
    kind: Literal["offerings", "editions"],
    request: Request,
    response: Response,
    _: CatalogueWriterDep,
    register: RegisterDep,
    format: Format,
) -> JobOut:
    """Import the provider's offerings or editions."""
    path = await _spool(request, format)
    return _start(response, register, kind, path, format, slug)


@router.post(
    "/imports/providers", response_model=JobOut, status_code=202, operation_id="import_providers", openapi_extra=_UPLOAD
)
async def import_providers(
    request: Request, response: Response, _: AdminDep, register: RegisterDep, format: Format
) -> JobOut:
    """Import providers and their quality-assurance records (operator only)."""
    path = await _spool(request, format)
    return _start(response, register, "providers", path, format, None)


@router.get("/jobs/{job}", response_model=JobOut, operation_id="get_operator_job")
def get_operator_job(job: str, _: AdminDep, register: RegisterDep) -> JobOut:
    return JobOut.of(register.jobs.get(job, owner=None))
