"""Saved configurations: ``/api/v1/beta/configurations`` (product type ``extract_v2``).

Create is an upsert by name, as the SDK documents it: saving a configuration under a name that
already exists updates that configuration (same ID, new ``version``)."""

from __future__ import annotations

from typing import Any, Optional

from fastapi import APIRouter, Depends, Query, Response

from lib.api.models import ConfigurationCreate, ConfigurationList, ConfigurationResponse, ConfigurationUpdate, ExtractV2Parameters
from lib.server.context import ServerContext, get_ctx
from lib.server.errors import BadRequest
from lib.server.routes.common import check_page_options, page_size_param
from lib.server.schemas import check_schema
from lib.server.views import configuration_view

router = APIRouter(prefix="/api/v1/beta/configurations", tags=["configurations"])


def _parameters(parameters: ExtractV2Parameters) -> dict[str, Any]:
    """The parameters as given (unset fields left out), with a schema the engine accepts."""
    stored = parameters.model_dump(mode="json", exclude_unset=True)
    stored["product_type"] = "extract_v2"
    check_schema(stored.get("data_schema"))
    check_page_options(stored)
    return stored


def _name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned:
        raise BadRequest("A configuration needs a non-empty name.")
    return cleaned


@router.post("", response_model=ConfigurationResponse)
def create_configuration(
    body: ConfigurationCreate,
    organization_id: Optional[str] = Query(None),
    project_id: Optional[str] = Query(None),
    ctx: ServerContext = Depends(get_ctx),
) -> dict[str, Any]:
    """Save a configuration (or update the one with the same name)."""
    row = ctx.store.upsert_configuration(_name(body.name), "extract_v2", _parameters(body.parameters))
    return configuration_view(row)


@router.get("", response_model=ConfigurationList)
def list_configurations(
    name: Optional[str] = Query(None),
    product_type: Optional[list[str]] = Query(None),
    latest_only: bool = Query(False, description="Accepted; every configuration here is its latest version"),
    page_size: int = Depends(page_size_param),
    page_token: Optional[str] = Query(None),
    organization_id: Optional[str] = Query(None),
    project_id: Optional[str] = Query(None),
    ctx: ServerContext = Depends(get_ctx),
) -> dict[str, Any]:
    """Configurations, newest first, with cursor paging."""
    page = ctx.store.list_configurations(name=name, product_types=product_type, page_size=page_size, page_token=page_token)
    return {
        "items": [configuration_view(row) for row in page.items],
        "next_page_token": page.next_page_token,
        "total_size": page.total_size,
    }


@router.get("/{config_id}", response_model=ConfigurationResponse)
def get_configuration(
    config_id: str,
    organization_id: Optional[str] = Query(None),
    project_id: Optional[str] = Query(None),
    ctx: ServerContext = Depends(get_ctx),
) -> dict[str, Any]:
    return configuration_view(ctx.store.get_configuration(config_id))


@router.put("/{config_id}", response_model=ConfigurationResponse)
def update_configuration(
    config_id: str,
    body: ConfigurationUpdate,
    organization_id: Optional[str] = Query(None),
    project_id: Optional[str] = Query(None),
    ctx: ServerContext = Depends(get_ctx),
) -> dict[str, Any]:
    """Change the name and/or parameters; fields left out stay as they are."""
    name = _name(body.name) if body.name is not None else None
    parameters = _parameters(body.parameters) if body.parameters is not None else None
    return configuration_view(ctx.store.update_configuration(config_id, name, parameters))


@router.delete("/{config_id}", status_code=204, response_class=Response)
def delete_configuration(
    config_id: str,
    organization_id: Optional[str] = Query(None),
    project_id: Optional[str] = Query(None),
    ctx: ServerContext = Depends(get_ctx),
) -> Response:
    """Delete a configuration; jobs that used it keep the configuration they ran with."""
    ctx.store.delete_configuration(config_id)
    return Response(status_code=204)
