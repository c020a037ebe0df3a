"""Hosted-shaped responses, recorded from the API reference, for what the local server cannot show.

``SEED_JOB`` is the example response of ``POST /api/v2/extract`` in the seed reference, verbatim:
its metadata mixes real entries with odd values (``"citation": "bar"``, ``"confidence": "bar"``)
and describes fields (``items``, ``total``, ``vendor``) the result does not contain.
"""

from __future__ import annotations

import copy
from typing import Any

SEED_JOB: dict[str, Any] = {
    "id": "ext-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
    "created_at": "2019-12-27T18:11:19.117Z",
    "file_input": "dfl-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
    "project_id": "prj-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
    "status": "COMPLETED",
    "updated_at": "2019-12-27T18:11:19.117Z",
    "configuration": {
        "data_schema": {"foo": {"foo": "bar"}},
        "cite_sources": True,
        "confidence_scores": True,
        "extract_version": "latest",
        "extraction_target": "per_doc",
        "max_pages": 10,
        "parse_config_id": "cfg-11111111-2222-3333-4444-555555555555",
        "parse_tier": "fast",
        "system_prompt": "Extract all monetary values in USD. If a currency is not specified, assume USD.",
        "target_pages": "1,3,5-7",
        "tier": "cost_effective",
    },
    "configuration_id": "cfg-11111111-2222-3333-4444-555555555555",
    "error_message": "error_message",
    "extract_metadata": {
        "field_metadata": {
            "document_metadata": {
                "items": [
                    {
                        "amount": {"citation": [{"matching_text": "$10.00", "page": 1}], "confidence": 1},
                        "description": {"citation": [{"matching_text": "$10/month", "page": 1}], "confidence": 0.998},
                    }
                ],
                "total": {"citation": "bar", "confidence": "bar"},
                "vendor": {
                    "citation": "bar",
                    "confidence": "bar",
                    "extraction_confidence": "bar",
                    "parsing_confidence": "bar",
                },
            },
            "page_metadata": [{"foo": {"foo": "bar"}}],
            "row_metadata": [{"foo": {"foo": "bar"}}],
        },
        "parse_job_id": "parse_job_id",
        "parse_tier": "parse_tier",
    },
    "extract_result": {"foo": {"foo": "bar"}},
    "metadata": {"usage": {"num_document_tokens": 0, "num_output_tokens": 0, "num_pages_extracted": 0}},
}


def seed_job(**changes: Any) -> dict[str, Any]:
    """A deep copy of the seed job with top-level fields replaced."""
    job = copy.deepcopy(SEED_JOB)
    job.update(changes)
    return job


def job_body(job_id: str = "ext-00000000-0000-4000-8000-000000000001", status: str = "PENDING", **extra: Any) -> dict[str, Any]:
    """A minimal job as the hosted list / get endpoints return it."""
    return {
        "id": job_id,
        "created_at": "2026-01-08T10:00:00Z",
        "updated_at": "2026-01-08T10:00:01Z",
        "file_input": "dfl-00000000-0000-4000-8000-000000000001",
        "project_id": "prj-00000000-0000-4000-8000-000000000001",
        "status": status,
        **extra,
    }


def file_body(file_id: str = "dfl-00000000-0000-4000-8000-000000000001", name: str = "invoice.pdf") -> dict[str, Any]:
    return {"id": file_id, "name": name, "project_id": "prj-00000000-0000-4000-8000-000000000001", "file_type": "pdf"}
