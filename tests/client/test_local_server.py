"""The client against the real local server over HTTP: every endpoint family, end to end."""

from __future__ import annotations

import asyncio
import io
import time
from pathlib import Path
from typing import Iterator

import pytest

from lib.client import (
    AsyncExtractClient,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ConnectionFailedError,
    ExtractClient,
    JobFailedError,
    NotFoundError,
)
from lib.review.flatten import flatten_job
from lib.samples import make_sample
from tests.support.server import RunningServer, start_server

MISSING_JOB = "ext-00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def invoice():
    return make_sample("invoice", fmt="pdf")


@pytest.fixture(scope="module")
def client(local_server: RunningServer) -> Iterator[ExtractClient]:
    with ExtractClient(local_server.url, local_server.api_key) as client:
        yield client


@pytest.fixture(scope="module")
def uploaded(client: ExtractClient, invoice):
    return client.upload_file(invoice.data, name=invoice.filename)


def _configuration(invoice) -> dict:
    return {"data_schema": invoice.schema, "cite_sources": True, "confidence_scores": True}


def test_health_answers(client: ExtractClient, local_server: RunningServer) -> None:
    assert client.health()["base_url"] == local_server.url


def test_upload_from_path_bytes_and_file_object(client: ExtractClient, invoice, tmp_path: Path) -> None:
    path = tmp_path / invoice.filename
    path.write_bytes(invoice.data)
    from_path = client.upload_file(path)
    from_bytes = client.upload_file(invoice.data, name="second.pdf", external_file_id="crm-42")
    from_object = client.upload_file(io.BytesIO(invoice.data), name="third.pdf", purpose="parse")
    assert from_path.name == invoice.filename and from_path.id.startswith("dfl-")
    assert client.get_file(from_bytes.id).external_file_id == "crm-42"
    assert from_object.purpose == "parse"
    listed = {file.id for file in client.list_files(page_size=1)}
    assert {from_path.id, from_bytes.id, from_object.id} <= listed
    assert client.download_file(from_path.id) == invoice.data
    client.delete_file(from_object.id)
    with pytest.raises(NotFoundError):
        client.get_file(from_object.id)


def test_job_runs_to_completion_and_flattens(client: ExtractClient, uploaded, invoice) -> None:
    job = client.create_job(uploaded.id, configuration=_configuration(invoice))
    seen: list[str] = []
    done = client.wait(job.id, poll_interval=0.1, on_status=lambda j: seen.append(j.status))
    assert done.status == "COMPLETED" and seen[-1] == "COMPLETED"
    assert len(seen) == len(set(seen)), "the callback fires on changes only"
    assert done.configuration is not None and done.extract_metadata is not None
    flat = flatten_job(done)
    row = flat.fields.set_index("path").loc["total"]
    assert row["value"] == done.extract_result["total"]
    assert row["pages"] == [invoice.field_pages["total"]]
    assert 0.0 <= row["confidence"] <= 1.0
    assert "line_items" in flat.children


def test_list_jobs_follows_pages_and_filters(client: ExtractClient, uploaded, invoice) -> None:
    created = [client.create_job(uploaded.id, configuration=_configuration(invoice)).id for _ in range(3)]
    every = [job.id for job in client.list_jobs(page_size=1, file_input=uploaded.id)]
    assert set(created) <= set(every)
    assert len(every) == len(set(every))
    assert [job.id for job in client.list_jobs_page(job_ids=created[:2], page_size=10).items] == created[1::-1]
    client.wait_all(created, poll_interval=0.1)


def test_failed_job_raises_with_the_backends_reason(client: ExtractClient, invoice) -> None:
    broken = client.upload_file(b"%PDF-1.4 truncated", name="broken.pdf")
    job = client.create_job(broken.id, configuration=_configuration(invoice))
    with pytest.raises(JobFailedError) as caught:
        client.wait(job.id, poll_interval=0.1)
    assert caught.value.job.status == "FAILED"
    assert caught.value.error_message and caught.value.error_message in str(caught.value)


def test_finished_job_cannot_be_cancelled_but_can_be_deleted(client: ExtractClient, uploaded, invoice) -> None:
    job = client.wait(client.create_job(uploaded.id, configuration=_configuration(invoice)).id, poll_interval=0.1)
    with pytest.raises(ConflictError, match="cannot be cancelled"):
        client.cancel_job(job.id)
    client.delete_job(job.id)
    with pytest.raises(NotFoundError, match=job.id):
        client.get_job(job.id)


