"""Webhooks delivered to a real HTTP receiver: signature, retries, event filter, formats, URL checks."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx
import pytest

from lib.server.webhooks import UnsafeUrl, check_url_syntax
from tests.server.helpers import TEXT_DOC, create_job, upload, wait_job
from tests.support.webhook_receiver import WebhookReceiver


def _verify(secret: str, body: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


def test_signed_delivery_with_retries_and_filter(client: httpx.Client) -> None:
    with WebhookReceiver({"/flaky": [500, 503, 200]}) as rx:
        f = upload(client, TEXT_DOC, "hook.txt")
        job = create_job(client, f["id"], webhook_configurations=[
            {"webhook_url": rx.url("/flaky"), "webhook_events": ["extract.success"], "webhook_signing_secret": "s3cret",
             "webhook_headers": {"X-Team": "qa"}, "webhook_output_format": "json"},
            {"webhook_url": rx.url("/all")},
        ])
        assert wait_job(client, job["id"])["status"] == "COMPLETED"
        rx.wait_for(lambda c: len([x for x in c if x.path == "/flaky"]) >= 3
                    and len([x for x in c if x.path == "/all"]) >= 2)
        flaky = rx.for_path("/flaky")
        assert [c.status for c in flaky] == [500, 503, 200]  # retried after failures, then accepted
        assert len({c.body for c in flaky}) == 1  # the same event each time
        for call in flaky:
            assert _verify("s3cret", call.body, call.headers["lc-signature"])
            assert call.headers["x-team"] == "qa"
        payload = json.loads(flaky[0].body)
        assert set(payload) == {"event_id", "event_type", "timestamp", "data"}
        assert payload["event_type"] == "extract.success"  # the filter left out extract.pending
        assert payload["data"]["job_id"] == job["id"] and payload["data"]["status"] == "COMPLETED"

        everything = [json.loads(c.body) for c in rx.for_path("/all")]
        assert [e["event_type"] for e in everything] == ["extract.pending", "extract.success"]
        assert isinstance(everything[0]["data"], str)  # the default 'string' format
        assert json.loads(everything[1]["data"])["job_id"] == job["id"]
        assert all("lc-signature" not in c.headers for c in rx.for_path("/all"))


def test_failing_receiver_never_fails_the_job(client: httpx.Client) -> None:
    with WebhookReceiver({"/down": [500]}) as rx:
        f = upload(client, TEXT_DOC, "down.txt")
        job = create_job(client, f["id"], webhook_configurations=[
            {"webhook_url": rx.url("/down"), "webhook_events": ["extract.success", "extract.cancelled"]}])
        assert wait_job(client, job["id"])["status"] == "COMPLETED"
        rx.wait_for(lambda c: len(c) >= 3)
        with pytest.raises(TimeoutError):
            rx.wait_for(lambda c: len(c) > 3, timeout=2.0)  # 3 attempts in all, then it gives up


def test_cancel_event(client: httpx.Client, slow_document) -> None:
    with WebhookReceiver() as rx:
        f = upload(client, slow_document.data, slow_document.filename)
        job = create_job(client, f["id"], schema=slow_document.schema,
                         webhook_configurations=[{"webhook_url": rx.url("/c"), "webhook_events": ["extract.cancelled"],
                                                  "webhook_output_format": "json"}])
        client.post(f"/api/v2/extract/{job['id']}/cancel")
        calls = rx.wait_for(lambda c: len(c) >= 1)
        event = json.loads(calls[0].body)
        assert event["event_type"] == "extract.cancelled" and event["data"]["status"] == "CANCELLED"


@pytest.mark.parametrize(
    "url, reason",
    [
        ("ftp://example.com/hook", "http and https"),
        ("file:///etc/passwd", "http and https"),
        ("http://10.0.0.5/hook", "private"),
        ("http://192.168.1.1/hook", "private"),
        ("http://127.0.0.1:9/hook", "private"),
        ("http://localhost/hook", "loopback"),
        ("http://169.254.169.254/latest/meta-data", "metadata"),
        ("http://[::1]/hook", "private"),
        ("http://[::ffff:10.0.0.1]/hook", "private"),
        ("http://user:pw@example.com/hook", "credentials"),
        ("http:///nohost", "no host"),
    ],
)
def test_url_checks_without_the_allow_flag(url: str, reason: str) -> None:
    with pytest.raises(UnsafeUrl, match=reason):
        check_url_syntax(url, allow_private=False)


def test_allow_flag_admits_loopback_but_never_metadata() -> None:
    check_url_syntax("http://127.0.0.1:8080/hook", allow_private=True)
    check_url_syntax("https://example.com/hook", allow_private=False)
    with pytest.raises(UnsafeUrl, match="metadata"):
        check_url_syntax("http://169.254.169.254/", allow_private=True)


def test_refused_url_is_a_400(client: httpx.Client) -> None:
    f = upload(client, TEXT_DOC, "u.txt")
    response = client.post("/api/v2/extract", json={"file_input": f["id"], "configuration": {"data_schema": {
        "type": "object", "properties": {"a": {"type": "string"}}}},
        "webhook_configurations": [{"webhook_url": "http://169.254.169.254/x"}]})
    assert response.status_code == 400 and "metadata" in response.json()["detail"]
    fmt = client.post("/api/v2/extract", json={"file_input": f["id"], "configuration": {"data_schema": {
        "type": "object", "properties": {"a": {"type": "string"}}}},
        "webhook_configurations": [{"webhook_url": "https://example.com/x", "webhook_output_format": "xml"}]})
    assert fmt.status_code == 400 and "webhook_output_format" in fmt.json()["detail"]
    for headers in ({"Bad Name": "x"}, {"X-Ok": "a\r\nInjected: 1"}, {"LC-Signature": "sha256=forged"}):
        bad = client.post("/api/v2/extract", json={"file_input": f["id"], "configuration": {"data_schema": {
            "type": "object", "properties": {"a": {"type": "string"}}}},
            "webhook_configurations": [{"webhook_url": "https://example.com/x", "webhook_headers": headers}]})
        assert bad.status_code == 400 and "webhook_headers" in bad.json()["detail"], headers
