"""Webhooks under faults, beyond tests/server/test_webhooks.py: a receiver that hangs past the
timeout and one that answers 500 before accepting never hold up or fail the job; each is tried
exactly 3 times (as documented), every attempt signed so the signature verifies over the raw
body. URL checks through the API: with private webhooks not allowed, every private, loopback,
link-local and metadata address (in any spelling) and every non-http scheme is a 400 at job
creation, no job is created, and a receiver on one of those loopback spellings gets nothing.
No request ever goes to an address that is not loopback."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Iterator

import httpx
import pytest

from tests.server.helpers import FAST_ENV, TEXT_DOC, create_job, upload, wait_job
from tests.support.server import RunningServer, start_server
from tests.support.webhook_receiver import WebhookReceiver

SECRET = "reliability-secret"
ATTEMPTS = 3  # lib/server/webhooks.py MAX_ATTEMPTS, as the API reference documents it


def _verifies(body: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


@pytest.fixture(scope="module")
def allowing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """Loopback receivers allowed (the test's receiver is on 127.0.0.1), 1 s webhook timeout."""
    env = {**FAST_ENV, "EXTRACT_SERVER_WEBHOOK_TIMEOUT_S": "1"}
    with start_server(tmp_path_factory.mktemp("hooks") / "data", extra_env=env) as server:
        yield server


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The default: private webhooks not allowed."""
    with start_server(tmp_path_factory.mktemp("hooks-strict") / "data") as server:
        yield server


def test_hanging_and_failing_receivers_never_hold_up_the_job(allowing: RunningServer) -> None:
    with WebhookReceiver({"/hang": "hang", "/late-ok": [500, 500, 200]}, hang_s=2.0) as rx, allowing.client() as http:
        hooks = [{"webhook_url": rx.url(path), "webhook_events": ["extract.success"], "webhook_signing_secret": SECRET,
                  "webhook_output_format": "json"} for path in ("/hang", "/late-ok")]
        job = create_job(http, upload(http, TEXT_DOC, "hooks.txt")["id"], webhook_configurations=hooks)
        done = wait_job(http, job["id"])
        assert done["status"] == "COMPLETED" and done["error_message"] is None
        assert rx.for_path("/hang") == []  # the job finished while its receiver was still hanging
        rx.wait_for(lambda calls: len([c for c in calls if c.path == "/hang"]) >= ATTEMPTS
                    and len([c for c in calls if c.path == "/late-ok"]) >= ATTEMPTS, timeout=30)
        time.sleep(1.5)  # room for a 4th attempt, which must not come
        hang, late = rx.for_path("/hang"), rx.for_path("/late-ok")
        assert len(hang) == ATTEMPTS  # timed out each time, retried, then given up
        assert [c.status for c in late] == [500, 500, 200]  # accepted on the third attempt, then no more
        for call in hang + late:
            assert _verifies(call.body, call.headers["lc-signature"])
            event = json.loads(call.body)
            assert event["event_type"] == "extract.success" and event["data"]["job_id"] == job["id"]
        assert not _verifies(late[0].body + b" ", late[0].headers["lc-signature"])  # a changed body does not
        assert http.get(f"/api/v2/extract/{job['id']}").json()["status"] == "COMPLETED"


REFUSED = [
    ("http://10.1.2.3/hook", "private"),
    ("http://172.16.0.1/hook", "private"),
    ("http://172.31.255.254/hook", "private"),
    ("http://192.168.0.10/hook", "private"),
    ("http://169.254.10.20/hook", "link-local"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://[fd00:ec2::254]/", "metadata"),
    ("http://[fe80::1]/hook", "link-local"),
    ("http://[::ffff:192.168.0.1]/hook", "private"),
    ("http://0.0.0.0/hook", "private"),
    ("http://100.64.0.1/hook", "private"),  # carrier-grade NAT, not globally routable
    ("ftp://example.com/hook", "http and https"),
    ("file:///etc/passwd", "http and https"),
    ("javascript:alert(1)", "http and https"),
    ("gopher://example.com/", "http and https"),
]
# Loopback in every spelling a resolver accepts: refused without the allow flag. These point at a
# live receiver on 127.0.0.1, so a request that slipped through would be seen.
LOOPBACK_SPELLINGS = ["127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "localhost", "localhost.",
                      "[::1]", "[::ffff:127.0.0.1]"]


def _create(http: httpx.Client, file_id: str, url: str) -> httpx.Response:
    return http.post("/api/v2/extract", json={
        "file_input": file_id, "configuration": {"data_schema": {"type": "object", "properties": {"a": {"type": "string"}}}},
        "webhook_configurations": [{"webhook_url": url}]})


def test_refused_addresses_and_schemes_at_job_creation(strict: RunningServer) -> None:
    with strict.client() as http:
        file_id = upload(http, TEXT_DOC, "strict.txt")["id"]
        for url, reason in REFUSED:
            response = _create(http, file_id, url)
            assert response.status_code == 400, (url, response.status_code, response.text)
            detail = response.json()["detail"]
            assert "webhook_url" in detail and reason in detail, (url, detail)
        assert http.get("/api/v2/extract").json()["total_size"] == 0  # nothing was created


def test_loopback_in_any_spelling_is_refused_and_receives_nothing(strict: RunningServer) -> None:
    with WebhookReceiver() as rx, strict.client() as http:
        file_id = upload(http, TEXT_DOC, "loop.txt")["id"]
        port = rx.url().rsplit(":", 1)[1].split("/")[0]
        for host in LOOPBACK_SPELLINGS:
            url = f"http://{host}:{port}/hook"
            response = _create(http, file_id, url)
            assert response.status_code == 400, (url, response.text)
            assert "loopback" in response.json()["detail"], (url, response.json())
        parse = http.post("/api/v2/parse", json={"file_id": file_id,
                                                 "webhook_configurations": [{"webhook_url": rx.url("/p")}]})
        assert parse.status_code == 400 and "loopback" in parse.json()["detail"]  # parse jobs are checked too
        assert http.get("/api/v2/extract").json()["total_size"] == 0
        time.sleep(0.5)
        assert rx.calls == []


def test_allow_flag_admits_loopback_but_never_metadata(allowing: RunningServer) -> None:
    with allowing.client() as http:
        file_id = upload(http, TEXT_DOC, "allow.txt")["id"]
        for url in ("http://169.254.169.254/latest/meta-data/", "http://[::ffff:169.254.169.254]/"):
            response = _create(http, file_id, url)
            assert response.status_code == 400 and "metadata" in response.json()["detail"], (url, response.text)
        with WebhookReceiver() as rx:
            job = create_job(http, file_id, webhook_configurations=[{"webhook_url": rx.url("/ok"),
                                                                     "webhook_events": ["extract.success"]}])
            assert wait_job(http, job["id"])["status"] == "COMPLETED"
            assert len(rx.wait_for(lambda calls: len(calls) >= 1)) == 1
