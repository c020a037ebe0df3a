"""The Submit page under AppTest, against the real local server: option checks, several files through
to COMPLETED, a corrupt PDF's FAILED message, a saved configuration, cancel and retry of a running job,
and jobs seen again by a new session."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import pandas as pd
import pytest

from lib.client import ExtractClient
from lib.review.load import JOBS
from lib.review.submissions import SubmissionStore
from lib.samples import demo_samples, long_pdf, scanned_pages
from lib.samples.templates import TEMPLATES
from lib.ui import state
from lib.ui.job_table import PREFETCH_NEWEST
from tests.support.server import start_server
from tests.ui.support import app_test, point_app_at, texts

PAGE = "pages/submit.py"
PDF = "application/pdf"


@pytest.fixture(scope="module")
def samples() -> dict[str, bytes]:
    """The demo invoice (1 page), receipt (1 page) and statement (3 pages), by file name."""
    return {sample.filename: sample.data for sample in demo_samples()}


@pytest.fixture
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, local_server) -> Path:
    point_app_at(monkeypatch, tmp_path / "studio", local_server.url)
    return tmp_path / "studio"


@pytest.fixture
def at(data_dir: Path):
    return open_page()


def open_page():
    app = app_test(PAGE).run()
    assert not app.exception, app.exception
    return app


def upload(at, files: list[tuple[str, bytes]]):
    at.file_uploader[0].set_value([(name, data, PDF) for name, data in files])
    at.run()
    assert not at.exception, at.exception
    return at


def errors(at) -> list[str]:
    return [str(e.value) for e in at.error]


def submit_button(at):
    return at.button(key="_submit_go")


def job_table(at) -> pd.DataFrame:
    tables = [frame.value for frame in at.dataframe if "Job ID" in frame.value.columns]
    assert tables, "no job table on the page"
    return tables[0]


def wait_until(at, done: Callable[[pd.DataFrame], bool], timeout: float = 45.0) -> pd.DataFrame:
    """Rerun the page (as the fragment's timer would) until the job table satisfies ``done``."""
    deadline = time.monotonic() + timeout
    while True:
        table = job_table(at)
        if done(table):
            return table
        assert time.monotonic() < deadline, f"job table never got there:\n{table.to_string()}"
        time.sleep(0.3)
        at.run()
        assert not at.exception, at.exception


def all_finished(table: pd.DataFrame) -> bool:
    return bool(len(table)) and table["Status"].isin(["COMPLETED", "FAILED", "CANCELLED"]).all()


def test_target_pages_are_checked_against_each_files_page_count(at, samples) -> None:
    upload(at, [("demo-invoice.pdf", samples["demo-invoice.pdf"]), ("demo-statement.pdf", samples["demo-statement.pdf"])])
    assert list(at.dataframe[0].value["Pages"]) == [1, 3]
    at.text_input(key="_submit_opt_target_pages").set_value("2-3").run()
    assert errors(at) == ["**Target pages**: demo-invoice.pdf has 1 page(s); page 3 does not exist in it."]
    assert submit_button(at).disabled
    at.text_input(key="_submit_opt_target_pages").set_value("3-1").run()
    assert len(errors(at)) == 1 and "a range goes from the lower page to the higher one" in errors(at)[0]
    assert "1,3,5-7" in errors(at)[0] and submit_button(at).disabled
    at.text_input(key="_submit_opt_target_pages").set_value("1").run()
    assert errors(at) == [] and not submit_button(at).disabled
    assert submit_button(at).label == "Submit 2 documents"
    assert at.session_state[state.CONFIGURATION]["target_pages"] == "1", "the Schema page saves what was chosen here"


def test_webhook_fields_are_checked(at, samples) -> None:
    upload(at, [("demo-invoice.pdf", samples["demo-invoice.pdf"])])
    at.number_input(key="_submit_webhook_count").set_value(1).run()
    at.text_input(key="_submit_webhook_0_url").set_value("ftp://hooks.example.com").run()
    at.text_area(key="_submit_webhook_0_headers").set_value("Authorization Bearer x").run()
    assert errors(at) == [
        "**Webhook 1 url**: 'ftp://hooks.example.com' is not an http:// or https:// URL.",
        "**Webhook 1 headers**: Header line 1 ('Authorization Bearer x') is not of the form 'Name: value'.",
    ]
    assert submit_button(at).disabled
    at.text_input(key="_submit_webhook_0_url").set_value("https://hooks.example.com/extract").run()
    at.text_area(key="_submit_webhook_0_headers").set_value("Authorization: Bearer x").run()
    assert errors(at) == [] and not submit_button(at).disabled


def test_nothing_to_extract_with_blocks_submit_and_a_saved_configuration_is_sent_by_id(
    data_dir, samples, local_server
) -> None:
    with ExtractClient(local_server.url) as client:
        uploaded = client.upload_file(samples["demo-receipt.pdf"], name=f"receipt-{time.monotonic_ns()}.pdf")
        saved = client.create_configuration(
            f"receipts {time.monotonic_ns()}", {"data_schema": TEMPLATES["receipt"].schema, "extraction_target": "per_doc"}
        )
    at = app_test(PAGE)
    at.session_state[state.SCHEMA_TEXT] = '{"type": "object",'
    at.session_state[state.SCHEMA] = None
    at.run()
    at.multiselect(key="_submit_backend_files").set_value([uploaded.id]).run()
    assert at.dataframe[0].value["From"].tolist() == ["backend"]
    assert any("Nothing to extract with" in e for e in errors(at)), errors(at)
    assert submit_button(at).disabled

    at.radio(key="_submit_mode").set_value("A saved configuration").run()
    at.selectbox(key="_submit_saved_configuration").set_value(saved.id).run()
    assert errors(at) == [] and not submit_button(at).disabled
    submit_button(at).click().run()
    table = wait_until(at, all_finished)
    assert list(table["Status"]) == ["COMPLETED"] and saved.name in table["Configuration"][0]
    assert table["File"].tolist() == [uploaded.name]
    with ExtractClient(local_server.url) as client:
        job = client.get_job(table["Job ID"][0])
    assert job.configuration_id == saved.id and job.file_input == uploaded.id, "sent by ID, not uploaded again"


def test_several_files_complete_a_corrupt_pdf_fails_with_its_message_and_a_new_session_sees_them(
    at, samples, data_dir
) -> None:
    names = ["demo-invoice.pdf", "demo-receipt.pdf", "demo-statement.pdf"]
    broken = samples["demo-invoice.pdf"][:300]
    upload(at, [(name, samples[name]) for name in names] + [("broken.pdf", broken)])
    assert any("broken.pdf" in w and "could not be opened" in w for w in texts(at)), "flagged before sending"
    submit_button(at).click().run()
    assert any("4 job(s) created" in t for t in texts(at)), texts(at)
    table = wait_until(at, all_finished)
    assert list(table["File"]) == names + ["broken.pdf"]
    assert list(table["Status"]) == ["COMPLETED"] * 3 + ["FAILED"]
    failure = table["Error"][3]
    assert "damaged" in failure or "PDF" in failure, failure
    assert table["Error"][:3].tolist() == ["", "", ""]
    assert table["Pages"].tolist()[:3] == [1, 1, 3]
    JOBS._background.submit(lambda: None).result(timeout=60)  # the prefetches queued before this are done
    backend_id = at.session_state[state.BACKEND].id
    prefetched = [job_id for job_id in table["Job ID"][:3] if (backend_id, job_id) in JOBS]
    assert len(prefetched) == PREFETCH_NEWEST, "the newest finished jobs were loaded for the Results page"

    at.selectbox(key="_job_table_selected").set_value(table["Job ID"][3]).run()
    assert f"broken.pdf: {failure}" in errors(at)

    records = SubmissionStore(data_dir / "studio.db").list(at.session_state[state.BACKEND].id)
    assert sorted(record.file_name for record in records) == sorted(names + ["broken.pdf"])

    another_tab = open_page()
    seen = job_table(another_tab)
    assert list(seen["Job ID"]) == list(table["Job ID"]) and list(seen["Status"]) == list(table["Status"])


def test_cancel_a_running_job_then_retry_it(at, data_dir) -> None:
    scanned = scanned_pages(6)
    upload(at, [(scanned.filename, scanned.data)])
    at.number_input(key="_submit_stuck_after").set_value(1).run()
    submit_button(at).click().run()
    table = wait_until(at, lambda t: t["Status"][0] == "RUNNING (stuck)")
    job_id = table["Job ID"][0]
    [warning] = [w for w in texts(at) if "Still RUNNING after" in w]
    assert job_id in warning and "cancel it or wait" in warning
    at.selectbox(key="_job_table_selected").set_value(job_id).run()
    assert not at.button(key="_job_cancel").disabled and at.button(key="_job_retry").disabled
    at.button(key=f"_job_cancel_stuck_{job_id}").click().run()
    table = wait_until(at, lambda t: t["Status"][0] == "CANCELLED")
    assert not any("Still RUNNING after" in t for t in texts(at))
    assert any(f"{job_id} is CANCELLED" in t for t in texts(at)), texts(at)

    at.button(key="_job_retry").click().run()
    table = job_table(at)
    retry_id = table["Job ID"][0]
    assert len(table) == 2 and retry_id != job_id and table["File"][0] == scanned.filename
    assert table["Status"][0] in ("PENDING", "RUNNING")
    record = SubmissionStore(data_dir / "studio.db").get(at.session_state[state.BACKEND].id, retry_id)
    assert record.retry_of == job_id

    at.selectbox(key="_job_table_selected").set_value(retry_id).run()
    at.button(key="_job_cancel").click().run()
    wait_until(at, lambda t: t["Status"][0] == "CANCELLED")


def test_try_a_sample_adds_it_and_makes_its_template_the_working_schema(at) -> None:
    invoice_button = next(button for button in at.button if button.label.startswith("Try: Invoice"))
    invoice_button.click().run()
    assert at.dataframe[0].value["File"].tolist() == ["demo-invoice.pdf"]
    assert at.session_state[state.SCHEMA] == TEMPLATES["invoice"].schema
    assert any("The working schema is now the" in t for t in texts(at))
    assert not submit_button(at).disabled


def test_an_unreachable_backend_names_its_url_and_what_to_check(monkeypatch, tmp_path) -> None:
    point_app_at(monkeypatch, tmp_path / "studio", "http://127.0.0.1:9")
    at = open_page()
    [message] = errors(at)
    assert "http://127.0.0.1:9" in message and "What to check" in message and "python -m lib.server" in message
    assert not at.file_uploader, "nothing to submit to: the page stops at the message"


def test_a_rejected_key_is_said_and_a_file_the_server_refuses_gets_its_own_row(monkeypatch, tmp_path, samples) -> None:
    with start_server(tmp_path / "keyed", api_key="s3cret", extra_env={"EXTRACT_SERVER_MAX_FILE_MB": "0.01"}) as server:
        point_app_at(monkeypatch, tmp_path / "studio", server.url)
        at = open_page()
        [message] = errors(at)
        assert server.url in message and "API key" in message, message

        monkeypatch.setenv("STUDIO_SERVER_API_KEY", "s3cret")
        at = open_page()
        big = long_pdf(10)
        assert len(big.data) > 0.01 * 1024 * 1024 > len(samples["demo-invoice.pdf"])
        upload(at, [("demo-invoice.pdf", samples["demo-invoice.pdf"]), (big.filename, big.data)])
        submit_button(at).click().run()
        assert any("1 job(s) created; 1 file(s) could not be sent" in t for t in texts(at)), texts(at)
        table = job_table(at)
        assert table["File"].tolist() == [big.filename, "demo-invoice.pdf"]
        assert table["Status"][0] == "NOT SENT" and table["Status"][1] in ("PENDING", "RUNNING", "COMPLETED")
        assert "too large" in table["Error"][0], table["Error"][0]

        at.selectbox(key="_job_table_selected").set_value(at.selectbox(key="_job_table_selected").options[0]).run()
        at.button(key="_job_retry").click().run()
        table = job_table(at)
        assert table["File"].tolist() == [big.filename, "demo-invoice.pdf"], "a failed retry replaces its row"
        assert table["Status"][0] == "NOT SENT" and "too large" in table["Error"][0]
