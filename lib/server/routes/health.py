"""Liveness: open without the API key, so a supervisor or the app can check the server is up."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from lib.server.context import ServerContext, get_ctx

router = APIRouter(tags=["health"])


@router.get("/health")
@router.get("/api/health", include_in_schema=False)
def health(ctx: ServerContext = Depends(get_ctx)) -> dict[str, str]:
    """``{"status": "ok"}`` once the database answers; nothing about the data, as it needs no key."""
    ctx.store.count_jobs("RUNNING")
    return {"status": "ok"}
