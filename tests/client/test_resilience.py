"""Retries, backoff and the "a create is never sent twice" rule, with httpx.MockTransport standing in
for failures the local server cannot be made to produce on cue (throttling, 5xx, dropped connections)."""

from __future__ import annotations

import asyncio
import random
from typing import Callable

import httpx
import pytest

from lib.client import (
    AsyncExtractClient,
    ConnectionFailedError,
    ExtractClient,
    RateLimitError,
    RequestTimeoutError,
    RetryPolicy,
    ServerError,
)
from tests.client.hosted import file_body, job_body

Handler = Callable[[httpx.Request], httpx.Response]
CONFIGURATION = {"data_schema": {"type": "object", "properties": {"total": {"type": "number"}}}}


class Recorder:
    """A transport that answers from a script, one step per request, and remembers the requests."""

    def __init__(self, *steps: object) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if isinstance(step, Exception):
            raise step
        return step(request) if callable(step) else step  # type: ignore[return-value]


def _client(recorder: Recorder, **options: object) -> tuple[ExtractClient, list[float]]:
    client = ExtractClient("https://api.example.test", "key", transport=httpx.MockTransport(recorder), **options)
    sleeps: list[float] = []
    client._sleep = sleeps.append
    return client, sleeps


def _job(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=job_body())


def test_reads_are_retried_on_5xx_and_429_then_succeed() -> None:
    recorder = Recorder(httpx.Response(503), httpx.Response(429, json={"detail": "slow down"}), _job)
    client, sleeps = _client(recorder)
    assert client.get_job(job_body()["id"]).status == "PENDING"
    assert len(recorder.requests) == 3 and len(sleeps) == 2


def test_throttling_that_never_ends_is_a_rate_limit_error_after_every_retry() -> None:
    recorder = Recorder(httpx.Response(429, json={"detail": "too many requests"}))
    client, sleeps = _client(recorder, max_retries=3)
    with pytest.raises(RateLimitError, match=r"\(429 after 4 attempts\): too many requests") as caught:
        client.list_jobs_page()
    assert caught.value.status_code == 429 and len(recorder.requests) == 4 and len(sleeps) == 3


def test_backoff_is_exponential_jittered_and_capped() -> None:
    policy = RetryPolicy(max_retries=10, backoff_base=0.5, backoff_cap=4.0, rng=random.Random(3))
    delays = [policy.delay(attempt) for attempt in range(8)]
    ceilings = [min(4.0, 0.5 * 2**attempt) for attempt in range(8)]
    assert all(ceiling / 2 <= delay <= ceiling for delay, ceiling in zip(delays, ceilings))
    assert max(delays) <= 4.0 and len(set(delays)) == len(delays)


def test_retry_after_is_honoured_within_a_bound() -> None:
    recorder = Recorder(httpx.Response(503, headers={"Retry-After": "3"}), httpx.Response(503, headers={"Retry-After": "9999"}), _job)
    client, sleeps = _client(recorder, backoff_base=0.01)
    client.get_job(job_body()["id"])
    assert sleeps[0] >= 3 and sleeps[1] == 60


def test_a_create_answered_with_5xx_is_never_sent_again() -> None:
    recorder = Recorder(httpx.Response(500, json={"detail": "boom"}), _job)
    client, sleeps = _client(recorder)
    with pytest.raises(ServerError, match="500 after 1 attempt"):
        client.create_job("dfl-x", configuration=CONFIGURATION)
    assert len(recorder.requests) == 1 and sleeps == []


@pytest.mark.parametrize("failure", [httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped"), httpx.ReadError("reset")])
def test_a_create_that_may_have_arrived_is_never_sent_again(failure: Exception) -> None:
    recorder = Recorder(failure, _job)
    client, _ = _client(recorder)
    with pytest.raises(ConnectionFailedError) as caught:
        client.create_job("dfl-x", configuration=CONFIGURATION)
    assert len(recorder.requests) == 1
    if isinstance(failure, httpx.ReadTimeout):
        assert isinstance(caught.value, RequestTimeoutError) and "check before sending it again" in str(caught.value)


def test_a_create_is_retried_when_it_provably_never_arrived_or_was_throttled() -> None:
    recorder = Recorder(httpx.ConnectError("refused"), httpx.ConnectTimeout("no route"), httpx.Response(429), _job)
    client, sleeps = _client(recorder)
    assert client.create_job("dfl-x", configuration=CONFIGURATION).id == job_body()["id"]
    assert [r.method for r in recorder.requests] == ["POST"] * 4 and len(sleeps) == 3


def test_an_upload_is_a_create_and_resends_the_same_bytes_after_a_refused_connection() -> None:
    uploaded = lambda request: httpx.Response(200, json=file_body())  # noqa: E731
    recorder = Recorder(httpx.ConnectError("refused"), uploaded)
    client, _ = _client(recorder)
    client.upload_file(b"%PDF-1.4 bytes", name="invoice.pdf")
    bodies = [request.read() for request in recorder.requests]
    assert len(bodies) == 2 and all(b"\r\n\r\n%PDF-1.4 bytes\r\n" in body for body in bodies)
    recorder = Recorder(httpx.Response(502), uploaded)
    client, _ = _client(recorder)
    with pytest.raises(ServerError):
        client.upload_file(b"%PDF-1.4 bytes", name="invoice.pdf")
    assert len(recorder.requests) == 1


def test_reads_are_retried_after_timeouts_and_dropped_connections() -> None:
    recorder = Recorder(httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped"), _job)
    client, _ = _client(recorder)
    assert client.get_job(job_body()["id"]).id == job_body()["id"]
    assert len(recorder.requests) == 3


def test_unreachable_server_names_the_url_and_what_to_check() -> None:
    recorder = Recorder(httpx.ConnectError("connection refused"))
    client, sleeps = _client(recorder, max_retries=2)
    with pytest.raises(ConnectionFailedError) as caught:
        client.list_files_page()
    message = str(caught.value)
    assert "https://api.example.test/api/v1/beta/files" in message and "check that the server is running" in message
    assert len(recorder.requests) == 3 and len(sleeps) == 2


def test_async_client_follows_the_same_rules() -> None:
    recorder = Recorder(httpx.Response(503), _job, httpx.Response(500), _job)

    async def run() -> tuple[str, type]:
        async with AsyncExtractClient("https://api.example.test", "key", transport=httpx.MockTransport(recorder)) as client:
            async def no_sleep(seconds: float) -> None:
                return None

            client._sleep = no_sleep
            job = await client.get_job(job_body()["id"])
            try:
                await client.create_job("dfl-x", configuration=CONFIGURATION)
            except ServerError as error:
                return job.status, type(error)
            return job.status, type(None)

    assert asyncio.run(run()) == ("PENDING", ServerError)
    assert [r.method for r in recorder.requests] == ["GET", "GET", "POST"]
