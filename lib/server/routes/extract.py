"""Extract jobs: ``/api/v2/extract`` (create, get with expand, list, cancel, delete)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Optional

from fastapi import APIRouter, Depends, Query, Response

from lib.api.ids import EXTRACT_JOB_PREFIX, id_prefix, new_id
from lib.api.models import ExtractJobCreate, ExtractJobList, ExtractV2Job
from lib.server.context import ServerContext, get_ctx
from lib.server.errors import BadRequest
from lib.server.routes.common import check_page_options, page_size_param
from lib.server.schemas import check_schema
from lib.server.store import to_iso
from lib.server.views import RESULT_TEXT_COLUMNS, job_json, job_view, list_json, split_expand
from lib.server.webhooks import validate_webhooks

router = APIRouter(prefix="/api/v2/extract", tags=["extract"])

ListStatus = Literal["PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED", "THROTTLED"]


def resolve_configuration(ctx: ServerContext, body: ExtractJobCreate) -> dict[str, Any]:
    """The configuration the job runs with, exactly as given (inline) or as saved (by ID)."""
    if (body.configuration is None) == (body.configuration_id is None):
        raise BadRequest("Provide exactly one of configuration (inline, with a data_schema) or configuration_id.")
    if body.configuration_id is not None:
        saved = dict(ctx.store.get_configuration(body.configuration_id)["parameters"])
        saved.pop("product_type", None)
        return saved
    assert body.configuration is not None
    return body.configuration.model_dump(mode="json", exclude_unset=True)


def resolve_input(ctx: ServerContext, file_input: str) -> tuple[str, Optional[str]]:
    """(file ID whose bytes are read, parse job ID whose parse is reused) for a dfl- or pjb- input."""
    prefix = id_prefix(file_input)
    if prefix == "dfl":
        ctx.store.get_file(file_input)
        return file_input, None
    if prefix == "pjb":
        parse = ctx.store.get_job(file_input, "parse")
        if parse["status"] != "COMPLETED":
            raise BadRequest(
                f"Parse job {file_input} is {parse['status']}; an extract job can read only a COMPLETED parse."
            )
        ctx.store.get_file(parse["file_id"])
        return parse["file_id"], file_input
    raise BadRequest(f"file_input must be a file ID (dfl-...) or a parse job ID (pjb-...), not {file_input!r}.")


@router.post("", response_model=ExtractV2Job)
def create_job(
    body: ExtractJobCreate,
    organization_id: Optional[str] = Query(None),
    project_id: Optional[str] = Query(None),
    ctx: ServerContext = Depends(get_ctx),
) -> dict[str, Any]:
    """Queue an extraction; it runs in a worker process. Poll GET /api/v2/extract/{id} or use a webhook."""
    configuration = resolve_configuration(ctx, body)
    check_schema(configuration.get("data_schema"))
    check_page_options(configuration)
    file_id, parse_job_id = resolve_input(ctx, body.file_input)
    if body.webhook_configuration_ids:
        raise BadRequest("webhook_configuration_ids (saved webhooks) are not kept by this server; pass webhook_configurations.")
    webhooks = validate_webhooks(
        [w.model_dump(mode="json", exclude_none=True) for w in body.webhook_configurations or []],
        ctx.settings.allow_private_webhooks,
    )
    job = ctx.store.create_job(
        job_id=new_id(EXTRACT_JOB_PREFIX),
        kind="extract",
        file_input=body.file_input,
        file_id=file_id,
        parse_job_id=parse_job_id,
        configuration=configuration,
        configuration_id=body.configuration_id,
        webhooks=webhooks,
        max_queue=ctx.settings.max_queue,
    )
    ctx.queued(job)
    return job_view(job, ctx.store.project_id, {"configuration"})


@router.get("", response_model=ExtractJobList)
def list_jobs(
    page_size: int = Depends(page_size_param),
    page_token: Optional[str] = Query(None),
    status: Optional[ListStatus] = Query(None),
    file_input: Optional[str] = Query(None),
    document_input_value: Optional[str] = Query(None, description="Deprecated alias of file_input"),
    document_input_type: Optional[Literal["file_id", "parse_job_id"]] = Query(None),
    configuration_id: Optional[str] = Query(None),
    job_ids: Optional[list[str]] = Query(None),
    created_at_on_or_after: Optional[datetime] = Query(None),
    created_at_on_or_before: Optional[datetime] = Query(None),
    expand: Optional[list[str]] = Query(None),
    organization_id: Optional[str] = Query(None),
    project_id: Optional[str] = Query(None),
    ctx: ServerContext = Depends(get_ctx),
) -> Response:
    """Jobs newest first, filtered, with cursor paging (``next_page_token``); per-field metadata only
    with ``expand=extract_metadata``."""
    prefix = {"file_id": "dfl", "parse_job_id": "pjb"}.get(document_input_type or "")
    page = ctx.store.list_jobs(
        "extract",
        status=status,
        file_input=file_input or document_input_value,
        configuration_id=configuration_id,
        job_ids=job_ids,
        created_after=to_iso(created_at_on_or_after) if created_at_on_or_after else None,
        created_before=to_iso(created_at_on_or_before) if created_at_on_or_before else None,
        input_prefix=prefix,
        page_size=page_size,
        page_token=page_token,
        as_text=RESULT_TEXT_COLUMNS,
    )
    body = list_json(
        page.items, ctx.store.project_id, split_expand(expand),
        next_page_token=page.next_page_token, total_size=page.total_size,
    )
    return Response(content=body, media_type="application/json")


@router.get("/{job_id}", response_model=ExtractV2Job)
def get_job(
    job_id: str,
    expand: Optional[list[str]] = Query(None, description="configuration, extract_metadata, usage"),
    organization_id: Optional[str] = Query(None),
    project_id: Optional[str] = Query(None),
    ctx: ServerContext = Depends(get_ctx),
) -> Response:
    """One job with its result; ``expand`` adds the configuration, per-field metadata and usage."""
    row = ctx.store.get_job(job_id, "extract", as_text=RESULT_TEXT_COLUMNS)
    return Response(content=job_json(row, ctx.store.project_id, split_expand(expand)), media_type="application/json")


@router.post("/{job_id}/cancel", response_model=ExtractV2Job)
def cancel_job(
    job_id: str,
    organization_id: Optional[str] = Query(None),
    project_id: Optional[str] = Query(None),
    ctx: ServerContext = Depends(get_ctx),
) -> dict[str, Any]:
    """PENDING or RUNNING -> CANCELLED (a running job's worker is stopped); 409 for a finished job."""
    return job_view(ctx.cancel(job_id, "extract"), ctx.store.project_id, set())


@router.delete("/{job_id}")
def delete_job(
    job_id: str,
    force: bool = Query(False, description="Delete even a PENDING or RUNNING job (its work is stopped)"),
    organization_id: Optional[str] = Query(None),
    project_id: Optional[str] = Query(None),
    ctx: ServerContext = Depends(get_ctx),
) -> dict[str, Any]:
    """Delete a finished job and its result; an unfinished one is refused (409) unless ``force``."""
    job = ctx.delete(job_id, "extract", force)
    return {"id": job["id"], "project_id": ctx.store.project_id}
