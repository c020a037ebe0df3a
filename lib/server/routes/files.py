"""Files: ``/api/v1/beta/files`` (multipart upload, get, list, delete, content URL)."""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import PurePosixPath
from typing import Any, Optional

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile

from lib.api.models import FILE_PURPOSES, File as FileModel, FileList, PresignedUrl
from lib.server.context import ServerContext, get_ctx
from lib.server.errors import BadRequest, TooLarge
from lib.server.routes.common import page_size_param
from lib.server.store import BY_ID, BY_NAME, NEWEST_FIRST
from lib.server.views import file_view, split_expand

router = APIRouter(prefix="/api/v1/beta/files", tags=["files"])

CHUNK = 1024 * 1024
MAX_NAME = 200
_ORDERS = {"created_at": NEWEST_FIRST, "name": BY_NAME, "id": BY_ID}
_FORBIDDEN = set('<>:"|?*')


def sanitize_filename(raw: Optional[str]) -> str:
    """A display name safe anywhere: last path component only, no control or shell-special
    characters, no leading dots, at most 200 characters (keeping the extension). Stored bytes are
    named by ID, so this name never becomes a path; it is still cleaned for headers and the app."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in _FORBIDDEN)
    name = name.strip().lstrip(".").strip()
    if not name:
        return "upload"
    if len(name) > MAX_NAME:
        suffix = PurePosixPath(name).suffix[:16]
        name = name[: MAX_NAME - len(suffix)] + suffix
    return name


def file_type_of(name: str) -> Optional[str]:
    suffix = PurePosixPath(name).suffix.lower().lstrip(".")
    return suffix or None


def store_upload(ctx: ServerContext, upload: UploadFile) -> tuple[Any, int, str]:
    """Copy the upload into a temporary file, hashing and counting; refuse empty or oversized files."""
    limit = ctx.settings.max_file_bytes
    temp = ctx.store.new_temp_path()
    digest = hashlib.sha256()
    size = 0
    try:
        with open(temp, "wb") as out:
            while chunk := upload.file.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise TooLarge(
                        f"The file is larger than {ctx.settings.max_file_mb:g} MB, the limit of this server "
                        "(EXTRACT_SERVER_MAX_FILE_MB); upload a smaller file or split it."
                    )
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise BadRequest("The file is empty (0 bytes); choose a file with content.")
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp, size, digest.hexdigest()


@router.post("", response_model=FileModel)
def create_file(
    file: UploadFile = File(..., description="The file's bytes, with its name"),
    purpose: str = Form(..., description="user_data, parse, extract, classify, split, sheet or agent_app"),
    external_file_id: Optional[str] = Form(None),
    organization_id: Optional[str] = Query(None),
    project_id: Optional[str] = Query(None),
    ctx: ServerContext = Depends(get_ctx),
) -> dict[str, Any]:
    """Upload a file (multipart/form-data)."""
    if purpose not in FILE_PURPOSES:
        raise BadRequest(f"purpose must be one of {', '.join(FILE_PURPOSES)}, not {purpose!r}.")
    temp, size, sha256 = store_upload(ctx, file)
    name = sanitize_filename(file.filename)
    row = ctx.store.add_file(
        temp,
        name=name,
        file_type=file_type_of(name),
        size=size,
        sha256=sha256,
        purpose=purpose,
        external_file_id=external_file_id or None,
    )
    return file_view(row, ctx.store.project_id)


@router.get("", response_model=FileList)
def list_files(
    request: Request,
    expand: Optional[list[str]] = Query(None),
    external_file_id: Optional[str] = Query(None),
    file_ids: Optional[list[str]] = Query(None),
    file_name: Optional[str] = Query(None),
    order_by: Optional[str] = Query(None, description="name, id or created_at (newest first, the default)"),
    page_size: int = Depends(page_size_param),
    page_token: Optional[str] = Query(None),
    organization_id: Optional[str] = Query(None),
    project_id: Optional[str] = Query(None),
    ctx: ServerContext = Depends(get_ctx),
) -> dict[str, Any]:
    """Files, newest first by default, with cursor paging."""
    order = _ORDERS.get(order_by or "created_at")
    if order is None:
        raise BadRequest(f"order_by must be one of {', '.join(_ORDERS)}, not {order_by!r}.")
    page = ctx.store.list_files(
        external_file_id=external_file_id,
        file_ids=file_ids,
        file_name=file_name,
        order=order,
        page_size=page_size,
        page_token=page_token,
    )
    with_url = "download_url" in split_expand(expand)
    items = [
        file_view(row, ctx.store.project_id, ctx.content_url(request, row["id"], None) if with_url else None)
        for row in page.items
    ]
    return {"items": items, "next_page_token": page.next_page_token, "total_size": page.total_size}


@router.get("/{file_id}", response_model=FileModel)
def get_file(
    file_id: str,
    request: Request,
    expand: Optional[list[str]] = Query(None),
    organization_id: Optional[str] = Query(None),
    project_id: Optional[str] = Query(None),
    ctx: ServerContext = Depends(get_ctx),
) -> dict[str, Any]:
    """One file's metadata; ``expand=download_url`` adds a signed content URL."""
    row = ctx.store.get_file(file_id)
    url = ctx.content_url(request, file_id, None) if "download_url" in split_expand(expand) else None
    return file_view(row, ctx.store.project_id, url)


@router.delete("/{file_id}", status_code=204, response_class=Response)
def delete_file(
    file_id: str,
    organization_id: Optional[str] = Query(None),
    project_id: Optional[str] = Query(None),
    ctx: ServerContext = Depends(get_ctx),
) -> Response:
    """Delete a file and its bytes; refused (409) while an unfinished job reads it."""
    ctx.store.delete_file(file_id)
    return Response(status_code=204)


@router.get("/{file_id}/content", response_model=PresignedUrl)
def file_content(
    file_id: str,
    request: Request,
    expires_at_seconds: Optional[int] = Query(None, description="Lifetime of the URL in seconds (default 3600)"),
    organization_id: Optional[str] = Query(None),
    project_id: Optional[str] = Query(None),
    ctx: ServerContext = Depends(get_ctx),
) -> dict[str, Any]:
    """A signed URL, served by this server, that downloads the bytes without the bearer key
    until ``expires_at`` (so a browser can open it)."""
    ctx.store.get_file(file_id)
    return ctx.content_url(request, file_id, expires_at_seconds)