def test_bad_requests_carry_the_servers_detail(client: ExtractClient, uploaded) -> None:
    with pytest.raises(BadRequestError, match="nonsense"):
        client.validate_schema({"type": "object", "properties": {"a": {"type": "nonsense"}}})
    schema = {"type": "object", "properties": {"total": {"type": "number"}}}
    with pytest.raises(BadRequestError, match="file_input"):
        client.create_job("not-an-id", configuration={"data_schema": schema})
    with pytest.raises(NotFoundError):
        client.get_job(MISSING_JOB)
    assert "total" in client.validate_schema(schema)["properties"]


def test_saved_configuration_lifecycle(client: ExtractClient, uploaded, invoice) -> None:
    saved = client.create_configuration("invoices", {"data_schema": invoice.schema, "tier": "cost_effective"})
    assert saved.id.startswith("cfg-") and saved.parameters.product_type == "extract_v2"
    renamed = client.update_configuration(saved.id, name="invoices v2")
    assert client.get_configuration(saved.id).name == renamed.name == "invoices v2"
    assert saved.id in {c.id for c in client.list_configurations(page_size=1)}
    job = client.wait(client.create_job(uploaded.id, configuration_id=saved.id).id, poll_interval=0.1)
    assert job.configuration_id == saved.id and job.status == "COMPLETED"
    client.delete_configuration(saved.id)
    with pytest.raises(NotFoundError):
        client.get_configuration(saved.id)


def test_generate_schema_and_parse_job(client: ExtractClient, uploaded, invoice) -> None:
    proposal = client.generate_schema(prompt="the invoice number and the total")
    assert proposal.parameters.data_schema.get("properties")
    parse = client.create_parse_job(uploaded.id)
    assert parse.id.startswith("pjb-")
    deadline = time.monotonic() + 60
    result = client.get_parse_job(parse.id)
    while result.job.status not in ("COMPLETED", "FAILED") and time.monotonic() < deadline:
        time.sleep(0.2)
        result = client.get_parse_job(parse.id)
    assert result.job.status == "COMPLETED"
    assert invoice.printed["invoice_number"] in " ".join(page.text for page in result.text.pages)


def test_batch_reports_a_bad_item_and_finishes_the_rest(client: ExtractClient, uploaded, invoice, tmp_path: Path) -> None:
    progress: list[tuple[int, int, str]] = []
    items = client.submit_batch(
        [(invoice.filename, invoice.data), uploaded, tmp_path / "missing.pdf"],
        configuration=_configuration(invoice),
        concurrency=2,
        on_progress=lambda done, total, item: progress.append((done, total, item.name)),
    )
    assert [done for done, _, _ in progress] == [1, 2, 3]
    assert items[2].status == "ERROR" and "missing.pdf" in str(items[2].error)
    assert items[1].file_input == uploaded.id and items[0].file is not None
    finished = client.wait_all(items, poll_interval=0.1)
    assert [item.status for item in finished] == ["COMPLETED", "COMPLETED", "ERROR"]
    assert finished[0].job.extract_result["total"] == finished[1].job.extract_result["total"]


def test_async_client_runs_the_same_flow(local_server: RunningServer, invoice) -> None:
    async def flow() -> tuple[str, list[str]]:
        async with AsyncExtractClient(local_server.url, local_server.api_key) as client:
            file = await client.upload_file(invoice.data, name=invoice.filename)
            job = await client.create_job(file.id, configuration=_configuration(invoice))
            done = await client.wait(job.id, poll_interval=0.1)
            listed = [j.id async for j in client.list_jobs(page_size=2, file_input=file.id)]
            return done.status, listed

    status, listed = asyncio.run(flow())
    assert status == "COMPLETED" and len(listed) == 1


def test_key_and_reachability_errors_say_what_to_check(tmp_path: Path) -> None:
    server = start_server(tmp_path / "keyed", api_key="right-key")
    try:
        with pytest.raises(AuthenticationError, match=f"missing or wrong for {server.url}"):
            ExtractClient(server.url, "wrong-key").list_jobs_page()
        with pytest.raises(AuthenticationError):
            ExtractClient(server.url, "").list_jobs_page()
        assert ExtractClient(server.url, "right-key").list_jobs_page().items == []
        url = server.url
    finally:
        server.stop()
    with pytest.raises(ConnectionFailedError, match="check that the server is running") as caught:
        ExtractClient(url, "right-key", max_retries=1, backoff_base=0.01).health()
    assert url in str(caught.value)
