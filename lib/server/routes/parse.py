"""Parse jobs: ``/api/v2/parse`` (create from a file ID or an upload, get with expand, list, cancel, delete).

A parse job runs the engine's document loader in a worker and keeps the parsed document; an
extract job given the ``pjb-`` ID reuses that parse instead of reading the file again."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal, Optional

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile

from lib.api.ids import PARSE_JOB_PREFIX, new_id
from lib.api.models import ParseJob, ParseJobCreate, ParseJobList, ParseJobResult
from lib.server.context import ServerContext, get_ctx
from lib.server.errors import BadRequest, NotFound
from lib.server.routes.common import check_page_options, page_size_param
from lib.server.routes.files import file_type_of, sanitize_filename, store_upload
from lib.server.store import to_iso
from lib.server.views import parse_job_view, parse_result_view, split_expand
from lib.server.webhooks import validate_webhooks

router = APIRouter(prefix="/api/v2/parse", tags=["parse"])

JobStatus = Literal["PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED"]


def _options(body: dict[str, Any]) -> dict[str, Any]:
    """What the local parser acts on (tier and version are kept and echoed; page ranges are applied)."""
    if body.get("source_url"):
        raise BadRequest("source_url is not supported by the local server; upload the file and pass its file_id.")
    ranges = body.get("page_ranges") or {}
    if not isinstance(ranges, dict):
        raise BadRequest("page_ranges must be an object with target_pages and/or max_pages.")
    if ranges.get("target_pages") is not None and not isinstance(ranges["target_pages"], str):
        raise BadRequest("page_ranges.target_pages must be a string such as '1,3,5-7'.")
    max_pages = ranges.get("max_pages")
    if max_pages is not None and (not isinstance(max_pages, int) or isinstance(max_pages, bool) or max_pages < 1):
        raise BadRequest("page_ranges.max_pages must be a whole number of at least 1.")
    check_page_options(ranges, "page_ranges")
    return {
        "tier": body.get("tier"),
        "version": body.get("version"),
        "target_pages": ranges.get("target_pages"),
        "max_pages": ranges.get("max_pages"),
    }


def _queue(ctx: ServerContext, file_id: str, body: dict[str, Any]) -> dict[str, Any]:
    row = ctx.store.get_file(file_id)
    webhooks = validate_webhooks(body.get("webhook_configurations") or [], ctx.settings.allow_private_webhooks)
    job = ctx.store.create_job(
        job_id=new_id(PARSE_JOB_PREFIX),
        kind="parse",
        file_input=file_id,
        file_id=file_id,
        options=_options(body),
        webhooks=webhooks,
        max_queue=ctx.settings.max_queue,
    )
    ctx.queued(job)
    return parse_job_view(job, ctx.store.project_id, row["name"])


def _file_name(ctx: ServerContext, file_id: str) -> Optional[str]:
    try:
        return ctx.store.get_file(file_id)["name"]
    except NotFound:
        return None  # the file was deleted after the parse; the job stays readable


@router.post("", response_model=ParseJob)
def create_parse_job(
    body: ParseJobCreate,
    organization_id: Optional[str] = Query(None),
    project_id: Optional[str] = Query(None),
    ctx: ServerContext = Depends(get_ctx),
) -> dict[str, Any]:
    """Parse an uploaded file (``file_id``); poll GET /api/v2/parse/{id}, then read ``expand=text`` / ``markdown``."""
    return _queue(ctx, body.file_id, body.model_dump(mode="json"))


@router.post("/upload", response_model=ParseJob)
def upload_and_parse(
    file: UploadFile = File(...),
    configuration: str = Form("{}", description="The parse options as a JSON string (tier, version, page_ranges ...)"),
    organization_id: Optional[str] = Query(None),
    project_id: Optional[str] = Query(None),
    ctx: ServerContext = Depends(get_ctx),
) -> dict[str, Any]:
    """Upload a file and parse it in one call (what the SDK does with ``upload_file``)."""
    try:
        options = json.loads(configuration or "{}")
    except json.JSONDecodeError as error:
        raise BadRequest(f"configuration must be a JSON object string: {error}") from None
    if not isinstance(options, dict):
        raise BadRequest("configuration must be a JSON object string.")
    temp, size, sha256 = store_upload(ctx, file)
    name = sanitize_filename(file.filename)
    row = ctx.store.add_file(temp, name=name, file_type=file_type_of(name), size=size, sha256=sha256,
                             purpose="parse", external_file_id=None)
    return _queue(ctx, row["id"], options)


@router.get("", response_model=ParseJobList)
def list_parse_jobs(
    page_size: int = Depends(page_size_param),
    page_token: Optional[str] = Query(None),
    status: Optional[JobStatus] = Query(None),
    job_ids: Optional[list[str]] = Query(None),
    created_at_on_or_after: Optional[datetime] = Query(None),
    created_at_on_or_before: Optional[datetime] = Query(None),
    organization_id: Optional[str] = Query(None),
    project_id: Optional[str] = Query(None),
    ctx: ServerContext = Depends(get_ctx),
) -> dict[str, Any]:
    """Parse jobs, newest first, with cursor paging."""
    page = ctx.store.list_jobs(
        "parse",
        status=status,
        job_ids=job_ids,
        created_after=to_iso(created_at_on_or_after) if created_at_on_or_after else None,
        created_before=to_iso(created_at_on_or_before) if created_at_on_or_before else None,
        page_size=page_size,
        page_token=page_token,
    )
    return {
        "items": [parse_job_view(row, ctx.store.project_id, _file_name(ctx, row["file_id"])) for row in page.items],
        "next_page_token": page.next_page_token,
        "total_size": page.total_size,
    }


@router.get("/{job_id}", response_model=ParseJobResult)
def get_parse_job(
    job_id: str,
    expand: Optional[list[str]] = Query(None, description="text, markdown, text_full, markdown_full, metadata"),
    organization_id: Optional[str] = Query(None),
    project_id: Optional[str] = Query(None),
    ctx: ServerContext = Depends(get_ctx),
) -> dict[str, Any]:
    """``{job, text?, markdown?}``: per-page content of a COMPLETED parse, as asked for with ``expand``."""
    row = ctx.store.get_job(job_id, "parse")
    job = parse_job_view(row, ctx.store.project_id, _file_name(ctx, row["file_id"]))
    result = ctx.store.read_parse_result(job_id) if row["status"] == "COMPLETED" else None
    return parse_result_view(job, result, split_expand(expand))


@router.post("/{job_id}/cancel", response_model=ParseJob)
def cancel_parse_job(
    job_id: str,
    organization_id: Optional[str] = Query(None),
    project_id: Optional[str] = Query(None),
    ctx: ServerContext = Depends(get_ctx),
) -> dict[str, Any]:
    row = ctx.cancel(job_id, "parse")
    return parse_job_view(row, ctx.store.project_id, _file_name(ctx, row["file_id"]))


@router.delete("/{job_id}")
def delete_parse_job(
    job_id: str,
    force: bool = Query(False),
    organization_id: Optional[str] = Query(None),
    project_id: Optional[str] = Query(None),
    ctx: ServerContext = Depends(get_ctx),
) -> dict[str, Any]:
    """Delete a finished parse job and its stored parse (409 for an unfinished one unless ``force``)."""
    job = ctx.delete(job_id, "parse", force)
    return {"id": job["id"], "project_id": ctx.store.project_id}
