"""Extract jobs over real HTTP: lifecycle, expand, list filters and paging, cancel, delete, errors."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import httpx

from lib.engine import extract_file
from lib.samples.hostile import encrypted_pdf, truncated_pdf
from tests.server.helpers import TEXT_DOC, TEXT_SCHEMA, create_job, upload, wait_job


def _given(configuration: dict) -> dict:
    """The fields a configuration was given with (the response fills the others with null)."""
    return {key: value for key, value in configuration.items() if value is not None}


def test_lifecycle_and_result_match_the_engine(client: httpx.Client, invoice, invoice_file) -> None:
    configuration = {"data_schema": invoice.schema, "extraction_target": "per_doc", "tier": "cost_effective"}
    job = create_job(client, invoice_file["id"], configuration=configuration)
    assert job["id"].startswith("ext-") and job["status"] == "PENDING"
    assert _given(job["configuration"]) == configuration  # stored and returned as given
    statuses = [job["status"]]
    while statuses[-1] not in ("COMPLETED", "FAILED"):
        current = client.get(f"/api/v2/extract/{job['id']}").json()
        if current["status"] != statuses[-1]:
            statuses.append(current["status"])
        time.sleep(0.02)
    assert statuses[-1] == "COMPLETED", current["error_message"]
    assert set(statuses) <= {"PENDING", "RUNNING", "COMPLETED"} and statuses.index("COMPLETED") == len(statuses) - 1
    assert current["updated_at"] > job["updated_at"]
    expected = extract_file(invoice.data, invoice.filename, configuration).extract_result
    assert current["extract_result"] == expected
    assert current["extract_result"]["invoice_number"] == invoice.expected["invoice_number"]


def test_expand(client: httpx.Client, invoice, invoice_file) -> None:
    job = wait_job(client, create_job(client, invoice_file["id"], schema=invoice.schema)["id"])
    plain = client.get(f"/api/v2/extract/{job['id']}").json()
    assert plain["extract_result"] and plain.get("configuration") is None
    assert plain.get("extract_metadata") is None and plain.get("metadata") is None
    full = client.get(f"/api/v2/extract/{job['id']}", params={"expand": ["configuration", "extract_metadata", "usage"]}).json()
    assert _given(full["configuration"]) == {"data_schema": invoice.schema}
    assert "invoice_number" in full["extract_metadata"]["field_metadata"]["document_metadata"]
    assert full["metadata"]["usage"]["num_pages_extracted"] == 1
    comma = client.get(f"/api/v2/extract/{job['id']}", params={"expand": "configuration,usage"}).json()
    assert comma["configuration"] and comma["metadata"] and comma.get("extract_metadata") is None
    cited = wait_job(client, create_job(client, invoice_file["id"], configuration={
        "data_schema": invoice.schema, "cite_sources": True})["id"])
    assert cited["extract_metadata"]["field_metadata"]["document_metadata"]  # auto-included when asked for


def test_unreadable_document_fails_with_a_message(client: httpx.Client) -> None:
    truncated = wait_job(client, create_job(client, upload(client, truncated_pdf(), "broken.pdf")["id"])["id"])
    assert truncated["status"] == "FAILED" and truncated["extract_result"] is None
    assert "damaged or truncated" in truncated["error_message"]
    locked = wait_job(client, create_job(client, upload(client, encrypted_pdf(), "locked.pdf")["id"])["id"])
    assert locked["status"] == "FAILED" and "password" in locked["error_message"]


def test_bad_requests(client: httpx.Client, invoice_file) -> None:
    fid = invoice_file["id"]
    both = client.post("/api/v2/extract", json={"file_input": fid, "configuration": {"data_schema": TEXT_SCHEMA},
                                                "configuration_id": "cfg-x"})
    assert both.status_code == 400 and "exactly one" in both.json()["detail"]
    assert client.post("/api/v2/extract", json={"file_input": fid}).status_code == 400
    unknown = client.post("/api/v2/extract", json={"file_input": "dfl-00000000-0000-4000-8000-000000000000",
                                                   "configuration": {"data_schema": TEXT_SCHEMA}})
    assert unknown.status_code == 404
    prefix = client.post("/api/v2/extract", json={"file_input": "abc", "configuration": {"data_schema": TEXT_SCHEMA}})
    assert prefix.status_code == 400 and "dfl-" in prefix.json()["detail"]
    schema = client.post("/api/v2/extract", json={"file_input": fid, "configuration": {"data_schema": {
        "type": "object", "properties": {"x": {"type": "object", "properties": {"y": {"type": "date"}}}}}}})
    assert schema.status_code == 400 and "/properties/x/properties/y" in schema.json()["detail"]
    assert client.post("/api/v2/extract", json={"file_input": fid, "configuration": {}}).status_code == 422
    assert client.post("/api/v2/extract", content=b"{not json", headers={"content-type": "application/json"}).status_code == 422
    assert client.post("/api/v2/extract", json={"file_input": fid, "configuration_id": "cfg-missing"}).status_code == 404
    for missing in ("/api/v2/extract/ext-missing", "/api/v2/extract/ext-missing/cancel"):
        method = "POST" if missing.endswith("cancel") else "GET"
        assert client.request(method, missing).status_code == 404
    assert client.delete("/api/v2/extract/ext-missing").status_code == 404


def test_a_page_selection_no_document_could_satisfy_is_refused_up_front(client: httpx.Client, invoice_file) -> None:
    before = client.get("/api/v2/extract", params={"page_size": 1000}).json()["items"]
    for options, said in (({"target_pages": "1,a"}, "item 'a' is not a page number or range"),
                          ({"target_pages": "0-2"}, "contains page 0"),
                          ({"target_pages": "7-5"}, "reversed"),
                          ({"target_pages": "1,,2"}, "empty item"),
                          ({"max_pages": 0}, "max_pages must be a whole number of at least 1")):
        answer = client.post("/api/v2/extract", json={"file_input": invoice_file["id"],
                                                      "configuration": {"data_schema": TEXT_SCHEMA, **options}})
        assert answer.status_code == 400 and said in answer.json()["detail"], answer.text
    assert client.get("/api/v2/extract", params={"page_size": 1000}).json()["items"] == before, "no job was made"
    beyond = wait_job(client, create_job(client, invoice_file["id"], configuration={"data_schema": TEXT_SCHEMA,
                                                                                   "target_pages": "9"})["id"])
    assert beyond["status"] == "FAILED" and "page 9 requested but the document has 1 page" in beyond["error_message"]


def test_list_filters_and_paging(client: httpx.Client) -> None:
    f1 = upload(client, TEXT_DOC, "a.txt")
    f2 = upload(client, TEXT_DOC, "b.txt")
    before = datetime.now(timezone.utc) - timedelta(seconds=1)
    jobs = [create_job(client, f1["id"]) for _ in range(3)] + [create_job(client, f2["id"]) for _ in range(2)]
    for job in jobs:
        wait_job(client, job["id"])
    ids = [job["id"] for job in jobs]

    pages, token = [], None
    while True:
        params = {"page_size": 2, "job_ids": ids, **({"page_token": token} if token else {})}
        page = client.get("/api/v2/extract", params=params).json()
        pages.append([item["id"] for item in page["items"]])
        token = page["next_page_token"]
        if not token:
            break
    assert [len(p) for p in pages] == [2, 2, 1]
    assert sum(pages, []) == list(reversed(ids))

    by_file = client.get("/api/v2/extract", params={"file_input": f2["id"]}).json()
    assert [j["id"] for j in by_file["items"]] == list(reversed(ids[3:]))
    legacy = client.get("/api/v2/extract", params={"document_input_value": f2["id"]}).json()
    assert [j["id"] for j in legacy["items"]] == list(reversed(ids[3:]))
    completed = client.get("/api/v2/extract", params={"status": "COMPLETED", "job_ids": ids}).json()
    assert len(completed["items"]) == 5
    assert client.get("/api/v2/extract", params={"status": "FAILED", "job_ids": ids}).json()["items"] == []
    assert client.get("/api/v2/extract", params={"status": "THROTTLED"}).json()["items"] == []
    assert client.get("/api/v2/extract", params={"status": "BOGUS"}).status_code == 422
    window = client.get("/api/v2/extract", params={"created_at_on_or_after": before.isoformat(), "job_ids": ids}).json()
    assert len(window["items"]) == 5
    later = client.get("/api/v2/extract", params={"created_at_on_or_before": before.isoformat(), "job_ids": ids}).json()
    assert later["items"] == []
    parse_inputs = client.get("/api/v2/extract", params={"document_input_type": "parse_job_id", "job_ids": ids}).json()
    assert parse_inputs["items"] == []
    expanded = client.get("/api/v2/extract", params={"job_ids": ids[:1], "expand": "configuration"}).json()
    assert _given(expanded["items"][0]["configuration"]) == {"data_schema": TEXT_SCHEMA}


def test_cancel_running_job_stops_its_worker(client: httpx.Client, api_server, slow_document) -> None:
    f = upload(client, slow_document.data, slow_document.filename)
    job = create_job(client, f["id"], schema=slow_document.schema)
    running = wait_job(client, job["id"], ["RUNNING", "COMPLETED", "FAILED"])
    assert running["status"] == "RUNNING"
    workers_before = api_server.descendants()
    cancelled = client.post(f"/api/v2/extract/{job['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "CANCELLED"
    deadline = time.monotonic() + 10
    while not (workers_before - api_server.descendants()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert workers_before - api_server.descendants(), "the worker running the job was not stopped"
    again = client.post(f"/api/v2/extract/{job['id']}/cancel")
    assert again.status_code == 409 and "CANCELLED" in again.json()["detail"]
    time.sleep(0.5)
    assert client.get(f"/api/v2/extract/{job['id']}").json()["status"] == "CANCELLED"
    # the pool replaced the worker: the next job still runs
    assert wait_job(client, create_job(client, upload(client, TEXT_DOC, "n.txt")["id"])["id"])["status"] == "COMPLETED"


def test_cancel_pending_and_delete_rules(client: httpx.Client, slow_document) -> None:
    f = upload(client, slow_document.data, slow_document.filename)
    jobs = [create_job(client, f["id"], schema=slow_document.schema) for _ in range(3)]
    pending = jobs[-1]
    blocked = client.delete(f"/api/v2/extract/{pending['id']}")
    assert blocked.status_code == 409 and "force" in blocked.json()["detail"]
    assert client.delete(f"/api/v1/beta/files/{f['id']}").status_code == 409  # a job still needs it
    assert client.post(f"/api/v2/extract/{pending['id']}/cancel").json()["status"] == "CANCELLED"
    assert client.delete(f"/api/v2/extract/{pending['id']}").status_code == 200
    assert client.get(f"/api/v2/extract/{pending['id']}").status_code == 404
    wait_job(client, jobs[0]["id"], ["RUNNING", "COMPLETED", "FAILED"])
    forced = client.delete(f"/api/v2/extract/{jobs[0]['id']}", params={"force": True})
    assert forced.status_code == 200 and forced.json()["id"] == jobs[0]["id"]
    assert client.get(f"/api/v2/extract/{jobs[0]['id']}").status_code == 404
    client.post(f"/api/v2/extract/{jobs[1]['id']}/cancel")
    assert wait_job(client, jobs[1]["id"])["status"] == "CANCELLED"
    assert client.delete(f"/api/v1/beta/files/{f['id']}").status_code == 204


def test_per_page_target_returns_a_list(client: httpx.Client, invoice, invoice_file) -> None:
    configuration = {"data_schema": invoice.schema, "extraction_target": "per_page", "confidence_scores": True}
    job = wait_job(client, create_job(client, invoice_file["id"], configuration=configuration)["id"])
    assert job["status"] == "COMPLETED", job["error_message"]
    assert job["extract_result"] == extract_file(invoice.data, invoice.filename, configuration).extract_result
    assert isinstance(job["extract_result"], list) and len(job["extract_result"]) == 1
    assert len(job["extract_metadata"]["field_metadata"]["page_metadata"]) == 1
