"""Imports of CSV / XLSX / JSON-lines files as background jobs: upload, get a job, follow it."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query, Request, Response
from starlette.concurrency import run_in_threadpool

from microcred.api.deps import AdminDep, CatalogueWriterDep, EnrolmentWriterDep, RegisterDep
from microcred.api.jobs import JobOut, job_location
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


async def _start(
    request: Request, response: Response, register: Register, kind: str, fmt: str, provider: str | None
) -> JobOut:
    """Queue the import of the request body (kept with the job in the database until a worker ran it)."""
    content = await request.body()  # the size limit is enforced while it streams in (api/limits.py)
    job = await run_in_threadpool(
        register.jobs.submit_import, kind, content, provider=provider, fmt=fmt, name=f"upload.{fmt}"
    )
    response.headers["Location"] = job_location(job)
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
    return await _start(request, response, register, "enrolments", format, slug)


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
    return await _start(request, response, register, kind, format, slug)


@router.post(
    "/imports/providers", response_model=JobOut, status_code=202, operation_id="import_providers", openapi_extra=_UPLOAD
)
async def import_providers(
    request: Request, response: Response, _: AdminDep, register: RegisterDep, format: Format
) -> JobOut:
    """Import providers and their quality-assurance records (operator only)."""
    return await _start(request, response, register, "providers", format, None)


@router.get("/jobs/{job}", response_model=JobOut, operation_id="get_operator_job")
def get_operator_job(job: str, _: AdminDep, register: RegisterDep) -> JobOut:
    return JobOut.of(register.jobs.get_job(job, owner=None))
