"""What the client sends and how it reads hosted-shaped answers, with httpx.MockTransport playing the
hosted service: typed errors, request shapes, the seed's odd response, polling and batch rules."""

from __future__ import annotations

import threading
import time
from urllib.parse import parse_qs

import httpx
import pytest

from lib.client import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ExtractClient,
    JobCancelledError,
    JobFailedError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitError,
    ValidationError,
    WaitTimeoutError,
    get_client,
)
from lib.review.flatten import flatten_job
from tests.client.hosted import SEED_JOB, file_body, job_body

BASE = "https://api.example.test"
CONFIGURATION = {"data_schema": {"type": "object", "properties": {"total": {"type": "number"}}}}


def _client(handler, **options) -> ExtractClient:
    client = ExtractClient(BASE, "key", transport=httpx.MockTransport(handler), **options)
    client._sleep = lambda seconds: None
    return client


@pytest.mark.parametrize(
    ("status", "error", "detail", "message"),
    [
        (400, BadRequestError, "Invalid data_schema: type 'nonsense' is not supported", "Invalid data_schema: type 'nonsense' is not supported"),
        (401, AuthenticationError, "Invalid API key", f"the API key is missing or wrong for {BASE} (Invalid API key)"),
        (404, NotFoundError, "No such job", "No such job"),
        (409, ConflictError, "Job is RUNNING", "Job is RUNNING"),
        (413, PayloadTooLargeError, "File exceeds 100 MB", "File exceeds 100 MB"),
        (
            422,
            ValidationError,
            [{"loc": ["body", "configuration", "data_schema"], "msg": "Field required", "type": "missing"}],
            "configuration.data_schema: Field required",
        ),
    ],
)
def test_4xx_become_typed_errors_with_the_servers_detail_and_are_not_retried(status, error, detail, message) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(status, json={"detail": detail})

    with pytest.raises(error) as caught:
        _client(handler).get_job("ext-1")
    assert str(caught.value) == message
    assert caught.value.status_code == status and caught.value.detail == detail
    assert caught.value.request is not None and len(calls) == 1


def test_an_error_body_that_is_not_json_still_explains_itself() -> None:
    with pytest.raises(ApiError, match="upstream proxy said no"):
        _client(lambda r: httpx.Response(418, text="upstream proxy said no")).get_file("dfl-1")


def test_create_job_needs_exactly_one_of_configuration_or_configuration_id_before_any_request() -> None:
    calls = []
    client = _client(lambda request: calls.append(request) or httpx.Response(200, json=job_body()))
    with pytest.raises(ValueError, match="exactly one"):
        client.create_job("dfl-1")
    with pytest.raises(ValueError, match="exactly one"):
        client.create_job("dfl-1", configuration=CONFIGURATION, configuration_id="cfg-1")
    with pytest.raises(ValueError, match="configuration is not valid"):
        client.create_job("dfl-1", configuration={"tier": "agentic"})
    with pytest.raises(ValueError, match="name is required"):
        client.upload_file(b"bytes without a name")
    assert calls == []


def test_requests_use_the_sdks_paths_params_and_auth() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/api/v2/extract" and request.method == "GET":
            return httpx.Response(200, json={"items": [], "next_page_token": None})
        return httpx.Response(200, json=job_body())

    client = _client(handler)
    client.get_job("ext-1")
    client.list_jobs_page(job_ids=["ext-1", "ext-2"], status="COMPLETED", created_at_on_or_after="2026-01-01T00:00:00Z")
    client.create_job("dfl-1", configuration=CONFIGURATION, webhook_configurations=[{"webhook_url": "https://hook.test/x"}])
    client.delete_job("ext-1", force=True)
    get, listing, create, delete = seen
    assert parse_qs(get.url.query.decode())["expand"] == ["configuration", "extract_metadata", "usage"]
    query = parse_qs(listing.url.query.decode())
    assert query["job_ids"] == ["ext-1", "ext-2"] and query["status"] == ["COMPLETED"] and query["page_size"] == ["50"]
    body = httpx.Response(200, content=create.read()).json()
    assert body == {
        "file_input": "dfl-1",
        "configuration": CONFIGURATION,
        "webhook_configurations": [{"webhook_url": "https://hook.test/x"}],
    }
    assert delete.method == "DELETE" and delete.url.params["force"] == "true"
    assert all(request.headers["authorization"] == "Bearer key" for request in seen)


