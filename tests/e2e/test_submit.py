"""The Submit page in a real browser: three generated documents through the file chooser, the job table
moving from PENDING / RUNNING to COMPLETED by itself, a job opened in Results, and jobs that survive a
reload in the middle of a run."""

from __future__ import annotations

import re
import time

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from lib.samples import demo_samples, scanned_pages
from tests.e2e.support import screenshot, wait_for_app, wait_for_idle

ACTIVE = ("PENDING", "RUNNING")


def open_submit(page, studio) -> None:
    page.goto(f"{studio.url}/submit")
    wait_for_app(page)
    page.get_by_role("heading", name="Submit documents").wait_for()


def choose_files(page, documents: list[tuple[str, bytes]]) -> None:
    """Through the uploader's own file input, as the file chooser dialog would."""
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        [{"name": name, "mimeType": "application/pdf", "buffer": data} for name, data in documents]
    )
    label = f"Submit {len(documents)} document{'s' if len(documents) > 1 else ''}"
    page.get_by_role("button", name=label).wait_for()
    wait_for_idle(page)


def status_counts(page) -> str:
    """The job table's summary line (e.g. 'COMPLETED: 2 · RUNNING: 1'), '' while there is none."""
    for caption in page.locator('[data-testid="stCaptionContainer"]').all_inner_texts():
        if re.search(r"\b(PENDING|RUNNING|COMPLETED|FAILED|CANCELLED|NOT SENT): \d", caption):
            return caption
    return ""


def job_table_text(page) -> str:
    """The cells of the job table (the data grid keeps an accessible copy of them in a <table>)."""
    return page.locator('[data-testid="stDataFrame"]').last.locator("table").text_content() or ""


def select_job(page, file_name: str) -> None:
    """Pick a job in the table's "Job" box; a rerun that lands mid-click closes the list, so try again."""
    for _ in range(5):
        wait_for_idle(page)
        page.get_by_label("Job", exact=True).click()
        try:
            page.get_by_role("option", name=re.compile(re.escape(file_name))).click(timeout=3_000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            continue
        wait_for_idle(page)
        return
    raise AssertionError(f"could not pick {file_name} in the Job box")


def watch(page, until: str, timeout_s: float = 60.0) -> list[str]:
    """Every distinct summary line seen until one contains ``until``; no reload happens here."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        counts = status_counts(page)
        if counts and (not seen or seen[-1] != counts):
            seen.append(counts)
        if until in counts:
            return seen
        page.wait_for_timeout(150)
    raise AssertionError(f"never saw {until!r}; saw {seen}")


def test_three_documents_run_to_completed_live_and_one_opens_in_results(page, studio) -> None:
    invoice, receipt, _ = demo_samples()
    statement = scanned_pages(1)  # OCR takes seconds a page: long enough to be seen unfinished
    documents = [(invoice.filename, invoice.data), (receipt.filename, receipt.data), (statement.filename, statement.data)]
    open_submit(page, studio)
    choose_files(page, documents)
    page.get_by_role("button", name="Submit 3 documents").click()
    seen = watch(page, "COMPLETED: 3")
    assert any(status in line for line in seen for status in ACTIVE), f"never saw a job unfinished: {seen}"
    table = job_table_text(page)
    assert all(name in table for name, _ in documents), table
    screenshot(page, "submit-completed")

    select_job(page, invoice.filename)
    job_id = re.search(re.escape(invoice.filename) + r"(ext-[0-9a-f-]{36})", job_table_text(page)).group(1)
    page.get_by_role("button", name="Open results").click()
    page.wait_for_url(re.compile(r"/results\?job=" + job_id))
    page.get_by_role("heading", name="Results").wait_for()
    wait_for_idle(page)
    vendor = invoice.printed["vendor.name"]
    page.locator('[data-testid="stDataFrame"] td', has_text=vendor).first.wait_for(state="attached")
    screenshot(page, "submit-open-results")


def test_jobs_are_still_listed_after_a_reload_mid_run(page, studio) -> None:
    # A scanned statement goes through OCR (seconds a page), so the job is surely RUNNING at a refresh of
    # the table; the engine reads even a 150-page text PDF in well under the table's 2 s refresh.
    statement = scanned_pages(2)
    name = "reload-" + statement.filename
    open_submit(page, studio)
    choose_files(page, [(name, statement.data)])
    page.get_by_role("button", name="Submit 1 document").click()
    row = re.escape(name) + r"ext-[0-9a-f-]{36}"
    watch(page, "RUNNING", timeout_s=30)
    assert re.search(row + "(PENDING|RUNNING)", job_table_text(page)), job_table_text(page)

    page.reload()
    wait_for_app(page)
    page.get_by_role("heading", name="Submit documents").wait_for()
    assert name in job_table_text(page), "the job is listed again after the reload"
    deadline = time.monotonic() + 60
    while not re.search(row + "COMPLETED", job_table_text(page)):
        assert time.monotonic() < deadline, job_table_text(page)
        page.wait_for_timeout(300)
    screenshot(page, "submit-after-reload")
