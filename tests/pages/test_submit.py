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
from lib.review.submissions import SubmissionStore
from lib.samples.generate import demo_samples, scanned_pages
from lib.samples.templates import TEMPLATES
from lib.ui import state
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


def test_nothing_to_extract_with_blocks_submit_and_a_saved_configuration_is_sent_by_id(
    data_dir, samples, local_server
) -> None:
    at = app_test(PAGE)
    at.session_state[state.SCHEMA_TEXT] = '{"type": "object",'
    at.session_state[state.SCHEMA] = None
    at.run()
    upload(at, [("demo-receipt.pdf", samples["demo-receipt.pdf"])])
    assert any("Nothing to extract with" in e for e in errors(at)), errors(at)
    assert submit_button(at).disabled

    with ExtractClient(local_server.url) as client:
        saved = client.create_configuration(
            f"receipts {time.monotonic_ns()}", {"data_schema": TEMPLATES["receipt"].schema, "extraction_target": "per_doc"}
        )
    at.radio(key="_submit_mode").set_value("A saved configuration").run()
    at.selectbox(key="_submit_saved_configuration").set_value(saved.id).run()
    assert errors(at) == [] and not submit_button(at).disabled
    submit_button(at).click().run()
    table = wait_until(at, all_finished)
    assert list(table["Status"]) == ["COMPLETED"] and saved.name in table["Configuration"][0]
    with ExtractClient(local_server.url) as client:
        assert client.get_job(table["Job ID"][0]).configuration_id == saved.id


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
    submit_button(at).click().run()
    table = wait_until(at, lambda t: t["Status"][0] == "RUNNING")
    job_id = table["Job ID"][0]
    at.selectbox(key="_job_table_selected").set_value(job_id).run()
    assert not at.button(key="_job_cancel").disabled and at.button(key="_job_retry").disabled
    at.button(key="_job_cancel").click().run()
    table = wait_until(at, lambda t: t["Status"][0] == "CANCELLED")
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