def test_the_seed_response_parses_and_flattens_without_error() -> None:
    job = _client(lambda request: httpx.Response(200, json=SEED_JOB)).get_job(SEED_JOB["id"])
    assert job.extract_metadata.field_metadata.document_metadata["total"]["citation"] == "bar"
    flat = flatten_job(job)
    assert flat.target == "per_doc"
    assert flat.fields["path"].tolist() == ["foo.foo"] and flat.fields["value"].tolist() == ["bar"]
    assert flat.citations.loc[0, "foo.foo"] == [] and flat.confidence["foo.foo"].isna().all()


def test_list_jobs_follows_next_page_token_to_the_end() -> None:
    pages = {None: (["ext-3", "ext-2"], "t1"), "t1": (["ext-1"], "t2"), "t2": ([], None)}
    tokens = []

    def handler(request: httpx.Request) -> httpx.Response:
        token = request.url.params.get("page_token")
        tokens.append(token)
        ids, following = pages[token]
        return httpx.Response(200, json={"items": [job_body(i) for i in ids], "next_page_token": following})

    assert [job.id for job in _client(handler).list_jobs(page_size=2)] == ["ext-3", "ext-2", "ext-1"]
    assert tokens == [None, "t1", "t2"]


def test_download_sends_the_key_to_our_backend_only() -> None:
    fetched: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/content"):
            url = "https://bucket.s3.test/object?sig=abc" if "dfl-hosted" in request.url.path else "/content/dfl-local"
            return httpx.Response(200, json={"url": url})
        fetched.append(request)
        return httpx.Response(200, content=b"%PDF")

    client = _client(handler)
    assert client.download_file("dfl-hosted") == b"%PDF" and client.download_file("dfl-local") == b"%PDF"
    hosted, local = fetched
    assert hosted.url.host == "bucket.s3.test" and "authorization" not in hosted.headers
    assert str(local.url) == f"{BASE}/content/dfl-local" and local.headers["authorization"] == "Bearer key"


def test_base_url_and_key_come_from_the_sdks_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLAMA_CLOUD_BASE_URL", "https://eu.example.test/")
    monkeypatch.setenv("LLAMA_CLOUD_API_KEY", "llx-env")
    with ExtractClient() as client:
        assert (client.base_url, client.api_key) == ("https://eu.example.test", "llx-env")
    monkeypatch.delenv("LLAMA_CLOUD_BASE_URL")
    with ExtractClient(api_key="explicit") as client:
        assert (client.base_url, client.api_key) == ("https://api.cloud.llamaindex.ai", "explicit")


def test_get_client_keeps_one_client_per_backend_and_replaces_a_closed_one() -> None:
    first = get_client("http://127.0.0.1:9", "a")
    assert get_client("http://127.0.0.1:9/", "a") is first
    assert get_client("http://127.0.0.1:9", "b") is not first
    first.close()
    assert get_client("http://127.0.0.1:9", "a") is not first


def _polling(statuses: list[str], **extra):
    """A handler whose job walks through ``statuses``, one per bare poll."""
    polls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        polls.append(request)
        if "expand" in request.url.params:
            return httpx.Response(200, json=job_body(status=statuses[-1], extract_result={"total": 1.0}, **extra))
        status = statuses[min(len([p for p in polls if "expand" not in p.url.params]) - 1, len(statuses) - 1)]
        return httpx.Response(200, json=job_body(status=status, **extra))

    return handler, polls


def test_wait_reports_each_status_change_and_fetches_the_expanded_job_once() -> None:
    handler, polls = _polling(["PENDING", "PENDING", "RUNNING", "RUNNING", "COMPLETED"])
    seen: list[str] = []
    job = _client(handler).wait("ext-1", poll_interval=0.001, on_status=lambda j: seen.append(j.status))
    assert seen == ["PENDING", "RUNNING", "COMPLETED"]
    assert job.extract_result == {"total": 1.0}
    assert [("expand" in p.url.params) for p in polls] == [False] * 5 + [True]


