"""Crash recovery: 20 jobs queued or running, the server SIGKILLed (twice: once with work in
flight, once while it is re-running that work) and started again on the same data directory.
Every job reaches a terminal state, every file (bytes identical) and configuration is still there,
SQLite passes ``PRAGMA integrity_check``, and nothing half-written is left: no temporary files,
every stored file's size and hash match its record, and an upload cut off by the kill leaves no trace."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from lib.samples.hostile import long_single_line
from tests.server.helpers import TERMINAL, TEXT_DOC, TEXT_SCHEMA, upload, wait_job
from tests.support.server import RunningServer, start_server

JOBS = 20
WORKERS = 2
SLOW = 4  # jobs on a 120,000-character line take seconds: still RUNNING or PENDING at the kill
BOUNDARY = "crashboundary0123456789"


@pytest.fixture(scope="module")
def crashed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Set up 20 jobs, kill the server with them in flight, restart, kill again mid-recovery,
    restart; yield what was created and what the server said before each kill."""
    server = start_server(tmp_path_factory.mktemp("crash") / "data", workers=WORKERS)
    try:
        yield _crash_twice(server)
    finally:
        server.stop()


def _crash_twice(server: RunningServer) -> dict[str, Any]:
    slow_data = long_single_line(120_000)
    with server.client() as http:
        slow = upload(http, slow_data, "slow.txt")
        text = upload(http, TEXT_DOC, "crash.txt", external_file_id="kept-1")
        originals = {slow["id"]: slow_data, text["id"]: TEXT_DOC}
        config = http.post("/api/v1/beta/configurations", json={
            "name": "survives a crash", "parameters": {"product_type": "extract_v2", "data_schema": TEXT_SCHEMA,
                                                        "target": "per_doc"}}).json()
        jobs = []
        for i in range(JOBS):
            body: dict[str, Any] = {"file_input": slow["id"] if i < SLOW else text["id"]}
            if i < SLOW:
                body["configuration"] = {"data_schema": TEXT_SCHEMA}
            else:
                body["configuration_id"] = config["id"]
            response = http.post("/api/v2/extract", json=body)
            assert response.status_code == 200, response.text
            jobs.append(response.json()["id"])
        _wait_until_running(http, jobs[0])
        first = _statuses(http, jobs)
        cut_off = _start_cut_off_upload(server)
    server.kill()
    cut_off.join(timeout=10)

    server.start()
    with server.client() as http:
        _wait_until_running(http, jobs[0])
        second = _statuses(http, jobs)
    server.kill()

    server.start()
    with server.client() as http:
        finished = {job_id: wait_job(http, job_id, timeout=180) for job_id in jobs}
        files = {file_id: http.get(f"/api/v1/beta/files/{file_id}").json() for file_id in originals}
        contents = {file_id: httpx.get(http.get(f"/api/v1/beta/files/{file_id}/content").json()["url"]).content
                    for file_id in originals}
        listed_files = http.get("/api/v1/beta/files").json()
        saved = http.get(f"/api/v1/beta/configurations/{config['id']}").json()
    server.stop()
    return {"server": server, "jobs": jobs, "first": first, "second": second, "finished": finished,
            "originals": originals, "files": files, "contents": contents, "listed_files": listed_files,
            "config": config, "saved": saved}


def _statuses(http: httpx.Client, jobs: list[str]) -> dict[str, str]:
    return {job_id: http.get(f"/api/v2/extract/{job_id}").json()["status"] for job_id in jobs}


def _wait_until_running(http: httpx.Client, job_id: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while http.get(f"/api/v2/extract/{job_id}").json()["status"] == "PENDING":
        assert time.monotonic() < deadline, f"{job_id} never started"
        time.sleep(0.02)


def _start_cut_off_upload(server: RunningServer) -> threading.Thread:
    """An upload whose body keeps streaming until the server is killed under it."""

    def body() -> Iterator[bytes]:
        yield (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nextract\r\n"
               f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.txt\"\r\n\r\n").encode()
        for _ in range(400):
            yield b"half written " * 1000
            time.sleep(0.05)

    def send() -> None:
        try:
            httpx.post(server.url + "/api/v1/beta/files", content=body(), timeout=30,
                       headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"})
        except httpx.HTTPError:
            pass  # the server died under it, as intended

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    time.sleep(0.5)  # some of the body is in the server when the kill comes
    return thread


def test_the_kills_came_with_work_in_flight(crashed: dict[str, Any]) -> None:
    for before in (crashed["first"], crashed["second"]):
        assert "RUNNING" in before.values() and "PENDING" in before.values(), before


def test_every_job_reaches_a_terminal_state(crashed: dict[str, Any], record_property: Any) -> None:
    finished = crashed["finished"]
    record_property("crash_recovery", {  # for bench/reliability.py's table
        "jobs": len(crashed["jobs"]),
        "at_kills": [{status: list(before.values()).count(status) for status in ("RUNNING", "PENDING", "COMPLETED")}
                     for before in (crashed["first"], crashed["second"])],
        "final": {status: [job["status"] for job in finished.values()].count(status) for status in TERMINAL},
    })
    assert set(finished) == set(crashed["jobs"])
    for job_id, job in finished.items():
        assert job["status"] in TERMINAL, (job_id, job["status"])
        if job["status"] == "FAILED":  # only a job running at both kills may fail, and it says so
            assert "twice" in job["error_message"], job["error_message"]
        else:
            assert job["status"] == "COMPLETED", (job_id, job["status"], job.get("error_message"))
    failed = [job for job in finished.values() if job["status"] == "FAILED"]
    assert len(failed) <= WORKERS  # a job must be in one of the two slots at both kills to fail


def test_files_and_configurations_are_still_there(crashed: dict[str, Any]) -> None:
    for file_id, data in crashed["originals"].items():
        record = crashed["files"][file_id]
        assert record["id"] == file_id and record["file_size"] == len(data)
        assert crashed["contents"][file_id] == data  # the bytes, identical
    assert sorted(f["name"] for f in crashed["files"].values()) == ["crash.txt", "slow.txt"]
    assert {f["id"] for f in crashed["listed_files"]["items"]} == set(crashed["originals"])  # the cut-off upload left none
    assert crashed["saved"]["parameters"] == crashed["config"]["parameters"]
    assert crashed["saved"]["name"] == "survives a crash"


def test_database_passes_integrity_check(crashed: dict[str, Any]) -> None:
    with sqlite3.connect(crashed["server"].data_dir / "server.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_nothing_half_written_is_left(crashed: dict[str, Any]) -> None:
    data_dir: Path = crashed["server"].data_dir
    assert list((data_dir / "tmp").iterdir()) == []
    with sqlite3.connect(data_dir / "server.db") as db:
        rows = {row[0]: (row[1], row[2]) for row in db.execute("SELECT id, file_size, sha256 FROM files")}
    stored = {path.name: path for path in (data_dir / "files").iterdir()}
    assert set(stored) == set(rows)  # no bytes without a record, no record without bytes
    for file_id, (size, sha256) in rows.items():
        content = stored[file_id].read_bytes()
        assert len(content) == size and hashlib.sha256(content).hexdigest() == sha256, file_id
    expected = {"server.db", "server.db-wal", "server.db-shm", "files", "parses", "tmp"}
    assert set(os.listdir(data_dir)) <= expected, os.listdir(data_dir)
