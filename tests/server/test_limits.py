"""Limits: 413 for an oversized upload, 429 when the queue is full, and a job over its time or
memory limit FAILED (its worker killed) while the server keeps answering."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.server.helpers import TEXT_DOC, create_job, upload, wait_job
from tests.support.server import RunningServer, start_server


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    env = {"EXTRACT_SERVER_MAX_FILE_MB": "1", "EXTRACT_SERVER_MAX_QUEUE": "2", "EXTRACT_SERVER_JOB_TIMEOUT_S": "1.5"}
    server = start_server(tmp_path_factory.mktemp("limits") / "data", workers=1, extra_env=env)
    try:
        yield server
    finally:
        server.stop()


def test_oversized_upload_is_413(limited: RunningServer) -> None:
    with limited.client() as http:
        big = b"x" * (1024 * 1024 + 10)
        response = http.post("/api/v1/beta/files", files={"file": ("big.txt", big)}, data={"purpose": "extract"})
        assert response.status_code == 413 and "1 MB" in response.json()["detail"]
        huge = http.post("/api/v1/beta/files", files={"file": ("huge.txt", b"y" * (3 * 1024 * 1024))},
                         data={"purpose": "extract"})
        assert huge.status_code == 413
        assert list((limited.data_dir / "tmp").iterdir()) == []  # nothing half-written left behind
        assert http.get("/api/v1/beta/files").json()["items"] == []
        assert upload(http, b"small enough", "ok.txt")["file_size"] == 12


def test_queue_full_is_429_and_time_limit_fails_the_job(limited: RunningServer, slow_document) -> None:
    with limited.client() as http:
        assert len(slow_document.data) < 1024 * 1024  # under this server's upload limit
        f = upload(http, slow_document.data, slow_document.filename)
        body = {"file_input": f["id"], "configuration": {"data_schema": slow_document.schema}}
        responses = [http.post("/api/v2/extract", json=body) for _ in range(5)]
        codes = [r.status_code for r in responses]
        assert 429 in codes, codes
        refused = next(r for r in responses if r.status_code == 429)
        assert "queue is full" in refused.json()["detail"] and refused.headers["retry-after"]
        accepted = [r.json()["id"] for r in responses if r.status_code == 200]
        assert len(accepted) <= 3  # one running + a queue of two
        first = wait_job(http, accepted[0])
        assert first["status"] == "FAILED" and "longer than 1.5 s" in first["error_message"]
        for job_id in accepted[1:]:
            assert wait_job(http, job_id)["status"] in ("FAILED", "CANCELLED")
        after = wait_job(http, create_job(http, upload(http, TEXT_DOC, "after.txt")["id"])["id"])
        assert after["status"] == "COMPLETED", after["error_message"]


def test_memory_limit_kills_the_worker_not_the_server(tmp_path_factory: pytest.TempPathFactory, slow_document) -> None:
    """64 MB is below what a worker holding the engine needs, so the job is stopped at its first check."""
    env = {"EXTRACT_SERVER_WORKER_MEMORY_MB": "64"}
    with start_server(tmp_path_factory.mktemp("memory") / "data", workers=1, extra_env=env) as server:
        with server.client() as http:
            f = upload(http, slow_document.data, slow_document.filename)
            job = wait_job(http, create_job(http, f["id"], schema=slow_document.schema)["id"])
            assert job["status"] == "FAILED" and "more than 64 MB" in job["error_message"]
            assert http.get("/health").status_code == 200
