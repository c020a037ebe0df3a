"""The Submit page's checks, without Streamlit: file inspection, option validation, request building."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import docx
import openpyxl
import pymupdf
import pytest
from PIL import Image

from lib.api.models import ExtractJobCreate, ExtractV2Job
from lib.submission import (
    FileInfo,
    PageSpecError,
    SubmitOptions,
    WebhookOptions,
    build_configuration,
    build_webhooks,
    configuration_summary,
    format_duration,
    format_size,
    inspect_file,
    job_request,
    job_row,
    parse_headers,
    parse_target_pages,
    sniff_kind,
    validate_options,
)

SCHEMA = {"type": "object", "title": "Invoice", "properties": {"total": {"type": "number"}, "vendor": {"type": "string"}}}


def pdf_bytes(pages: int) -> bytes:
    document = pymupdf.open()
    for number in range(pages):
        document.new_page().insert_text((72, 72), f"Page {number + 1}")
    data = document.tobytes()
    document.close()
    return data


def image_bytes(fmt: str, frames: int = 1) -> bytes:
    buffer = io.BytesIO()
    images = [Image.new("RGB", (40, 30), "white") for _ in range(frames)]
    images[0].save(buffer, fmt, save_all=frames > 1, append_images=images[1:])
    return buffer.getvalue()


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("Invoice INV-1")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(sheets: int) -> bytes:
    workbook = openpyxl.Workbook()
    for number in range(1, sheets):
        workbook.create_sheet(f"Sheet{number + 1}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- inspection ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "kind", "pages"),
    [
        ("a.pdf", pdf_bytes(3), "pdf", 3),
        ("a.png", image_bytes("PNG"), "png", 1),
        ("a.jpg", image_bytes("JPEG"), "jpeg", 1),
        ("a.tiff", image_bytes("TIFF", frames=2), "tiff", 2),
        ("a.docx", docx_bytes(), "docx", 1),
        ("a.xlsx", xlsx_bytes(3), "xlsx", 3),
        ("a.csv", b"item,amount\nwidget,3\n", "csv", 1),
        ("a.html", b"<!DOCTYPE html><html><body><p>x</p></body></html>", "html", 1),
        ("a.txt", "Total: 12,50 \u20ac\n".encode(), "txt", 1),
        ("a.md", b"# Title\n\ntext", "md", 1),
    ],
)
def test_inspect_reads_kind_and_page_count(name: str, data: bytes, kind: str, pages: int) -> None:
    info = inspect_file(name, data)
    assert (info.kind, info.page_count, info.size) == (kind, pages, len(data))
    assert info.accepted and info.warning is None


def test_kind_comes_from_the_bytes_not_the_name() -> None:
    info = inspect_file("statement.txt", pdf_bytes(2))
    assert info.kind == "pdf" and info.page_count == 2
    assert info.accepted
    assert ".txt" in info.warning and "PDF" in info.warning


def test_unsupported_content_is_refused_with_the_reason() -> None:
    info = inspect_file("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200))
    assert not info.accepted
    assert "Unsupported file type" in info.refusal and "PDF" in info.refusal


def test_zip_that_is_not_office_is_refused() -> None:
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert not inspect_file("a.docx", buffer.getvalue()).accepted


def test_empty_and_oversized_files_are_refused() -> None:
    assert "empty" in inspect_file("a.pdf", b"").refusal
    big = inspect_file("a.pdf", pdf_bytes(1), max_bytes=100)
    assert not big.accepted and "over the backend's limit of 100 B" in big.refusal


def test_a_truncated_pdf_is_sent_but_flagged() -> None:
    info = inspect_file("broken.pdf", pdf_bytes(2)[:300])
    assert info.accepted and info.kind == "pdf" and info.page_count is None
    assert "could not be opened" in info.warning


def test_csv_is_told_from_text_by_its_columns() -> None:
    assert sniff_kind("export", b"a;b;c\n1;2;3\n4;5;6\n") == "csv"
    assert sniff_kind("notes", b"Dear customer,\nyour invoice is attached.\n") == "txt"


def test_format_size() -> None:
    assert [format_size(n) for n in (12, 2048, 5 * 1024**2, 3 * 1024**3)] == ["12 B", "2.0 KB", "5.0 MB", "3.0 GB"]


# --- target pages -------------------------------------------------------------------------------


def test_target_pages_parse() -> None:
    assert parse_target_pages("1,3,5-7") == [1, 3, 5, 6, 7]
    assert parse_target_pages(" 2 , 1-2 ,9 ") == [1, 2, 9]


@pytest.mark.parametrize(("spec", "says"), [("", "empty"), ("1,,2", "extra comma"), ("0", "from 1"), ("7-5", "lower page"), ("a", "not a page"), ("1-2-3", "not a page"), ("-3", "not a page")])
def test_target_pages_errors_name_the_bad_part(spec: str, says: str) -> None:
    with pytest.raises(PageSpecError, match=says):
        parse_target_pages(spec)


def test_target_pages_checked_against_each_file() -> None:
    files = [FileInfo("short.pdf", 10, "pdf", 2), FileInfo("long.pdf", 10, "pdf", 9), FileInfo("broken.pdf", 10, "pdf", None)]
    problems = validate_options(SubmitOptions(data_schema=SCHEMA, target_pages="1,3,5-7"), files)
    assert [(p.field, p.message) for p in problems] == [
        ("target_pages", "short.pdf has 2 page(s); page 7 does not exist in it.")
    ]


def test_bad_page_spec_is_one_problem_with_the_syntax() -> None:
    problems = validate_options(SubmitOptions(data_schema=SCHEMA, target_pages="3-1"), [FileInfo("a.pdf", 1, "pdf", 5)])
    assert len(problems) == 1 and problems[0].field == "target_pages" and "1,3,5-7" in problems[0].message


# --- the other options --------------------------------------------------------------------------


def test_exactly_one_of_schema_and_configuration() -> None:
    both = validate_options(SubmitOptions(data_schema=SCHEMA, configuration_id="cfg-1"))
    neither = validate_options(SubmitOptions())
    assert [p.field for p in both] == ["source"] and "not both" in both[0].message
    assert [p.field for p in neither] == ["source"] and "Nothing to extract with" in neither[0].message
    assert validate_options(SubmitOptions(configuration_id="cfg-1")) == []
    assert validate_options(SubmitOptions(data_schema=SCHEMA)) == []


def test_a_configuration_id_must_look_like_one() -> None:
    assert "not a configuration ID" in validate_options(SubmitOptions(configuration_id="ext-1"))[0].message


def test_schema_root_must_be_an_object() -> None:
    assert validate_options(SubmitOptions(data_schema={"type": "array"}))[0].field == "source"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"extraction_target": "per_word"}, "extraction_target"),
        ({"tier": "premium"}, "tier"),
        ({"parse_tier": "slow"}, "parse_tier"),
        ({"extract_version": "v2"}, "extract_version"),
        ({"extract_version": "2026-02-30"}, "extract_version"),
        ({"max_pages": 0}, "max_pages"),
    ],
)
def test_each_bad_option_is_reported_on_its_field(changes: dict, field: str) -> None:
    problems = validate_options(SubmitOptions(data_schema=SCHEMA, **changes))
    assert [p.field for p in problems] == [field]


def test_good_option_values_pass() -> None:
    options = SubmitOptions(data_schema=SCHEMA, tier="agentic", parse_tier="fast", extract_version="2026-01-08", max_pages=4)
    assert validate_options(options) == []


def test_webhook_checks() -> None:
    bad = WebhookOptions(url="ftp://x", events=["extract.success", "extract.exploded"], headers_text="no colon", output_format="xml")
    fields = [p.field for p in validate_options(SubmitOptions(data_schema=SCHEMA, webhooks=[bad]))]
    assert fields == ["webhooks[0].url", "webhooks[0].events", "webhooks[0].output_format", "webhooks[0].headers"]
    good = WebhookOptions(url="https://hooks.example.com/x", events=["extract.success"], headers_text="Authorization: Bearer t\n\nX-Team: ops")
    assert validate_options(SubmitOptions(data_schema=SCHEMA, webhooks=[good])) == []


def test_parse_headers() -> None:
    assert parse_headers("A: 1\nB-c:  two words \n") == {"A": "1", "B-c": "two words"}
    with pytest.raises(ValueError, match="line 1"):
        parse_headers("Bad Name: x")


# --- building the request -----------------------------------------------------------------------


def test_inline_configuration_leaves_out_empty_options() -> None:
    options = SubmitOptions(data_schema=SCHEMA, extraction_target="per_page", tier="agentic", target_pages=" 1-2 ", system_prompt="  ", max_pages=None)
    config = build_configuration(options)
    assert config.model_dump(exclude_none=True) == {
        "data_schema": SCHEMA,
        "extraction_target": "per_page",
        "cite_sources": True,
        "confidence_scores": True,
        "tier": "agentic",
        "extract_version": "latest",
        "target_pages": "1-2",
    }


def test_job_request_with_webhooks_is_a_valid_create_body() -> None:
    hook = WebhookOptions(url="https://h.example/x", events=["extract.success"], headers_text="X-A: 1", output_format="json", signing_secret="s3")
    request = job_request(SubmitOptions(data_schema=SCHEMA, webhooks=[hook]))
    body = ExtractJobCreate(file_input="dfl-1", **request).model_dump(exclude_none=True)
    assert body["webhook_configurations"] == [
        {"webhook_url": "https://h.example/x", "webhook_events": ["extract.success"], "webhook_headers": {"X-A": "1"}, "webhook_output_format": "json", "webhook_signing_secret": "s3"}
    ]
    assert body["configuration"]["data_schema"] == SCHEMA and "configuration_id" not in body


def test_job_request_with_saved_configuration_sends_only_its_id() -> None:
    request = job_request(SubmitOptions(configuration_id="cfg-9", tier="agentic"))
    assert request == {"configuration_id": "cfg-9"}
    assert build_webhooks(SubmitOptions(configuration_id="cfg-9")) is None


def test_job_request_refuses_invalid_options() -> None:
    with pytest.raises(ValueError, match="not both"):
        job_request(SubmitOptions(data_schema=SCHEMA, configuration_id="cfg-1"))


def test_configuration_summary() -> None:
    assert configuration_summary(SubmitOptions(data_schema=SCHEMA, tier="agentic", target_pages="1-2")) == "Invoice (2 fields) · per_doc · agentic · 1-2"
    assert configuration_summary(SubmitOptions(configuration_id="cfg-9"), "Invoices v2") == "saved configuration Invoices v2"


# --- job table rows -----------------------------------------------------------------------------


def _job(status: str, created: datetime, updated: datetime, **extra) -> ExtractV2Job:
    return ExtractV2Job(id="ext-1", created_at=created, updated_at=updated, file_input="dfl-1", project_id="prj-1", status=status, **extra)


def test_job_row_of_finished_and_running_jobs() -> None:
    start = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
    done = job_row("a.pdf", _job("COMPLETED", start, start + timedelta(seconds=7), metadata={"usage": {"num_pages_extracted": 3}}), now=start + timedelta(hours=1))
    assert (done.status, done.elapsed_s, done.pages, done.error, done.active) == ("COMPLETED", 7.0, 3, None, False)
    running = job_row("a.pdf", _job("RUNNING", start, start), now=start + timedelta(seconds=30))
    assert running.elapsed_s == 30.0 and running.active and not running.stuck


def test_job_row_shows_the_failure_message_and_stuck_jobs() -> None:
    start = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
    failed = job_row("a.pdf", _job("FAILED", start, start, error_message="Cannot open PDF"), now=start)
    assert failed.error == "Cannot open PDF"
    stuck = job_row("a.pdf", _job("PENDING", start, start), now=start + timedelta(seconds=400), stuck_after_s=300)
    assert stuck.stuck and "Still PENDING after 6 min 40 s" in stuck.error and "cancel" in stuck.error


def test_format_duration() -> None:
    assert [format_duration(s) for s in (4.4, 65, 3725)] == ["4 s", "1 min 05 s", "1 h 02 min"]