@pytest.mark.parametrize(("status", "error"), [("FAILED", JobFailedError), ("CANCELLED", JobCancelledError)])
def test_wait_raises_a_typed_error_carrying_the_job(status: str, error: type) -> None:
    handler, _ = _polling(["RUNNING", status], error_message="the PDF is damaged")
    with pytest.raises(error) as caught:
        _client(handler).wait("ext-1", poll_interval=0.001)
    assert caught.value.job.status == status and caught.value.error_message == "the PDF is damaged"


def test_wait_gives_up_at_its_timeout_with_the_last_job_seen() -> None:
    handler, _ = _polling(["RUNNING"])
    client = ExtractClient(BASE, "key", transport=httpx.MockTransport(handler))
    started = time.monotonic()
    with pytest.raises(WaitTimeoutError, match="still RUNNING") as caught:
        client.wait("ext-1", poll_interval=0.01, max_interval=0.02, timeout=0.1)
    assert caught.value.job.status == "RUNNING" and time.monotonic() - started < 5


def test_batch_bounds_concurrency_and_one_throttled_item_does_not_stop_the_rest() -> None:
    lock = threading.Lock()
    in_flight = {"now": 0, "max": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        with lock:
            in_flight["now"] += 1
            in_flight["max"] = max(in_flight["max"], in_flight["now"])
        time.sleep(0.01)
        with lock:
            in_flight["now"] -= 1
        if request.url.path == "/api/v1/beta/files":
            name = request.read().split(b'filename="')[1].split(b'"')[0].decode()
            return httpx.Response(200, json=file_body(f"dfl-{name}", name))
        if b"dfl-c.pdf" in request.read():
            return httpx.Response(429, json={"detail": "slow down"})
        return httpx.Response(200, json=job_body())

    client = _client(handler, max_retries=2)
    progress = []
    items = client.submit_batch(
        [(f"{n}.pdf", b"%PDF") for n in "abcdef"], configuration=CONFIGURATION, concurrency=2,
        on_progress=lambda done, total, item: progress.append((done, total)),
    )
    assert in_flight["max"] <= 2
    assert [item.status for item in items] == ["PENDING", "PENDING", "ERROR", "PENDING", "PENDING", "PENDING"]
    assert isinstance(items[2].error, RateLimitError) and items[2].file.id == "dfl-c.pdf"
    assert progress == [(n, 6) for n in range(1, 7)]


def test_wait_all_polls_jobs_together_and_settles_each_on_its_own() -> None:
    ids = [f"ext-0000000{n}-0000-4000-8000-000000000000" for n in range(3)]
    rounds = {"n": 0}
    lists: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v2/extract":
            lists.append(request)
            rounds["n"] += 1
            asked = request.url.params.get_list("job_ids")
            done = rounds["n"] >= 2
            states = {ids[0]: "COMPLETED" if done else "RUNNING", ids[1]: "FAILED"}
            return httpx.Response(200, json={"items": [job_body(i, states[i], error_message="bad scan") for i in asked if i in states]})
        job_id = request.url.path.rsplit("/", 1)[1]
        if job_id == ids[2]:
            return httpx.Response(404, json={"detail": f"No extract job with ID '{job_id}'"})
        return httpx.Response(200, json=job_body(job_id, "COMPLETED", extract_result={"total": 2.0}))

    progress = []
    items = _client(handler).wait_all(ids, poll_interval=0.001, on_progress=lambda d, t, item: progress.append(item.name))
    assert [item.status for item in items] == ["COMPLETED", "FAILED", "ERROR"]
    assert items[0].job.extract_result == {"total": 2.0}
    assert isinstance(items[1].error, JobFailedError) and items[1].error.error_message == "bad scan"
    assert isinstance(items[2].error, NotFoundError)
    assert sorted(progress) == sorted(ids) and len(lists) == 2
    assert lists[0].url.params.get_list("job_ids") == ids
