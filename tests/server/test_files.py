"""Files over real HTTP: upload, get, list (paging, order, filters), delete, signed content URLs."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from datetime import datetime

import httpx

from lib.server.routes.files import sanitize_filename
from tests.server.helpers import upload


def test_upload_get_and_download(client: httpx.Client, invoice) -> None:
    created = upload(client, invoice.data, invoice.filename, external_file_id="ext-42")
    assert created["id"].startswith("dfl-")
    assert created["name"] == invoice.filename
    assert created["file_type"] == "pdf" and created["purpose"] == "extract"
    assert created["external_file_id"] == "ext-42" and created["project_id"].startswith("prj-")
    assert client.get(f"/api/v1/beta/files/{created['id']}").json()["file_size"] == len(invoice.data)

    content = client.get(f"/api/v1/beta/files/{created['id']}/content").json()
    assert set(content) >= {"url", "expires_at"}
    downloaded = httpx.get(content["url"])  # no bearer header: the signed URL is the credential
    assert downloaded.status_code == 200
    assert hashlib.sha256(downloaded.content).digest() == hashlib.sha256(invoice.data).digest()
    assert downloaded.headers["content-disposition"].startswith("attachment")

    expanded = client.get(f"/api/v1/beta/files/{created['id']}", params={"expand": "download_url"}).json()
    assert httpx.get(expanded["download_url"]["url"]).content == invoice.data


def test_content_urls_cannot_be_forged_or_reused_for_another_file(client: httpx.Client) -> None:
    a = upload(client, b"first file", "a.txt")
    b = upload(client, b"second file", "b.txt")
    url_a = client.get(f"/api/v1/beta/files/{a['id']}/content").json()["url"]
    file_id, expiry, signature = url_a.rsplit("/", 1)[1].split(".")
    base = url_a.rsplit("/", 1)[0]
    assert httpx.get(f"{base}/{b['id']}.{expiry}.{signature}").status_code == 403
    assert httpx.get(f"{base}/{file_id}.{int(expiry) + 1}.{signature}").status_code == 403
    assert httpx.get(f"{base}/garbage").status_code == 403
    assert httpx.get(url_a).status_code == 200
    url_b = client.get(f"/api/v1/beta/files/{b['id']}/content").json()["url"]
    assert url_b.rsplit(".", 1)[1] != signature


def test_expired_content_url_is_refused(client: httpx.Client) -> None:
    f = upload(client, b"short lived", "s.txt")
    response = client.get(f"/api/v1/beta/files/{f['id']}/content", params={"expires_at_seconds": 1}).json()
    expiry = int(response["url"].rsplit("/", 1)[1].split(".")[1])
    assert abs(expiry - datetime.fromisoformat(response["expires_at"]).timestamp()) < 1
    time.sleep(max(0.0, expiry - time.time()) + 1.1)
    assert httpx.get(response["url"]).status_code == 403
    assert client.get(f"/api/v1/beta/files/{f['id']}/content", params={"expires_at_seconds": 0}).status_code == 400


def test_list_paging_order_and_filters(client: httpx.Client) -> None:
    tag = os.urandom(4).hex()
    ids = [upload(client, f"file {i}".encode(), f"{tag}-{i}.txt", external_file_id=f"{tag}-{i % 2}")["id"] for i in range(5)]
    seen: list[str] = []
    token = None
    while True:
        params = {"page_size": 2, "file_ids": ids}
        if token:
            params["page_token"] = token
        page = client.get("/api/v1/beta/files", params=params).json()
        assert page["total_size"] == 5
        seen += [item["id"] for item in page["items"]]
        token = page["next_page_token"]
        if not token:
            break
    assert seen == list(reversed(ids))  # newest first, no duplicates, nothing skipped

    by_name = client.get("/api/v1/beta/files", params={"file_ids": ids, "order_by": "name", "page_size": 3}).json()
    rest = client.get("/api/v1/beta/files", params={"file_ids": ids, "order_by": "name",
                                                    "page_token": by_name["next_page_token"]}).json()
    names = [f["name"] for f in by_name["items"] + rest["items"]]
    assert names == sorted(names) and len(names) == 5

    odd = client.get("/api/v1/beta/files", params={"external_file_id": f"{tag}-1"}).json()
    assert {f["id"] for f in odd["items"]} == {ids[1], ids[3]}
    named = client.get("/api/v1/beta/files", params={"file_name": f"{tag}-4.txt"}).json()
    assert [f["id"] for f in named["items"]] == [ids[4]]

    assert client.get("/api/v1/beta/files", params={"order_by": "size"}).status_code == 400
    bad_token = client.get("/api/v1/beta/files", params={"page_token": "not-a-token"})
    assert bad_token.status_code == 400 and "page_token" in bad_token.json()["detail"]
    assert client.get("/api/v1/beta/files", params={"page_size": 0}).status_code == 422


def test_delete_and_unknown_ids(client: httpx.Client) -> None:
    f = upload(client, b"to delete", "d.txt")
    assert client.delete(f"/api/v1/beta/files/{f['id']}").status_code == 204
    for method, path in [("GET", f"/api/v1/beta/files/{f['id']}"), ("DELETE", f"/api/v1/beta/files/{f['id']}"),
                         ("GET", f"/api/v1/beta/files/{f['id']}/content"), ("GET", "/api/v1/beta/files/dfl-nope")]:
        response = client.request(method, path)
        assert response.status_code == 404, (method, path)
        assert "No file" in response.json()["detail"]


def test_bad_uploads_get_clear_errors(client: httpx.Client) -> None:
    empty = client.post("/api/v1/beta/files", files={"file": ("e.pdf", b"")}, data={"purpose": "extract"})
    assert empty.status_code == 400 and "empty" in empty.json()["detail"]
    purpose = client.post("/api/v1/beta/files", files={"file": ("x.txt", b"x")}, data={"purpose": "nonsense"})
    assert purpose.status_code == 400 and "purpose" in purpose.json()["detail"]
    missing = client.post("/api/v1/beta/files", data={"purpose": "extract"})
    assert missing.status_code == 422 and isinstance(missing.json()["detail"], list)


def test_file_names_are_sanitised(client: httpx.Client, api_server) -> None:
    hostile = "../../etc/passwd.pdf"
    f = upload(client, b"%PDF-1.4 not really", hostile)
    assert f["name"] == "passwd.pdf"
    stored = list((api_server.data_dir / "files").iterdir())
    assert all(p.name.startswith("dfl-") for p in stored)
    assert not (api_server.data_dir.parent / "etc").exists()


def test_sanitize_filename_rules() -> None:
    assert sanitize_filename("C:\\Users\\me\\report.docx") == "report.docx"
    assert sanitize_filename("..") == "upload"
    assert sanitize_filename(".hidden") == "hidden"
    assert sanitize_filename('a<b>c:"d|e?f*.txt') == "abcdef.txt"
    long = sanitize_filename("x" * 500 + ".pdf")
    assert len(long) == 200 and long.endswith(".pdf")
    assert sanitize_filename(None) == "upload"
    assert sanitize_filename("bad\x00name\x1b.pdf") == "badname.pdf"


def test_hostile_query_values_are_400_not_500(client: httpx.Client) -> None:
    too_many = client.get("/api/v1/beta/files", params={"file_ids": [f"dfl-{i}" for i in range(1001)]})
    assert too_many.status_code == 400 and "At most 1000" in too_many.json()["detail"]
    huge = base64.urlsafe_b64encode(json.dumps({"o": "created_at", "k": [10**30]}).encode()).decode()
    assert client.get("/api/v1/beta/files", params={"page_token": huge}).status_code == 400
    early = client.get("/api/v2/extract", params={"created_at_on_or_after": "0001-01-01T00:00:00+05:00"})
    assert early.status_code == 400
    assert httpx.get(client.base_url.join("/content/dfl-x.²³.sig")).status_code == 403
