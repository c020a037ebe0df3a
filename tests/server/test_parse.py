"""Parse jobs over real HTTP: create, get with expand text/markdown, list, cancel/delete, and an extract on the pjb- ID."""

from __future__ import annotations

import httpx

from lib.engine.documents import load_document, page_markdown
from tests.server.helpers import create_job, upload, wait_status


def test_parse_then_extract_on_the_parse(client: httpx.Client, invoice, invoice_file) -> None:
    created = client.post("/api/v2/parse", json={"file_id": invoice_file["id"], "tier": "fast", "version": "latest"})
    assert created.status_code == 200, created.text
    job = created.json()
    assert job["id"].startswith("pjb-") and job["status"] == "PENDING" and job["tier"] == "fast"
    done = wait_status(client, f"/api/v2/parse/{job['id']}")
    assert done["job"]["status"] == "COMPLETED" and done.get("text") is None  # content only when expanded

    body = client.get(f"/api/v2/parse/{job['id']}", params={"expand": ["text", "markdown"]}).json()
    document = load_document(invoice.data, invoice.filename)
    assert [p["text"] for p in body["text"]["pages"]] == [page.text for page in document.pages]
    assert body["markdown"]["pages"][0] == {"page_number": 1, "markdown": page_markdown(document.pages[0]), "success": True}
    assert invoice.expected["invoice_number"] in body["text"]["pages"][0]["text"]

    extract = create_job(client, job["id"], schema=invoice.schema)
    assert extract["file_input"] == job["id"]
    result = wait_status(client, f"/api/v2/extract/{extract['id']}")
    assert result["status"] == "COMPLETED", result["error_message"]
    assert result["extract_result"]["invoice_number"] == invoice.expected["invoice_number"]
    by_type = client.get("/api/v2/extract", params={"document_input_type": "parse_job_id"}).json()
    assert extract["id"] in [j["id"] for j in by_type["items"]]

    listed = client.get("/api/v2/parse", params={"job_ids": [job["id"]]}).json()
    assert [j["id"] for j in listed["items"]] == [job["id"]]
    assert client.post(f"/api/v2/parse/{job['id']}/cancel").status_code == 409
    assert client.delete(f"/api/v2/parse/{job['id']}").json() == {"id": job["id"], "project_id": job["project_id"]}
    assert client.get(f"/api/v2/parse/{job['id']}").status_code == 404


def test_parse_errors(client: httpx.Client, slow_document) -> None:
    assert client.post("/api/v2/parse", json={"file_id": "dfl-missing", "tier": "fast"}).status_code == 404
    assert client.post("/api/v2/parse", json={"tier": "fast"}).status_code == 422
    f = upload(client, b"Total: 1", "t.txt")
    url = client.post("/api/v2/parse", json={"file_id": f["id"], "source_url": "https://example.com/x.pdf"})
    assert url.status_code == 400 and "source_url" in url.json()["detail"]
    slow = upload(client, slow_document.data, slow_document.filename)
    unfinished = client.post("/api/v2/parse", json={"file_id": slow["id"], "tier": "fast"}).json()
    early = client.post("/api/v2/extract", json={"file_input": unfinished["id"], "configuration": {
        "data_schema": {"type": "object", "properties": {"total": {"type": "number"}}}}})
    assert early.status_code == 400 and "COMPLETED" in early.json()["detail"]
    assert client.post(f"/api/v2/parse/{unfinished['id']}/cancel").json()["status"] == "CANCELLED"
    cancelled = client.post("/api/v2/extract", json={"file_input": unfinished["id"], "configuration": {
        "data_schema": {"type": "object", "properties": {"total": {"type": "number"}}}}})
    assert cancelled.status_code == 400 and "CANCELLED" in cancelled.json()["detail"]
    assert client.get("/api/v2/parse/pjb-missing").status_code == 404
    for ranges in ({"max_pages": "two"}, {"max_pages": 0}, {"target_pages": [1, 2]}, "1-2", {"target_pages": "2-1"}):
        bad = client.post("/api/v2/parse", json={"file_id": f["id"], "tier": "fast", "page_ranges": ranges})
        assert bad.status_code == 400 and "page_ranges" in bad.json()["detail"], ranges


def test_upload_endpoint_parses_with_page_ranges(client: httpx.Client) -> None:
    pages = "\n".join(f"Line {i}" for i in range(400)).encode()
    created = client.post("/api/v2/parse/upload", files={"file": ("long.txt", pages)},
                          data={"configuration": '{"tier": "fast", "version": "latest", "page_ranges": {"max_pages": 1}}'})
    assert created.status_code == 200, created.text
    done = wait_status(client, f"/api/v2/parse/{created.json()['id']}", params={"expand": "text"})
    assert done["job"]["status"] == "COMPLETED"
    assert [p["page_number"] for p in done["text"]["pages"]] == [1]
    bad = client.post("/api/v2/parse/upload", files={"file": ("x.txt", b"x")}, data={"configuration": "{nope"})
    assert bad.status_code == 400
