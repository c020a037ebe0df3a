"""Crash safety: SIGKILL the server with jobs queued and running, start it again on the same data
directory, and nothing is lost: every job ends in a terminal state, files and configurations are
still there, and the database passes ``PRAGMA integrity_check``."""

from __future__ import annotations

import sqlite3
import time

import pytest

from lib.server.store import Store
from tests.server.helpers import TERMINAL, TEXT_DOC, TEXT_SCHEMA, upload, wait_job
from tests.support.server import start_server


def test_sigkill_with_jobs_in_flight_loses_nothing(tmp_path_factory: pytest.TempPathFactory, invoice) -> None:
    server = start_server(tmp_path_factory.mktemp("restart") / "data", workers=1)
    try:
        with server.client() as http:
            files = [upload(http, invoice.data, invoice.filename), upload(http, TEXT_DOC, "r.txt")]
            config = http.post("/api/v1/beta/configurations", json={
                "name": "kept", "parameters": {"product_type": "extract_v2", "data_schema": TEXT_SCHEMA}}).json()
            jobs = []
            for i in range(6):
                body = {"file_input": files[0 if i == 0 else 1]["id"]}
                body.update({"configuration_id": config["id"]} if i % 2 else {"configuration": {"data_schema": invoice.schema}})
                jobs.append(http.post("/api/v2/extract", json=body).json()["id"])
            deadline = time.monotonic() + 60
            while http.get(f"/api/v2/extract/{jobs[0]}").json()["status"] == "PENDING" and time.monotonic() < deadline:
                time.sleep(0.02)
            before = {j: http.get(f"/api/v2/extract/{j}").json()["status"] for j in jobs}
        assert "PENDING" in before.values()  # killed with work still queued
        assert server.kill(), "worker processes outlived the killed server"

        server.start()
        with server.client() as http:
            after = {j: wait_job(http, j, timeout=180) for j in jobs}
            assert all(job["status"] in TERMINAL for job in after.values())
            assert [after[j]["status"] for j in jobs] == ["COMPLETED"] * len(jobs), {
                j: (a["status"], a["error_message"]) for j, a in after.items()}
            for f in files:
                assert http.get(f"/api/v1/beta/files/{f['id']}").status_code == 200
            assert http.get(f"/api/v1/beta/configurations/{config['id']}").json()["name"] == "kept"
            listed = http.get("/api/v2/extract", params={"job_ids": jobs}).json()
            assert listed["total_size"] == len(jobs)
    finally:
        server.stop()
    with sqlite3.connect(server.data_dir / "server.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert list((server.data_dir / "tmp").iterdir()) == []


def test_a_job_interrupted_twice_is_failed_with_a_reason(tmp_path) -> None:
    """Recovery on the real store: a job found RUNNING at start runs again once, then FAILs with a reason."""
    store = Store(tmp_path / "data")
    job = store.create_job(job_id="ext-1", kind="extract", file_input="dfl-1", file_id="dfl-1", max_queue=10)
    assert store.claim_next_job()["id"] == job["id"]
    assert store.recover_interrupted() == (["ext-1"], [])
    assert store.get_job("ext-1")["status"] == "PENDING"
    assert store.claim_next_job()["attempts"] == 2
    requeued, failed = store.recover_interrupted()
    assert requeued == [] and [f["id"] for f in failed] == ["ext-1"]
    assert failed[0]["status"] == "FAILED" and "stopped while this job was running, twice" in failed[0]["error_message"]
    assert store.integrity_check() == "ok"
    store.close()


def test_a_graceful_stop_puts_running_work_back_in_the_queue(tmp_path_factory: pytest.TempPathFactory,
                                                            slow_document) -> None:
    server = start_server(tmp_path_factory.mktemp("graceful") / "data", workers=1)
    try:
        with server.client() as http:
            f = upload(http, slow_document.data, slow_document.filename)
            job_id = http.post("/api/v2/extract", json={"file_input": f["id"], "configuration": {
                "data_schema": slow_document.schema}}).json()["id"]
            wait_job(http, job_id, ["RUNNING"], timeout=60)
        server.stop()  # SIGTERM: the worker is stopped, the job goes back to PENDING uncounted
    finally:
        server.stop()
    store = Store(server.data_dir)
    job = store.get_job(job_id)
    assert (job["status"], job["attempts"]) == ("PENDING", 0)
    store.close()
