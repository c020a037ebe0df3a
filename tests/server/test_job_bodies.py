"""Job bodies built from the stored result text (lib.server.views.job_json / list_json): they are the
wire model's JSON, with the engine's result and metadata as the worker stored them, and a list carries
metadata only when ``expand`` asks for it (as the SDK documents the list's ``expand``)."""

from __future__ import annotations

import json

import httpx
import pytest

from lib.api.models import ExtractJobList, ExtractJobMetadata, ExtractV2Job
from lib.engine import extract_file
from tests.server.helpers import create_job, wait_job

CITED = {"cite_sources": True, "confidence_scores": True}


@pytest.fixture(scope="module")
def cited_job(api_server, invoice, invoice_file) -> dict:
    with api_server.client() as http:
        configuration = {"data_schema": invoice.schema, **CITED}
        job = wait_job(http, create_job(http, invoice_file["id"], configuration=configuration)["id"])
    assert job["status"] == "COMPLETED", job["error_message"]
    return job


def test_get_body_is_the_model_with_the_stored_result(client: httpx.Client, cited_job, invoice) -> None:
    response = client.get(f"/api/v2/extract/{cited_job['id']}", params={"expand": ["configuration", "extract_metadata", "usage"]})
    assert response.headers["content-type"] == "application/json"
    job = ExtractV2Job.model_validate_json(response.content)
    expected = extract_file(invoice.data, invoice.filename, {"data_schema": invoice.schema, **CITED})
    assert job.extract_result == expected.extract_result
    assert job.extract_metadata == ExtractJobMetadata.model_validate(expected.extract_metadata)
    assert job.configuration is not None and job.configuration.cite_sources is True
    assert job.metadata is not None and job.metadata.usage is not None
    body = json.loads(response.content)
    assert set(body) == set(ExtractV2Job.model_fields)  # every field, null when unset, as response_model gave


def test_list_has_metadata_only_when_expanded(client: httpx.Client, cited_job) -> None:
    one = client.get(f"/api/v2/extract/{cited_job['id']}").json()
    plain = ExtractJobList.model_validate_json(client.get("/api/v2/extract", params={"job_ids": [cited_job["id"]]}).content)
    assert [j.id for j in plain.items] == [cited_job["id"]] and plain.total_size == 1
    assert plain.items[0].extract_result == one["extract_result"] and plain.items[0].extract_metadata is None
    expanded = client.get("/api/v2/extract", params={"job_ids": [cited_job["id"]], "expand": "extract_metadata"})
    item = ExtractJobList.model_validate_json(expanded.content).items[0]
    assert item.extract_metadata == ExtractJobMetadata.model_validate(one["extract_metadata"])
    assert client.get("/api/v2/extract", params={"job_ids": ["ext-none"]}).json() == {
        "items": [], "next_page_token": None, "total_size": 0,
    }
