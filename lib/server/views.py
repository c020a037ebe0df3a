"""Stored rows -> the exact wire shapes of ``lib.api.models`` (and so of the official SDK).

Kept apart from the routes so that list and get, jobs and webhooks build a resource the same
way. ``expand`` follows the hosted API: a job carries ``extract_result`` always, and
``configuration``, ``extract_metadata`` and ``metadata.usage`` only when asked for (metadata also
when the job's configuration asked for citations or confidence scores, as the SDK documents).
"""

from __future__ import annotations

from typing import Any, Iterable, Optional


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


def job_view(row: dict[str, Any], project_id: str, expand: set[str]) -> dict[str, Any]:
    configuration = row["configuration"] or {}
    wants_metadata = "extract_metadata" in expand or bool(
        configuration.get("cite_sources") or configuration.get("confidence_scores")
    )
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

