"""The official ``llama-cloud`` SDK, unchanged, pointed at our server (``base_url``)."""

from __future__ import annotations

import io
import os

import pytest
from llama_cloud import BadRequestError, LlamaCloud, NotFoundError
from llama_cloud._polling import PollingError

from lib.engine import extract_file
from tests.server.helpers import TEXT_SCHEMA

FAST_POLL = {"polling_interval": 0.1, "max_interval": 0.5, "backoff": "constant"}


@pytest.fixture(scope="module")
def sdk(api_server) -> LlamaCloud:
    return LlamaCloud(api_key="any-string", base_url=api_server.url, max_retries=0)


@pytest.fixture(scope="module")
def sdk_invoice(sdk: LlamaCloud, invoice):
    return sdk.files.create(file=(invoice.filename, io.BytesIO(invoice.data), "application/pdf"), purpose="extract")


def test_files_create_extract_create_wait(sdk: LlamaCloud, invoice, sdk_invoice) -> None:
    assert sdk_invoice.id.startswith("dfl-") and sdk_invoice.file_type == "pdf"
    assert sdk.files.retrieve(sdk_invoice.id).name == invoice.filename
    assert sdk.files.content(sdk_invoice.id).url
    job = sdk.extract.create(file_input=sdk_invoice.id, configuration={"data_schema": invoice.schema, "cite_sources": True})
    assert job.status == "PENDING"
    done = sdk.extract.wait_for_completion(job.id, **FAST_POLL)
    assert done.status == "COMPLETED"
    assert done.extract_result == extract_file(invoice.data, invoice.filename, {"data_schema": invoice.schema}).extract_result
    citations = done.extract_metadata.field_metadata.document_metadata["invoice_number"]["citation"]
    assert citations[0]["page"] == 1 and citations[0]["matching_text"] == invoice.expected["invoice_number"]
    with_usage = sdk.extract.get(job.id, expand=["usage", "configuration"])
    assert with_usage.metadata.usage.num_pages_extracted == 1 and with_usage.configuration.cite_sources is True


def test_run_list_and_delete(sdk: LlamaCloud, sdk_invoice, invoice) -> None:
    done = sdk.extract.run(file_input=sdk_invoice.id, configuration={"data_schema": invoice.schema}, **FAST_POLL)
    assert done.status == "COMPLETED" and done.extract_result["total"] == invoice.expected["total"]
    first_page = sdk.extract.list(page_size=1)
    assert len(first_page.items) == 1 and first_page.next_page_token
    ids = [job.id for job in sdk.extract.list(page_size=2, file_input=sdk_invoice.id)]  # auto-paging
    assert done.id in ids and len(ids) == len(set(ids)) >= 2
    assert [j.id for j in sdk.extract.list(job_ids=[done.id], status="COMPLETED")] == [done.id]
    sdk.extract.delete(done.id)
    with pytest.raises(NotFoundError):
        sdk.extract.get(done.id)
    assert sum(1 for _ in sdk.files.list(page_size=1)) >= 1


def test_cancel(sdk: LlamaCloud, api_server, slow_document) -> None:
    uploaded = sdk.files.create(file=(slow_document.filename, slow_document.data), purpose="extract")
    job = sdk.extract.create(file_input=uploaded.id, configuration={"data_schema": slow_document.schema})
    cancelled = sdk.extract.cancel(job.id)
    assert cancelled.status == "CANCELLED"
    with pytest.raises(PollingError, match="CANCELLED"):
        sdk.extract.wait_for_completion(job.id, **FAST_POLL)


def test_failed_job_raises_with_its_message(sdk: LlamaCloud) -> None:
    junk = sdk.files.create(file=("junk.pdf", os.urandom(2048)), purpose="extract")
    with pytest.raises(PollingError, match="FAILED.*Error: "):
        sdk.extract.run(file_input=junk.id, configuration={"data_schema": TEXT_SCHEMA}, **FAST_POLL)


def test_validate_schema(sdk: LlamaCloud) -> None:
    valid = sdk.extract.validate_schema(data_schema=TEXT_SCHEMA)
    assert set(valid.data_schema["properties"]) == {"invoice_number", "total"}
    with pytest.raises(BadRequestError) as error:
        sdk.extract.validate_schema(data_schema={"type": "object", "properties": {"a": {"type": "object", "properties": {
            "b": {"$ref": "#/$defs/missing"}}}}})
    assert "/properties/a/properties/b" in str(error.value)


def test_generate_schema(sdk: LlamaCloud, sdk_invoice) -> None:
    generated = sdk.extract.generate_schema(prompt="invoice number, date, total, line items with description, "
                                                   "quantity and price")
    properties = generated.parameters.data_schema["properties"]
    assert generated.parameters.product_type == "extract_v2" and generated.name
    assert {"invoice_number", "date", "total", "line_items"} <= set(properties)
    assert set(properties["line_items"]["items"]["properties"]) >= {"description", "quantity", "price"}
    from_file = sdk.extract.generate_schema(file_id=sdk_invoice.id, name="from the invoice")
    assert from_file.name == "from the invoice" and from_file.parameters.data_schema["properties"]


def test_configuration_then_job_by_id(sdk: LlamaCloud, sdk_invoice, invoice) -> None:
    config = sdk.configurations.create(name=f"sdk-{os.urandom(3).hex()}", parameters={
        "product_type": "extract_v2", "data_schema": invoice.schema, "tier": "agentic"})
    assert config.id.startswith("cfg-") and config.parameters.tier == "agentic"
    assert sdk.configurations.retrieve(config.id).name == config.name
    assert config.id in [c.id for c in sdk.configurations.list(name=config.name)]
    updated = sdk.configurations.update(config.id, name=config.name + "-2")
    assert updated.name == config.name + "-2"
    done = sdk.extract.run(file_input=sdk_invoice.id, configuration_id=config.id, **FAST_POLL)
    assert done.configuration_id == config.id and done.status == "COMPLETED"
    assert done.extract_result["invoice_number"] == invoice.expected["invoice_number"]
    sdk.configurations.delete(config.id)
    with pytest.raises(NotFoundError):
        sdk.configurations.retrieve(config.id)


def test_parse_then_extract_on_pjb(sdk: LlamaCloud, sdk_invoice, invoice) -> None:
    parse = sdk.parsing.create(tier="fast", version="latest", file_id=sdk_invoice.id)
    assert parse.id.startswith("pjb-")
    sdk.parsing.wait_for_completion(parse.id, **FAST_POLL)
    result = sdk.parsing.get(parse.id, expand=["text", "markdown"])
    assert invoice.expected["invoice_number"] in result.text.pages[0].text
    assert result.markdown.pages[0].success
    done = sdk.extract.run(file_input=parse.id, configuration={"data_schema": invoice.schema}, **FAST_POLL)
    assert done.status == "COMPLETED" and done.extract_result["invoice_number"] == invoice.expected["invoice_number"]

