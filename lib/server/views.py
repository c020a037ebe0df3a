"""Stored rows -> the exact wire shapes of ``lib.api.models`` (and so of the official SDK).

Kept apart from the routes so that list and get, jobs and webhooks build a resource the same
way. ``expand`` follows the hosted API: a job carries ``extract_result`` always, and
``configuration``, ``extract_metadata`` and ``metadata.usage`` only when asked for (one job's
metadata also when its configuration asked for citations or confidence scores, as the SDK documents;
a list carries metadata only when asked, as the SDK documents its list ``expand``).

A job's result and metadata are written once by the worker and can be megabytes: ``job_json`` and
``list_json`` serve their stored JSON text spliced into the response (no decoding and re-encoding
per request); the small rest is encoded through the wire model, as FastAPI's ``response_model`` does.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Optional

from lib.api.models import ExtractJobList, ExtractV2Job

RESULT_TEXT_COLUMNS = ("extract_result", "extract_metadata")


def split_expand(values: Optional[Iterable[str]]) -> set[str]:
    """``expand`` arrives repeated (the SDK) or comma-separated (hand-written URLs); accept both.
    Values this server does not produce are ignored, as a newer client may ask for more."""
    out: set[str] = set()
    for value in values or []:
        out.update(part.strip() for part in value.split(",") if part.strip())
    return out


def file_view(row: dict[str, Any], project_id: str, download_url: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "project_id": project_id,
        "file_type": row["file_type"],
        "file_size": row["file_size"],
        "purpose": row["purpose"],
        "external_file_id": row["external_file_id"],
        "expires_at": None,
        "created_at": row["created_at"],
        "last_modified_at": row["last_modified_at"],
        "download_url": download_url,
    }


def _wants_metadata(row: dict[str, Any], expand: set[str], by_configuration: bool) -> bool:
    configuration = row["configuration"] or {}
    return "extract_metadata" in expand or (
        by_configuration and bool(configuration.get("cite_sources") or configuration.get("confidence_scores"))
    )


def job_view(row: dict[str, Any], project_id: str, expand: set[str], *, by_configuration: bool = True) -> dict[str, Any]:
    configuration = row["configuration"] or {}
    wants_metadata = _wants_metadata(row, expand, by_configuration)
    view: dict[str, Any] = {
        "id": row["id"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "file_input": row["file_input"],
        "project_id": project_id,
        "status": row["status"],
        "configuration_id": row["configuration_id"],
        "error_message": row["error_message"],
        "extract_result": row["extract_result"],
    }
    if "configuration" in expand:
        view["configuration"] = configuration
    if wants_metadata and row["extract_metadata"] is not None:
        view["extract_metadata"] = row["extract_metadata"]
    if "usage" in expand and row["usage"] is not None:
        view["metadata"] = {"usage": row["usage"]}
    return view


def _encode(model: Any, *spliced: str) -> str:
    """``model`` as FastAPI encodes a ``response_model``, without the ``spliced`` fields."""
    fields = model.model_dump(mode="json", by_alias=True)
    for name in spliced:
        fields.pop(name)
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def job_json(row: dict[str, Any], project_id: str, expand: set[str], *, by_configuration: bool = True) -> str:
    """The ``ExtractV2Job`` JSON of a row read with ``RESULT_TEXT_COLUMNS`` as text: the same document
    as ``job_view`` through the model, with the stored result and metadata text spliced in as is."""
    small = job_view({**row, "extract_result": None, "extract_metadata": None}, project_id, expand)
    head = _encode(ExtractV2Job.model_validate(small), *RESULT_TEXT_COLUMNS)
    metadata = row["extract_metadata"] if _wants_metadata(row, expand, by_configuration) else None
    return f'{head[:-1]},"extract_result":{row["extract_result"] or "null"},"extract_metadata":{metadata or "null"}}}'


def list_json(items: list[dict[str, Any]], project_id: str, expand: set[str], **page: Any) -> str:
    """The ``ExtractJobList`` JSON of rows read with ``RESULT_TEXT_COLUMNS`` as text (see ``job_json``)."""
    rest = _encode(ExtractJobList(**page), "items")
    jobs = ",".join(job_json(row, project_id, expand, by_configuration=False) for row in items)
    return f'{{"items":[{jobs}],{rest[1:]}'


def configuration_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "product_type": row["product_type"],
        "parameters": row["parameters"],
        "version": row["version"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def parse_job_view(row: dict[str, Any], project_id: str, file_name: Optional[str]) -> dict[str, Any]:
    options = row["options"] or {}
    return {
        "id": row["id"],
        "project_id": project_id,
        "status": row["status"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "error_message": row["error_message"],
        "tier": options.get("tier"),
        "name": file_name,
    }


def parse_result_view(job: dict[str, Any], result: Optional[dict[str, Any]], expand: set[str]) -> dict[str, Any]:
    """``{job, text?, markdown?, ...}``: content only for a COMPLETED job and only what was asked for."""
    view: dict[str, Any] = {"job": job}
    if result is None:
        return view
    pages = result["pages"]
    if "text" in expand:
        view["text"] = {"pages": [{"page_number": p["page_number"], "text": p["text"]} for p in pages]}
    if "markdown" in expand:
        view["markdown"] = {
            "pages": [{"page_number": p["page_number"], "markdown": p["markdown"], "success": True} for p in pages]
        }
    if "text_full" in expand:
        view["text_full"] = "\n\n".join(p["text"] for p in pages)
    if "markdown_full" in expand:
        view["markdown_full"] = "\n\n".join(p["markdown"] for p in pages)
    if "metadata" in expand:
        view["metadata"] = {"pages": [{"page_number": p["page_number"]} for p in pages]}
    return view

