"""Schemas: ``/api/v2/extract/schema/validation`` and ``/api/v2/extract/schema/generate``."""

from __future__ import annotations

from typing import Any, Optional

from fastapi import APIRouter, Depends, Query

from lib.api.models import SchemaGenerateRequest, SchemaGenerateResponse, SchemaValidationRequest, SchemaValidationResponse
from lib.server import schemas
from lib.server.context import ServerContext, get_ctx

router = APIRouter(prefix="/api/v2/extract/schema", tags=["schema"])


@router.post("/validation", response_model=SchemaValidationResponse)
def validate_schema(body: SchemaValidationRequest) -> dict[str, Any]:
    """The normalised schema, ready for jobs; a 400 names the offending JSON pointer and rule."""
    return {"data_schema": schemas.check_schema(body.data_schema)}


@router.post("/generate", response_model=SchemaGenerateResponse)
def generate_schema(
    body: SchemaGenerateRequest,
    organization_id: Optional[str] = Query(None),
    project_id: Optional[str] = Query(None),
    ctx: ServerContext = Depends(get_ctx),
) -> dict[str, Any]:
    """A schema from a prompt listing fields in plain words, from a file (the engine's proposal),
    or refining a given schema; returned as a configuration ready to save."""
    return schemas.generate(ctx, prompt=body.prompt, file_id=body.file_id, data_schema=body.data_schema, name=body.name)
