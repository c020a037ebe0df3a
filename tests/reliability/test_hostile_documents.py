"""Hostile documents: every case of ``lib.samples.hostile.CASES`` is uploaded, extracted and parsed
on a real server, all at once and next to a normal invoice. Each must end as a refused upload (400/413
with a message) or a job in a terminal state within bounded time; a case expected to ``fail`` must
end FAILED with a message that says what was wrong (never a traceback); the server keeps answering
and the invoice still completes. A worker over its memory limit is killed, and only it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Iterator, Optional

import httpx
import pytest

from lib.samples import make_sample
from lib.samples.hostile import CASES, HostileCase
from tests.server.helpers import TERMINAL, TEXT_DOC, create_job, upload, wait_job, wait_status
from tests.support.server import RunningServer, start_server

JOB_TIMEOUT_S = 6  # the per-job limit on this server: a case that runs longer is stopped and FAILED
WAIT_S = 120.0  # bounded: every job is terminal by then or the test fails
SCHEMA = {"type": "object", "properties": {"invoice_number": {"type": "string"}, "vendor": {"type": "string"},
                                           "total": {"type": "number"}}}

# For "fail" cases, words the error must contain: it says what was wrong, not just that it failed.
REASONS = {
    "truncated_pdf": "truncated",
    "encrypted_pdf": "password",
    "circular_pdf": "damaged",
    "empty_file": "empty",
    "random_named_pdf": "not a file type",
    "png_pixel_bomb": "too large",
    "docx_zip_bomb": "zip bomb",
    "xlsx_zip_bomb": "zip bomb",
}


@dataclass
class Outcome:
    case: HostileCase
    upload_status: int
    upload_detail: Optional[str] = None
    job: Optional[dict[str, Any]] = None
    parse_job: Optional[dict[str, Any]] = None
    seconds: float = 0.0


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    env = {"EXTRACT_SERVER_JOB_TIMEOUT_S": str(JOB_TIMEOUT_S), "EXTRACT_SERVER_WORKER_MEMORY_MB": "1024"}
    server = start_server(tmp_path_factory.mktemp("hostile") / "data", workers=2, extra_env=env)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def run(hostile_server: RunningServer) -> dict[str, Any]:
    """Submit every case and a normal invoice together, then wait for all of them."""
    invoice = make_sample("invoice", fmt="pdf")
    server_pid = hostile_server.proc.pid if hostile_server.proc else None
    outcomes: dict[str, Outcome] = {}
    started: dict[str, float] = {}
    with hostile_server.client() as http:
        normal = create_job(http, upload(http, invoice.data, invoice.filename)["id"], schema=invoice.schema)
        for case in CASES:
            response = http.post("/api/v1/beta/files", files={"file": (case.filename, case.build())},
                                 data={"purpose": "extract"})
            outcome = Outcome(case, response.status_code)
            outcomes[case.name] = outcome
            if response.status_code != 200:
                outcome.upload_detail = response.json().get("detail")
                continue
            started[case.name] = time.monotonic()
            outcome.job = create_job(http, response.json()["id"], schema=SCHEMA)
            parse = http.post("/api/v2/parse", json={"file_id": response.json()["id"]})
            assert parse.status_code == 200, parse.text
            outcome.parse_job = parse.json()
        for name, t0 in started.items():
            job = outcomes[name].job
            assert job is not None
            outcomes[name].job = wait_job(http, job["id"], timeout=WAIT_S)
            outcomes[name].seconds = time.monotonic() - t0
            parse_job = outcomes[name].parse_job
            assert parse_job is not None
            outcomes[name].parse_job = wait_status(http, f"/api/v2/parse/{parse_job['id']}", timeout=WAIT_S)["job"]
        normal_done = wait_job(http, normal["id"], timeout=WAIT_S)
        health = http.get("/health").status_code
    return {"outcomes": outcomes, "normal": normal_done, "health": health, "server_pid": server_pid}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_ends_refused_or_failed_with_a_reason(run: dict[str, Any], case: HostileCase) -> None:
    outcome: Outcome = run["outcomes"][case.name]
    if outcome.job is None:  # refused at upload: a documented status and a message
        assert outcome.upload_status in (400, 413), (case.name, outcome.upload_status, outcome.upload_detail)
        detail = outcome.upload_detail or ""
        message = detail
    else:
        job = outcome.job
        assert job["status"] in TERMINAL, (case.name, job["status"])
        if case.expect == "fail":
            assert job["status"] == "FAILED", (case.name, job["status"], job.get("extract_result"))
        message = job.get("error_message") or ""
        if job["status"] == "FAILED":
            assert message, case.name
    if outcome.job is None or outcome.job["status"] == "FAILED":
        assert "Traceback" not in message and 'File "' not in message, (case.name, message)
        assert "Internal error" not in message, (case.name, message)  # says what was wrong with the file
        if case.name in REASONS:
            assert REASONS[case.name] in message.lower(), (case.name, message)


@pytest.mark.parametrize("case", [c for c in CASES if c.expect == "fail"], ids=lambda c: c.name)
def test_a_parse_job_on_it_fails_with_the_same_reason(run: dict[str, Any], case: HostileCase) -> None:
    """The parse path (/api/v2/parse) reads documents with the same loader: same refusals, same words."""
    outcome: Outcome = run["outcomes"][case.name]
    if outcome.parse_job is None:
        assert outcome.upload_status in (400, 413)  # refused at upload, so never parsed
        return
    job = outcome.parse_job
    assert job["status"] == "FAILED", (case.name, job["status"])
    message = job.get("error_message") or ""
    assert REASONS[case.name] in message.lower() and "Traceback" not in message, (case.name, message)


def test_every_fail_case_has_its_reason_listed() -> None:
    assert {c.name for c in CASES if c.expect == "fail"} == set(REASONS)


def test_a_normal_document_next_to_them_completes(run: dict[str, Any]) -> None:
    assert run["normal"]["status"] == "COMPLETED", run["normal"].get("error_message")
    assert run["normal"]["extract_result"]["invoice_number"]


def test_the_server_kept_answering(run: dict[str, Any], hostile_server: RunningServer) -> None:
    assert run["health"] == 200
    assert hostile_server.proc is not None and hostile_server.proc.pid == run["server_pid"]
    assert hostile_server.proc.poll() is None
    with hostile_server.client() as http:  # and it still does work after all of that
        assert wait_job(http, create_job(http, upload(http, TEXT_DOC, "after.txt")["id"])["id"])["status"] == "COMPLETED"


def test_worker_over_its_memory_limit_is_killed_not_the_server(tmp_path_factory: pytest.TempPathFactory) -> None:
    """64 MB is below what any worker holding the engine uses, so the worker reading the 5,000,000-
    character line is stopped at its first check: the job FAILs naming the limit, that worker
    process is gone, the server lives."""
    bomb = next(c for c in CASES if c.name == "long_line")
    env = {"EXTRACT_SERVER_WORKER_MEMORY_MB": "64"}
    with start_server(tmp_path_factory.mktemp("hostile-memory") / "data", workers=1, extra_env=env) as server:
        assert server.proc is not None
        pid = server.proc.pid
        with server.client() as http:
            file_id = upload(http, bomb.build(), bomb.filename)["id"]
            before = _wait_for_workers(server)
            job = wait_job(http, create_job(http, file_id)["id"], timeout=WAIT_S)
            assert job["status"] == "FAILED" and "more than 64 MB" in job["error_message"], job["error_message"]
            assert before - server.descendants(), "the worker that ran the job should have been killed"
            assert server.proc.pid == pid and server.proc.poll() is None
            assert http.get("/health").status_code == 200


def _wait_for_workers(server: RunningServer, timeout: float = 30.0) -> set[int]:
    """The server's processes once its worker is up: the resource tracker, the forkserver and the worker
    forked from it (started off the request path, after the forkserver has imported the engine)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = server.descendants()
        if len(found) >= 3:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no worker process appeared; descendants: {server.descendants()}")
