"""Auth on: every endpoint refuses a missing or wrong key (401); health and signed content URLs stay open."""

from __future__ import annotations

from typing import Iterator

import httpx
import pytest
from llama_cloud import AuthenticationError, LlamaCloud

from tests.server.helpers import TEXT_DOC, TEXT_SCHEMA, wait_job
from tests.support.server import RunningServer, start_server

KEY = "test-key-0123456789"

PROTECTED = [
    ("GET", "/api/v1/beta/files"),
    ("POST", "/api/v1/beta/files"),
    ("GET", "/api/v1/beta/files/dfl-x"),
    ("DELETE", "/api/v1/beta/files/dfl-x"),
    ("GET", "/api/v1/beta/files/dfl-x/content"),
    ("POST", "/api/v2/extract"),
    ("GET", "/api/v2/extract"),
    ("GET", "/api/v2/extract/ext-x"),
    ("POST", "/api/v2/extract/ext-x/cancel"),
    ("DELETE", "/api/v2/extract/ext-x"),
    ("POST", "/api/v2/extract/schema/validation"),
    ("POST", "/api/v2/extract/schema/generate"),
    ("GET", "/api/v1/beta/configurations"),
    ("POST", "/api/v1/beta/configurations"),
    ("PUT", "/api/v1/beta/configurations/cfg-x"),
    ("POST", "/api/v2/parse"),
    ("GET", "/api/v2/parse/pjb-x"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
]


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = start_server(tmp_path_factory.mktemp("auth") / "data", api_key=KEY)
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize("method, path", PROTECTED)
def test_missing_or_wrong_key_is_401(secured: RunningServer, method: str, path: str) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY}, {"Authorization": f"Basic {KEY}"}):
        response = httpx.request(method, secured.url + path, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert "API key" in response.json()["detail"]


def test_right_key_works_and_open_paths_stay_open(secured: RunningServer) -> None:
    assert httpx.get(secured.url + "/health").status_code == 200
    with secured.client() as http:
        assert http.get("/openapi.json").status_code == 200
        created = http.post("/api/v1/beta/files", files={"file": ("k.txt", b"keyed")}, data={"purpose": "user_data"})
        assert created.status_code == 200
        url = http.get(f"/api/v1/beta/files/{created.json()['id']}/content").json()["url"]
    assert httpx.get(url).content == b"keyed"  # signed URL: no bearer needed


def test_key_never_appears_in_the_log(secured: RunningServer) -> None:
    httpx.get(secured.url + "/api/v2/extract", headers={"Authorization": f"Bearer {KEY}"})
    assert KEY not in secured.log_path.read_text()


def test_no_key_refuses_non_loopback_hosts() -> None:
    from lib.server.settings import SettingsError, ServerSettings, check

    with pytest.raises(SettingsError, match="without an API key"):
        check(ServerSettings(host="0.0.0.0"))
    assert check(ServerSettings(host="0.0.0.0", api_key="k")).host == "0.0.0.0"


def test_sdk_with_the_right_and_a_wrong_key(secured: RunningServer) -> None:
    good = LlamaCloud(api_key=KEY, base_url=secured.url, max_retries=0)
    uploaded = good.files.create(file=("t.txt", TEXT_DOC), purpose="extract")
    assert good.files.retrieve(uploaded.id).name == "t.txt"
    with pytest.raises(AuthenticationError):
        LlamaCloud(api_key="wrong", base_url=secured.url, max_retries=0).files.retrieve(uploaded.id)
    job = good.extract.create(file_input=uploaded.id, configuration={"data_schema": TEXT_SCHEMA})
    with secured.client() as http:
        assert wait_job(http, job.id)["status"] == "COMPLETED"
