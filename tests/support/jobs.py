"""A finished extract job on a real server, as the Results tests and bench need one: the document
uploaded, extracted with citations and confidence scores, and waited for until COMPLETED."""

from __future__ import annotations

from typing import Any

from lib.api.models import ExtractV2Job
from lib.client import ExtractClient
from lib.samples import Sample


def finished_job(url: str, sample: Sample, schema: dict[str, Any], target: str = "per_doc",
                 *, timeout: float = 120) -> ExtractV2Job:
    """Upload ``sample`` to the server at ``url``, extract ``schema`` from it per ``target`` with
    citations and confidence, and return the COMPLETED job (a failure raises the client's error)."""
    with ExtractClient(url) as client:
        upload = client.upload_file(sample.data, name=sample.filename, purpose="extract")
        job = client.create_job(
            upload.id,
            configuration={"data_schema": schema, "extraction_target": target,
                           "cite_sources": True, "confidence_scores": True},
        )
        return client.wait(job.id, timeout=timeout)
