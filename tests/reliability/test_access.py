"""Access, beyond tests/server/test_auth.py: every operation the server documents (read from its
own /openapi.json, so a new endpoint is covered without editing this file) refuses a missing or
wrong key with 401, including near-misses of the real key and bytes that are not ASCII; docs are
open only when configured public; content URLs are credentials for one file only (not another's,
not altered, not expired); neither the key nor a wrong key ever reaches the log; uploaded file
names never reach the filesystem (path traversal, absolute paths, NUL, control characters,
10,000-character names). The key check itself is ``hmac.compare_digest`` (lib/server/app.py,
``BearerAuth``): constant time is a property of that call, and these tests pin its behaviour."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from tests.server.helpers import TEXT_DOC, upload
from tests.support.server import RunningServer, start_server

KEY = "rel-key-Zq8w2Jx5Lm9Tb4Hc"
WRONG_KEYS = [KEY[:-1], KEY + "x", KEY.upper(), "x" + KEY[1:], KEY[:8], " " + KEY + "x", "wrong-but-long-" * 20]
OPEN_PATHS = {"/health", "/content/{token}"}  # liveness, and signed URLs (the token is the credential)
DOC_PATHS = {"/openapi.json", "/docs", "/redoc"}
DUMMY_IDS = {"file_id": "dfl-00000000-0000-4000-8000-000000000000", "job_id": "ext-00000000-0000-4000-8000-000000000000",
             "config_id": "cfg-00000000-0000-4000-8000-000000000000", "token": "x.1.y"}


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    env = {"EXTRACT_SERVER_API_KEY": KEY}  # by environment, so the key is not on a command line either
    with start_server(tmp_path_factory.mktemp("access") / "data", extra_env=env) as server:
        server.api_key = KEY
        yield server


@pytest.fixture(scope="module")
def operations(secured: RunningServer) -> list[tuple[str, str]]:
    with secured.client() as http:
        spec = http.get("/openapi.json").json()
    found = [(method.upper(), _fill(path)) for path, item in spec["paths"].items() if path not in OPEN_PATHS
             for method in item if method in {"get", "post", "put", "patch", "delete"}]
    assert len(found) >= 20, found  # the whole surface, not a handful
    return found


def _fill(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: DUMMY_IDS.get(m.group(1), "x"), path)


def test_every_documented_operation_refuses_missing_and_wrong_keys(secured: RunningServer,
                                                                   operations: list[tuple[str, str]]) -> None:
    variants = [{}, {"Authorization": ""}, {"Authorization": "Bearer"}, {"Authorization": f"Token {KEY}"},
                {"X-API-Key": KEY}, *({"Authorization": f"Bearer {wrong}"} for wrong in WRONG_KEYS)]
    with httpx.Client(base_url=secured.url, timeout=30) as http:
        for method, path in [*operations, *(("GET", p) for p in DOC_PATHS), ("GET", "/no/such/path")]:
            for headers in variants:
                response = http.request(method, path, headers=headers)
                assert response.status_code == 401, (method, path, headers, response.status_code)
                assert response.headers["www-authenticate"] == "Bearer"
            raw = http.request(method, path, headers=[(b"Authorization", b"Bearer \xff\xfe" + KEY.encode())])
            assert raw.status_code == 401, (method, path)  # bytes that are not ASCII: refused, not a 500
    with secured.client() as http:  # and the right key gets through (404 for the dummy IDs, not 401)
        for method, path in operations:
            assert http.request(method, path).status_code != 401, (method, path)


def test_docs_are_open_only_when_configured_public(tmp_path_factory: pytest.TempPathFactory) -> None:
    env = {"EXTRACT_SERVER_API_KEY": KEY, "EXTRACT_SERVER_PUBLIC_DOCS": "1"}
    with start_server(tmp_path_factory.mktemp("access-docs") / "data", extra_env=env) as server:
        assert httpx.get(server.url + "/openapi.json").status_code == 200
        assert httpx.get(server.url + "/docs").status_code == 200
        assert httpx.get(server.url + "/api/v2/extract").status_code == 401
        assert httpx.get(server.url + "/api/v1/beta/files").status_code == 401


def _content_url(http: httpx.Client, file_id: str, ttl: int | None = None) -> str:
    params = {"expires_at_seconds": ttl} if ttl else None
    return http.get(f"/api/v1/beta/files/{file_id}/content", params=params).json()["url"]


def test_a_content_url_opens_its_own_file_and_nothing_else(secured: RunningServer) -> None:
    with secured.client() as http:
        a = upload(http, b"file A bytes", "a.txt")
        b = upload(http, b"file B bytes", "b.txt")
        url_a, url_b = _content_url(http, a["id"]), _content_url(http, b["id"])
        short = _content_url(http, a["id"], ttl=1)
    assert httpx.get(url_a).content == b"file A bytes" and httpx.get(url_b).content == b"file B bytes"
    token_a, token_b = url_a.rsplit("/", 1)[1], url_b.rsplit("/", 1)[1]
    id_a, expiry_a, sig_a = token_a.split(".")
    id_b, expiry_b, sig_b = token_b.split(".")
    base = url_a.rsplit("/", 1)[0]
    forged = [
        f"{id_b}.{expiry_a}.{sig_a}",  # A's signature on B's ID
        f"{id_a}.{int(expiry_a) + 3600}.{sig_a}",  # a longer life
        f"{id_a}.{expiry_a}.{sig_a[:-2]}AA",  # an altered signature
        f"{id_a}.{expiry_a}.{sig_b}",  # B's signature on A
        f"{id_a}.{expiry_a}",  # no signature
        f"{id_a}.{expiry_a}.{sig_a}.extra",
        f"../files/{id_a}",
        f"{id_a}.{expiry_a}.{sig_a[:-1]}\u00e9",  # text that is not ASCII: refused, not a 500
        f"\u00e9.{expiry_a}.{sig_a}",
    ]
    for token in forged:
        response = httpx.get(f"{base}/{token}")
        assert response.status_code in (401, 403, 404), (token, response.status_code)  # 401: left /content/
        assert b"file A" not in response.content and b"file B" not in response.content
    assert sig_a != sig_b and id_a != id_b  # nothing shared to derive one from the other
    time.sleep(2.1)
    expired = httpx.get(short)
    assert expired.status_code == 403 and "expired" in expired.json()["detail"]


def test_neither_the_key_nor_wrong_keys_reach_the_log(secured: RunningServer) -> None:
    with secured.client() as http:
        upload(http, TEXT_DOC, "log.txt")
        http.get("/api/v2/extract/ext-missing")
        http.post("/api/v2/extract", json={"file_input": "dfl-nope", "configuration": {"data_schema": {}}})
    for wrong in WRONG_KEYS:
        httpx.get(secured.url + "/api/v2/extract", headers={"Authorization": f"Bearer {wrong}"})
    log = secured.log_path.read_text(errors="replace")
    assert "/api/v2/extract" in log or "listening" in log  # the log is the server's and has content
    assert KEY not in log and KEY[:12] not in log
    for wrong in WRONG_KEYS:
        assert wrong.strip() not in log


HOSTILE_NAMES = [
    "../../etc/passwd",
    "../../../../../../tmp/evil.txt",
    "/etc/passwd",
    "/tmp/absolute.txt",
    "..\\..\\windows\\system32\\config.txt",
    "a\x00b.txt",
    "line\r\nX-Injected: 1.txt",
    "\u202eexe.txt",
    "..",
    ".",
    "." * 300,
    "x" * 10_000 + ".txt",
    "files/../server.db",
]


def _multipart(filename: bytes, data: bytes) -> tuple[bytes, str]:
    """A hand-written multipart body, so the file name's bytes reach the server exactly as given."""
    boundary = "accessboundary42"
    body = (b"--" + boundary.encode() + b'\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nextract\r\n'
            b"--" + boundary.encode() + b'\r\nContent-Disposition: form-data; name="file"; filename="' + filename
            + b'"\r\nContent-Type: text/plain\r\n\r\n' + data + b"\r\n--" + boundary.encode() + b"--\r\n")
    return body, f"multipart/form-data; boundary={boundary}"


