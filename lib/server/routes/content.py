"""Signed download URLs: ``/content/{token}``, valid without the bearer key until they expire.

The token is ``<file id>.<expiry>.<HMAC>`` keyed by a random secret kept in the data directory,
so a URL cannot be forged, altered to reach another file, or guessed from another file's URL."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse

from lib.server.context import ServerContext, get_ctx
from lib.server.errors import Forbidden

router = APIRouter(tags=["files"])


@router.get("/content/{token}", response_class=FileResponse)
def download(token: str, ctx: ServerContext = Depends(get_ctx)) -> FileResponse:
    """The file's bytes, as an attachment (never rendered by the browser as a page of ours)."""
    file_id = ctx.check_content_token(token)
    if file_id is None:
        raise Forbidden("This download link is invalid or has expired; ask the API for a new one.")
    row = ctx.store.get_file(file_id)
    return FileResponse(
        ctx.store.file_path(file_id),
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row['name'])}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
            "Cache-Control": "private, no-store",
        },
    )