def _tree(root: Path) -> set[Path]:
    return {path for path in root.rglob("*")}


def test_uploaded_names_never_reach_the_filesystem(secured: RunningServer) -> None:
    root = secured.data_dir.parent  # the test's own temporary directory: nothing may appear beside the data dir
    outside_before = _tree(root) - _tree(secured.data_dir)
    stored_names = []
    with secured.client() as http:
        for name in HOSTILE_NAMES:
            body, content_type = _multipart(name.replace('"', "").encode("utf-8"), b"payload for " + name[:20].encode())
            response = http.post("/api/v1/beta/files", content=body, headers={"content-type": content_type})
            assert response.status_code in (200, 400), (name[:40], response.status_code, response.text[:200])
            if response.status_code == 400:  # refused with a reason (the 10,000-character name: headers over 4 KB)
                assert "file name" in response.json()["detail"], response.json()
            if response.status_code == 200:
                record = response.json()
                stored_names.append(record["name"])
                download = httpx.get(_content_url(http, record["id"]))
                assert download.status_code == 200 and download.content.startswith(b"payload for ")
                assert "\r" not in download.headers["content-disposition"]
                assert "\n" not in download.headers["content-disposition"]
    for stored in stored_names:
        assert "/" not in stored and "\\" not in stored and "\x00" not in stored, stored
        assert all(ch.isprintable() for ch in stored) and not stored.startswith("."), stored
        assert 0 < len(stored) <= 200
    assert (_tree(root) - _tree(secured.data_dir)) - outside_before <= {secured.log_path}
    assert not Path("/tmp/evil.txt").exists() and not Path("/tmp/absolute.txt").exists()
    stored_files = {p.name for p in (secured.data_dir / "files").iterdir()}
    assert all(re.fullmatch(r"dfl-[0-9a-f-]{36}", name) for name in stored_files), stored_files
    assert (secured.data_dir / "server.db").stat().st_size > 0  # "files/../server.db" did not overwrite it
    with secured.client() as http:
        assert http.get("/health").status_code == 200
        assert http.get("/api/v1/beta/files").status_code == 200
    assert urlsplit(secured.url).hostname == "127.0.0.1"
